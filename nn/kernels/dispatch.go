package kernels

//go:generate go run gen_kernels.go

import (
	"unsafe"

	"github.com/avstack/avstack/nn/gemm"
)

// Activation kinds understood by the assembly row kernels.
const (
	asmActNone  = 0
	asmActReLU  = 1
	asmActLeaky = 2
)

// path is one dispatch path: the vector width and the row kernels. The
// kernels package follows gemm's choice (gemm.Kernel, i.e. CPUID,
// AVSTACK_CPU and the noasm build tag), so one switch governs every fast
// path of the CPU backend.
type path struct {
	name  string
	lanes int
	// dwPlane: dst[y*ldo+x] = act(bias + sum_t w[t]*src[t][y*lds+x]) for
	// y < rows, x < n, n >= lanes; act is asmActNone, asmActReLU or
	// asmActLeaky. A ragged row end is recomputed as the row's last full
	// vector, so nothing outside the rows is read or written.
	// With accum != 0 the old dst is added first (then a ragged row end
	// would be added twice: accumulating calls use n a multiple of lanes).
	dwPlane func(dst *float32, ldo int, src *[9]*float32, lds int, w *[9]float32, rows, n int, bias float32, act int, alpha float32, accum int)
	// dw5Plane: dst[y*ldo+x] = act(bias + sum_{dy,dx<5}
	// w[dy*5+dx]*src[(y+dy)*lds+x+dx]) for y < rows, x < n, n >= lanes:
	// the stride-1 5x5 window from one plane in one call (ragged row ends
	// as dwPlane).
	dw5Plane func(dst *float32, ldo int, src *float32, lds int, w *[25]float32, rows, n int, bias float32, act int, alpha float32)
	// dwS2Plane3 (AVX-512 only, else nil): dst[y*ldo+x] = act(bias +
	// sum_{dy,dx<3} w[dy*3+dx]*src[(2y+dy)*lds+2x+dx]) for y < rows,
	// x < n, n >= lanes: stride-2 3x3 from an unsplit plane whose rows
	// hold at least 2n+2 values (ragged row ends as dwPlane).
	dwS2Plane3 func(dst *float32, ldo int, src *float32, lds int, w *[9]float32, rows, n int, bias float32, act int, alpha float32)
	// maxPlane: dst[y*ldo+x] = max(src[t][y*lds+x], t < 9; and the old dst
	// when accum != 0), rows and ragged ends as dwPlane.
	maxPlane func(dst *float32, ldo int, src *[9]*float32, lds int, rows, n int, accum int)
	// biasAct: dst[i] = act(src[i] + bias) for i < n, n a multiple of
	// lanes; dst may equal src.
	biasAct func(dst, src *float32, n int, bias float32, act int, alpha float32)
	// evens: dst[i] = src[2*i] for i < n, n a multiple of lanes; reads
	// src[0 .. 2n-1].
	evens func(dst, src *float32, n int)
}

var goPath = &path{name: "go", lanes: 1, dwPlane: dwPlaneGo, dw5Plane: dw5PlaneGo, maxPlane: maxPlaneGo, biasAct: biasActGo, evens: evensGo}

var asmPaths = map[string]*path{}

// current returns the path matching gemm.Kernel().
func current() *path {
	if p, ok := asmPaths[gemm.Kernel()]; ok {
		return p
	}
	return goPath
}

// Kernel names the path the kernels use now: "avx512", "avx2" or "go".
func Kernel() string { return current().name }

func applyAsmAct(v float32, act int, alpha float32) float32 {
	switch act {
	case asmActReLU:
		return max(v, 0)
	case asmActLeaky:
		return max(v, alpha*v)
	}
	return v
}

func dwPlaneGo(dst *float32, ldo int, src *[9]*float32, lds int, w *[9]float32, rows, n int, bias float32, act int, alpha float32, accum int) {
	d := unsafe.Slice(dst, (rows-1)*ldo+n)
	var s [9][]float32
	for t := range s {
		s[t] = unsafe.Slice(src[t], (rows-1)*lds+n)
	}
	for y := 0; y < rows; y++ {
		o := d[y*ldo : y*ldo+n]
		i := y * lds
		for x := range o {
			a0 := bias
			if accum != 0 {
				a0 += o[x]
			}
			a0 += w[0]*s[0][i+x] + w[1]*s[1][i+x] + w[2]*s[2][i+x]
			a1 := w[3]*s[3][i+x] + w[4]*s[4][i+x] + w[5]*s[5][i+x]
			a2 := w[6]*s[6][i+x] + w[7]*s[7][i+x] + w[8]*s[8][i+x]
			o[x] = applyAsmAct(a0+a1+a2, act, alpha)
		}
	}
}

func dw5PlaneGo(dst *float32, ldo int, src *float32, lds int, w *[25]float32, rows, n int, bias float32, act int, alpha float32) {
	d := unsafe.Slice(dst, (rows-1)*ldo+n)
	s := unsafe.Slice(src, (rows+3)*lds+n+4)
	for y := 0; y < rows; y++ {
		o := d[y*ldo : y*ldo+n]
		for x := range o {
			var a [3]float32
			a[0] = bias
			for dy := 0; dy < 5; dy++ {
				r := s[(y+dy)*lds+x : (y+dy)*lds+x+5]
				k := w[dy*5 : dy*5+5]
				a[dy%3] += k[0]*r[0] + k[1]*r[1] + k[2]*r[2] + k[3]*r[3] + k[4]*r[4]
			}
			o[x] = applyAsmAct(a[0]+a[1]+a[2], act, alpha)
		}
	}
}

func biasActGo(dst, src *float32, n int, bias float32, act int, alpha float32) {
	d, x := unsafe.Slice(dst, n), unsafe.Slice(src, n)
	for i, v := range x {
		d[i] = applyAsmAct(v+bias, act, alpha)
	}
}

func evensGo(dst, src *float32, n int) {
	d := unsafe.Slice(dst, n)
	s := unsafe.Slice(src, 2*n)
	for i := range d {
		d[i] = s[2*i]
	}
}

func maxPlaneGo(dst *float32, ldo int, src *[9]*float32, lds int, rows, n int, accum int) {
	d := unsafe.Slice(dst, (rows-1)*ldo+n)
	var s [9][]float32
	for t := range s {
		s[t] = unsafe.Slice(src[t], (rows-1)*lds+n)
	}
	for y := 0; y < rows; y++ {
		o := d[y*ldo : y*ldo+n]
		i := y * lds
		for x := range o {
			m := s[0][i+x]
			for t := 1; t < 9; t++ {
				m = max(m, s[t][i+x])
			}
			if accum != 0 {
				m = max(m, o[x])
			}
			o[x] = m
		}
	}
}
