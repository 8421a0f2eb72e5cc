package parallel

import (
	"runtime"
	"testing"
)

// TestAvoidCPU: currentCPU names a CPU the process may use, and between
// avoidCPU and restoreCPU the thread runs elsewhere.
func TestAvoidCPU(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	cpu := currentCPU()
	if cpu < 0 || !procMaskOK || !procMask.IsSet(int(cpu)) {
		t.Fatalf("currentCPU() = %d, not in the process's CPU set", cpu)
	}
	if procMask.Count() < 2 {
		if avoidCPU(cpu) {
			t.Fatal("avoidCPU moved the thread with a single CPU allowed")
		}
		t.Skip("one CPU allowed")
	}
	if !avoidCPU(cpu) {
		t.Fatal("avoidCPU did not move the thread")
	}
	if got := currentCPU(); got == cpu {
		restoreCPU()
		t.Fatalf("still on CPU %d after avoidCPU", cpu)
	}
	restoreCPU()
}
