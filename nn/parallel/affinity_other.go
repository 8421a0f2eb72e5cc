//go:build !linux

package parallel

// currentCPU is not known here.
func currentCPU() int32 { return -1 }

func avoidCPU(int32) bool { return false }

func restoreCPU() {}
