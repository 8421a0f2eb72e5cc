package supervisor

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/avstack/avstack/internal/poll"
)

// The test binary doubles as a child: with AVSTACK_SUPERVISOR_CHILD set it sleeps until
// SIGTERM (or ignores it when the value is "stubborn").
func TestMain(m *testing.M) {
	switch os.Getenv("AVSTACK_SUPERVISOR_CHILD") {
	case "":
		os.Exit(m.Run())
	case "stubborn":
		signal.Ignore(syscall.SIGTERM)
		time.Sleep(time.Minute)
	default:
		ch := make(chan os.Signal, 1)
		signal.Notify(ch, syscall.SIGTERM)
		<-ch
		os.Exit(0)
	}
}

type recorder struct {
	mu     sync.Mutex
	events []Event
}

func (r *recorder) add(e Event) { r.mu.Lock(); r.events = append(r.events, e); r.mu.Unlock() }
func (r *recorder) starts(name string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, e := range r.events {
		if e.Child == name && e.Started {
			n++
		}
	}
	return n
}

func child(name, mode string) Child {
	return Child{Name: name, Path: os.Args[0], Env: []string{"AVSTACK_SUPERVISOR_CHILD=" + mode}, Backoff: 50 * time.Millisecond}
}

func TestRestartAfterSIGKILLAndStopWithin2s(t *testing.T) {
	rec := &recorder{}
	s := &Supervisor{Children: []Child{child("a", "calm"), child("b", "calm")}, OnEvent: rec.add, Logf: t.Logf}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	poll.Until(t, 10*time.Second, func() error {
		if len(s.Pids()) != 2 {
			return fmt.Errorf("pids %v", s.Pids())
		}
		return nil
	})
	old := s.Pids()["a"]
	if err := syscall.Kill(old, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	poll.Until(t, 10*time.Second, func() error {
		if p := s.Pids()["a"]; p == 0 || p == old || rec.starts("a") != 2 {
			return fmt.Errorf("a not restarted: pid %d (was %d), starts %d", p, old, rec.starts("a"))
		}
		return nil
	})
	if rec.starts("b") != 1 {
		t.Errorf("b started %d times", rec.starts("b"))
	}
	pids := s.Pids()
	t0 := time.Now()
	cancel()
	<-done
	if el := time.Since(t0); el > 2*time.Second {
		t.Errorf("stop took %v", el)
	}
	for name, pid := range pids {
		if err := syscall.Kill(pid, 0); err == nil {
			t.Errorf("%s (pid %d) still alive", name, pid)
		}
	}
}

func TestStubbornChildIsKilled(t *testing.T) {
	s := &Supervisor{Children: []Child{child("stubborn", "stubborn")}, StopTimeout: 300 * time.Millisecond, Logf: t.Logf}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	poll.Until(t, 10*time.Second, func() error {
		if len(s.Pids()) != 1 {
			return fmt.Errorf("not started")
		}
		return nil
	})
	time.Sleep(100 * time.Millisecond) // let it install its SIGTERM handler
	pid := s.Pids()["stubborn"]
	t0 := time.Now()
	cancel()
	<-done
	if el := time.Since(t0); el > 2*time.Second {
		t.Errorf("stop took %v", el)
	}
	if err := syscall.Kill(pid, 0); err == nil {
		t.Errorf("pid %d survived", pid)
	}
}

func TestMissingProgramIsRetriedNotFatal(t *testing.T) {
	rec := &recorder{}
	s := &Supervisor{Children: []Child{{Name: "ghost", Path: "/nonexistent/avstack", Backoff: 10 * time.Millisecond}}, OnEvent: rec.add, Logf: func(string, ...any) {}}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if err := s.Run(ctx); err != nil {
		t.Fatal(err)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.events) < 2 || rec.events[0].Err == nil {
		t.Fatalf("events %v", rec.events)
	}
}
