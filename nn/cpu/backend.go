package cpu

import (
	"github.com/avstack/avstack/nn"
	"github.com/avstack/avstack/nn/gemm"
	"github.com/avstack/avstack/nn/parallel"
)

// Backend is the CPU reference backend. The zero value is ready to use. A
// Backend keeps scratch buffers and resize plans so that repeated calls do
// not allocate; it is not safe for concurrent use (give each graph or
// goroutine its own).
type Backend struct {
	threads int
	held    bool // BeginRun holds parallel.Default
	col     scratch
	resize  map[resizeKey]*resizePlan
}

var _ nn.Backend = (*Backend)(nil)

// Name returns "cpu".
func (*Backend) Name() string { return "cpu" }

// SetThreads sets the thread count of the gemm engine the matrix products
// use (a process-wide setting); the other reference kernels are single-threaded.
func (b *Backend) SetThreads(n int) {
	b.threads = n
	gemm.SetThreads(n)
}

// BeginRun keeps the workers of parallel.Default polling until EndRun
// when the gemm engine runs on more than one thread (parallel.Pool.Hold):
// nn/graph calls it around a forward pass, whose layers are each too short
// to pay for waking a parked worker.
func (b *Backend) BeginRun() {
	if t := gemm.Threads(); t > 1 && !b.held {
		parallel.Default.Hold(t)
		b.held = true
	}
}

// EndRun releases what BeginRun held.
func (b *Backend) EndRun() {
	if b.held {
		parallel.Default.Release()
		b.held = false
	}
}

// spatial3 normalises the spatial part of a shape to three axes by
// prepending ones, so one loop nest serves 1-d, 2-d and 3-d ops.
func spatial3(s []int) [3]int {
	var r [3]int
	r[0], r[1], r[2] = 1, 1, 1
	off := 3 - len(s)
	for k, v := range s {
		r[off+k] = v
	}
	return r
}

// params3 normalises per-axis parameters; missing ones default to def.
func params3(s []int, rank, def int) [3]int {
	var r [3]int
	r[0], r[1], r[2] = def, def, def
	off := 3 - rank
	for k := 0; k < rank && k < len(s); k++ {
		r[off+k] = s[k]
	}
	return r
}

// pads3 splits ONNX pads [b0..bn-1, e0..en-1] into begin and end triples.
func pads3(p []int, rank int) (b, e [3]int) {
	off := 3 - rank
	for k := 0; k < rank; k++ {
		if len(p) == 2*rank {
			b[off+k] = p[k]
			e[off+k] = p[rank+k]
		}
	}
	return
}
