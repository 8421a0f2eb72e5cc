package parallel

import (
	"runtime"
	"unsafe"

	"golang.org/x/sys/unix"
)

// procMask is the set of CPUs the process may run on, read at start-up.
var procMask, procMaskOK = func() (unix.CPUSet, bool) {
	var s unix.CPUSet
	err := unix.SchedGetaffinity(0, &s)
	return s, err == nil
}()

// currentCPU returns the CPU the calling thread runs on (getcpu), or -1.
func currentCPU() int32 {
	var cpu, node uint32
	_, _, e := unix.RawSyscall(unix.SYS_GETCPU, uintptr(unsafe.Pointer(&cpu)), uintptr(unsafe.Pointer(&node)), 0)
	if e != 0 {
		return -1
	}
	return int32(cpu)
}

// avoidCPU moves the calling goroutine, locked to its thread, off cpu (the
// kernel migrates the thread at once) and reports whether it did; undo with
// restoreCPU. It does nothing when no other CPU is allowed.
func avoidCPU(cpu int32) bool {
	if !procMaskOK || procMask.Count() < 2 || !procMask.IsSet(int(cpu)) {
		return false
	}
	set := procMask
	set.Clear(int(cpu))
	runtime.LockOSThread()
	if unix.SchedSetaffinity(0, &set) != nil {
		runtime.UnlockOSThread()
		return false
	}
	return true
}

// restoreCPU undoes avoidCPU.
func restoreCPU() {
	unix.SchedSetaffinity(0, &procMask)
	runtime.UnlockOSThread()
}
