// Package poll is the tests' way to wait for something asynchronous: poll a condition until it
// holds or a deadline passes (nats-server's checkFor), instead of sleeping a guessed time.
package poll

import (
	"testing"
	"time"
)

// Every is the polling interval.
const Every = time.Millisecond

// Until calls f every millisecond until it returns nil, and fails the test with f's last error
// when total has passed.
func Until(tb testing.TB, total time.Duration, f func() error) {
	tb.Helper()
	deadline := time.Now().Add(total)
	for {
		err := f()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatal(err)
			return
		}
		time.Sleep(Every)
	}
}
