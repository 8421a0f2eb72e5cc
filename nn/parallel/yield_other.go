//go:build !linux

package parallel

// osYield is a no-op where sched_yield is not available; runtime.Gosched,
// which Backoff also calls, yields to other goroutines.
func osYield() {}
