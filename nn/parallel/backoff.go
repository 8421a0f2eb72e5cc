package parallel

import (
	"runtime"
	"time"
)

// Backoff is one step of a wait for another goroutine of the same parallel
// run (a worker waiting for data another worker is producing); n counts the
// steps of this wait from 0. It spins for the first few steps (the other is
// usually microseconds away), then yields both to other goroutines and to
// other threads of this CPU (on a loaded machine the two workers may share
// one CPU, and spinning would keep the other from running), and sleeps once
// the wait is long.
func Backoff(n int) {
	switch {
	case n < 32:
		// spin
	case n < 512:
		runtime.Gosched()
		osYield()
	default:
		time.Sleep(50 * time.Microsecond)
	}
}
