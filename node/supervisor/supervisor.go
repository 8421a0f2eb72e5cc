// Package supervisor runs each node of a stack as its own child process, restarts a child that
// dies with exponential backoff, and stops them all (SIGTERM, then SIGKILL after a grace period)
// when its context ends. `avstack run` is a thin wrapper around it.
package supervisor

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"
)

// Child is one supervised process.
type Child struct {
	Name string
	// Path and Args of the program (Args excludes the program name).
	Path string
	Args []string
	Env  []string
	// Restart backoff: starts at Backoff (default 200 ms), doubles per quick crash up to
	// BackoffMax (default 10 s); a child that ran for StableAfter (default 10 s) starts again
	// from Backoff.
	Backoff, BackoffMax, StableAfter time.Duration
}

// Event is reported for every start and exit.
type Event struct {
	Child   string
	Pid     int
	Started bool
	// On exit: the error from Wait (nil = exit 0) and the restart count so far.
	Err      error
	Restarts int
}

// Supervisor runs children.
type Supervisor struct {
	Children []Child
	// StopTimeout is how long children get after SIGTERM before SIGKILL (default 1.5 s, so
	// that everything is down within 2 s).
	StopTimeout time.Duration
	// OnEvent, if set, sees every start and exit (tests, status).
	OnEvent func(Event)
	Logf    func(format string, args ...any)
	// Stdout and Stderr of the children (default the supervisor's own).
	Stdout, Stderr *os.File

	mu   sync.Mutex
	pids map[string]int
}

// Pids returns the current process id of each running child.
func (s *Supervisor) Pids() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]int{}
	for k, v := range s.pids {
		out[k] = v
	}
	return out
}

// Run starts every child and supervises until ctx ends, then stops them all and returns.
func (s *Supervisor) Run(ctx context.Context) error {
	if len(s.Children) == 0 {
		return errors.New("supervisor: no children to run")
	}
	if s.StopTimeout == 0 {
		s.StopTimeout = 1500 * time.Millisecond
	}
	if s.Logf == nil {
		s.Logf = log.Printf
	}
	if s.Stdout == nil {
		s.Stdout = os.Stdout
	}
	if s.Stderr == nil {
		s.Stderr = os.Stderr
	}
	s.mu.Lock()
	s.pids = map[string]int{}
	s.mu.Unlock()
	names := map[string]bool{}
	for _, c := range s.Children {
		if names[c.Name] {
			return fmt.Errorf("supervisor: two children named %q", c.Name)
		}
		names[c.Name] = true
	}
	var wg sync.WaitGroup
	for _, c := range s.Children {
		wg.Add(1)
		go func(c Child) {
			defer wg.Done()
			s.supervise(ctx, c)
		}(c)
	}
	wg.Wait()
	return nil
}

func (s *Supervisor) emit(e Event) {
	if s.OnEvent != nil {
		s.OnEvent(e)
	}
}

func (s *Supervisor) supervise(ctx context.Context, c Child) {
	backoff := c.Backoff
	if backoff <= 0 {
		backoff = 200 * time.Millisecond
	}
	maxBackoff := c.BackoffMax
	if maxBackoff <= 0 {
		maxBackoff = 10 * time.Second
	}
	stable := c.StableAfter
	if stable <= 0 {
		stable = 10 * time.Second
	}
	wait := backoff
	restarts := 0
	for {
		if ctx.Err() != nil {
			return
		}
		cmd := exec.Command(c.Path, c.Args...)
		cmd.Env = append(os.Environ(), c.Env...)
		cmd.Stdout, cmd.Stderr = s.Stdout, s.Stderr
		// Own process group: a terminal's Ctrl-C reaches the supervisor, which stops children in order.
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		started := time.Now()
		if err := cmd.Start(); err != nil {
			s.Logf("supervisor: %s: start %s: %v (retry in %v)", c.Name, c.Path, err, wait)
			s.emit(Event{Child: c.Name, Err: err, Restarts: restarts})
		} else {
			pid := cmd.Process.Pid
			s.mu.Lock()
			s.pids[c.Name] = pid
			s.mu.Unlock()
			s.emit(Event{Child: c.Name, Pid: pid, Started: true, Restarts: restarts})
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			select {
			case err := <-exited:
				s.mu.Lock()
				delete(s.pids, c.Name)
				s.mu.Unlock()
				if ctx.Err() != nil {
					s.emit(Event{Child: c.Name, Pid: pid, Err: err, Restarts: restarts})
					return
				}
				if time.Since(started) >= stable {
					wait = backoff
				}
				s.Logf("supervisor: %s (pid %d) exited: %v; restarting in %v", c.Name, pid, describe(err), wait)
				s.emit(Event{Child: c.Name, Pid: pid, Err: err, Restarts: restarts})
			case <-ctx.Done():
				s.stop(c.Name, cmd, exited)
				s.mu.Lock()
				delete(s.pids, c.Name)
				s.mu.Unlock()
				return
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		restarts++
		wait *= 2
		if wait > maxBackoff {
			wait = maxBackoff
		}
	}
}

func (s *Supervisor) stop(name string, cmd *exec.Cmd, exited <-chan error) {
	pid := cmd.Process.Pid
	_ = syscall.Kill(-pid, syscall.SIGTERM)
	select {
	case err := <-exited:
		s.emit(Event{Child: name, Pid: pid, Err: err})
	case <-time.After(s.StopTimeout):
		s.Logf("supervisor: %s (pid %d) ignored SIGTERM for %v: killing", name, pid, s.StopTimeout)
		_ = syscall.Kill(-pid, syscall.SIGKILL)
		err := <-exited
		s.emit(Event{Child: name, Pid: pid, Err: err})
	}
}

func describe(err error) string {
	if err == nil {
		return "exit status 0"
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return "killed by " + ws.Signal().String()
		}
	}
	return err.Error()
}
