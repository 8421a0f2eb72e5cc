package main

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/avstack/avstack/internal/poll"
)

func childPids(pid int) []int {
	var out []int
	tasks, _ := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	for _, t := range tasks {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/children", pid, t.Name()))
		if err != nil {
			continue
		}
		for _, f := range strings.Fields(string(b)) {
			if p, err := strconv.Atoi(f); err == nil {
				out = append(out, p)
			}
		}
	}
	return out
}

func alive(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	// A zombie is dead for our purposes.
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	return err == nil && !strings.Contains(string(b), ") Z ")
}

// `avstack run` with two placeholder nodes: a child killed with SIGKILL is restarted, and
// SIGTERM stops everything within 2 s.
func TestRunSupervisesNodes(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	cmd := exec.Command(os.Args[0], "run", "--config", "testdata/two-heartbeats.yaml")
	cmd.Env = append(os.Environ(), "AVSTACK_AS_MAIN=1")
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	var kids []int
	poll.Until(t, 20*time.Second, func() error {
		kids = childPids(cmd.Process.Pid)
		if len(kids) != 2 || !strings.Contains(out.String(), "node beta (heartbeat) running") || !strings.Contains(out.String(), "node alpha (heartbeat) running") {
			return fmt.Errorf("children %v; output:\n%s", kids, out.String())
		}
		return nil
	})
	victim := kids[0]
	if err := syscall.Kill(victim, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	poll.Until(t, 20*time.Second, func() error {
		now := childPids(cmd.Process.Pid)
		if len(now) != 2 {
			return fmt.Errorf("children %v", now)
		}
		for _, p := range now {
			if p == victim {
				return fmt.Errorf("victim %d still listed", victim)
			}
		}
		return nil
	})
	if !strings.Contains(out.String(), "killed by killed") {
		t.Errorf("no restart logged:\n%s", out.String())
	}
	kids = childPids(cmd.Process.Pid)
	t0 := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() { errc <- cmd.Wait() }()
	select {
	case err := <-errc:
		if err != nil {
			t.Errorf("run exited with %v:\n%s", err, out.String())
		}
	case <-time.After(2 * time.Second):
		t.Fatalf("run did not stop within 2 s:\n%s", out.String())
	}
	el := time.Since(t0)
	for _, p := range kids {
		if alive(p) {
			t.Errorf("child %d alive after stop", p)
		}
	}
	t.Logf("stopped in %v", el)
}
