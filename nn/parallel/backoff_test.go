package parallel

import (
	"sync/atomic"
	"testing"
	"time"
)

// TestBackoffWaitSeesFlag: a wait loop built on Backoff ends once another
// goroutine sets the flag, whether that happens during the spinning, the
// yielding or the sleeping steps.
func TestBackoffWaitSeesFlag(t *testing.T) {
	for _, c := range []struct {
		name  string
		delay time.Duration
	}{{"at once", 0}, {"while yielding", 50 * time.Microsecond}, {"while sleeping", 20 * time.Millisecond}} {
		t.Run(c.name, func(t *testing.T) {
			var flag atomic.Bool
			go func() {
				time.Sleep(c.delay)
				flag.Store(true)
			}()
			deadline := time.Now().Add(10 * time.Second)
			n := 0
			for ; !flag.Load(); n++ {
				if time.Now().After(deadline) {
					t.Fatalf("flag not seen after %d steps", n)
				}
				Backoff(n)
			}
		})
	}
}
