package kernels

import (
	"sync"

	"github.com/avstack/avstack/nn/gemm"
	"github.com/avstack/avstack/nn/parallel"
)

// minParallelElems is the output size below which a memory-bound pass
// (im2col, bias+activation) stays on the calling goroutine.
const minParallelElems = 1 << 16

type splitKind int

const (
	splitIm2col splitKind = iota
	splitBiasAct
)

// splitTask runs a memory-bound pass over contiguous ranges of rows or
// channels; instances are recycled so that a call allocates nothing.
type splitTask struct {
	kind         splitKind
	dst, src     []float32
	shape        ConvShape
	bias         []float32
	act          Activation
	plane        int
	total, parts int
}

func (t *splitTask) Run(i int) {
	r0, r1 := t.total*i/t.parts, t.total*(i+1)/t.parts
	switch t.kind {
	case splitIm2col:
		im2colRows(t.dst, t.src, t.shape, r0, r1)
	case splitBiasAct:
		var b []float32
		if t.bias != nil {
			b = t.bias[r0:r1]
		}
		BiasAct(t.dst[r0*t.plane:r1*t.plane], r1-r0, t.plane, b, t.act)
	}
}

var (
	splitMu   sync.Mutex
	splitFree []*splitTask
)

func getSplit() *splitTask {
	splitMu.Lock()
	defer splitMu.Unlock()
	if k := len(splitFree); k > 0 {
		t := splitFree[k-1]
		splitFree = splitFree[:k-1]
		return t
	}
	return &splitTask{}
}

func putSplit(t *splitTask) {
	*t = splitTask{}
	splitMu.Lock()
	splitFree = append(splitFree, t)
	splitMu.Unlock()
}

// biasActParallel is BiasAct with channels spread over gemm.Threads().
func biasActParallel(x []float32, channels, plane int, bias []float32, a Activation) {
	parts := min(gemm.Threads(), channels)
	if channels*plane < minParallelElems || parts <= 1 || (bias == nil && a.Kind == ActNone) {
		BiasAct(x, channels, plane, bias, a)
		return
	}
	t := getSplit()
	t.kind, t.dst, t.bias, t.act, t.plane, t.total, t.parts = splitBiasAct, x, bias, a, plane, channels, parts
	parallel.Default.Run(parts, t)
	putSplit(t)
}
