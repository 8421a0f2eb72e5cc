package poll

import (
	"errors"
	"testing"
	"time"
)

type fatalTB struct {
	testing.TB
	failed bool
}

func (f *fatalTB) Helper()      {}
func (f *fatalTB) Fatal(...any) { f.failed = true }

func TestUntil(t *testing.T) {
	n := 0
	Until(t, time.Second, func() error {
		if n++; n < 3 {
			return errors.New("not yet")
		}
		return nil
	})
	if n != 3 {
		t.Fatalf("polled %d times, want 3", n)
	}
	f := &fatalTB{}
	Until(f, 5*time.Millisecond, func() error { return errors.New("never") })
	if !f.failed {
		t.Fatal("a condition that never holds did not fail the test")
	}
}
