// Package parallel is the persistent worker pool the nn CPU kernels share.
//
// A Pool keeps its goroutines alive between calls, so running a parallel
// kernel costs a few channel operations and no goroutine creation and, after
// warm-up, no allocation:
//
//	type rows struct{ dst []float32 } // implements Task
//	func (r *rows) Run(i int) { ... part i of the work ... }
//
//	parallel.Default.Run(n, &myRows) // calls myRows.Run(0..n-1), returns when all are done
//
// A worker that runs out of work polls for the next call for a few tens of
// microseconds (yielding to other goroutines) before it parks: kernels run
// back to back, and waking a parked thread costs about as much as a small
// kernel on a virtual machine. On Linux a woken worker that finds itself on
// the caller's CPU (the kernel often queues a woken thread there, on a
// virtual machine even with another CPU idle, and the two then share one
// CPU for milliseconds) moves off it for that call (sched_setaffinity), and
// the caller yields once after waking a parked worker so that it can.
//
// The caller waits for the last helper's part by polling, not by blocking
// on a channel: parking and waking its thread would cost more than the
// short tail it waits for.
//
// Hold(workers) and Release bracket a stretch of back-to-back calls (one
// forward pass of a network: nn/graph does this through cpu.Backend's
// BeginRun and EndRun): meanwhile workers poll instead of parking, a parked
// one is woken at once, and a polling worker on the holder's CPU moves off
// it until the hold ends, so that it does not take half that CPU.
//
// RunN(n, workers, t) caps the goroutines taking part, for callers that cut
// their work into more pieces than threads so that a thread slowed by other
// load takes fewer of them (gemm does this).
//
// The calling goroutine runs tasks too, and tasks are claimed with an atomic
// counter, so a call always completes even when every worker is busy: Run may
// be called concurrently from many goroutines and from inside a task (nested)
// without deadlock. Only one Run at a time uses the workers: a Run issued
// while another is in progress (nested inside one of its tasks, such as a
// GEMM inside a band of a convolution, or from another goroutine) runs all
// of its indices on its own caller, so work is split at one level. Which goroutine runs which index is not specified; a task
// must not depend on it. Kernels that want deterministic results make each
// index write a disjoint part of the output with a fixed order of operations.
package parallel
