package kernels

import (
	"fmt"
	"sync"

	"github.com/avstack/avstack/nn/gemm"
	"github.com/avstack/avstack/nn/parallel"
)

// DepthwiseOut is the output size of a 3x3 depthwise convolution with
// padding 1 and the given stride: (n-1)/stride + 1.
func DepthwiseOut(n, stride int) int { return (n-1)/stride + 1 }

// DepthwiseConv3x3 is a depthwise 3x3 convolution, padding 1 on every side,
// stride 1 or 2, of one NCHW image, with bias and activation fused:
//
//	dst[c][y][x] = act(bias[c] + sum_{dy,dx<3} w[c*9+dy*3+dx] * src[c][y*s+dy-1][x*s+dx-1])
//
// src is c x h x w, dst is c x oh x ow with oh = DepthwiseOut(h, stride),
// ow = DepthwiseOut(w, stride); weight is c*9 (ONNX [C,1,3,3]); bias is c
// values or nil. Channels are spread over gemm.Threads() goroutines of the
// shared pool. It panics on a bad stride or short slices.
func DepthwiseConv3x3(dst, src, weight, bias []float32, c, h, w, stride int, a Activation) {
	checkDepthwise(dst, src, weight, bias, c, h, w, stride)
	if c == 0 || h == 0 || w == 0 {
		return
	}
	t := getDW()
	t.dst, t.src, t.weight, t.bias = dst, src, weight, bias
	t.c, t.h, t.w, t.stride, t.act = c, h, w, stride, a
	t.p = current()
	parts := min(gemm.Threads(), c)
	if c*h*w < 1<<13 {
		parts = 1 // waking a worker costs more than such a layer
	}
	t.parts = parts
	if len(t.part) < parts {
		t.part = append(t.part, make([]dwPart, parts-len(t.part))...)
	}
	parallel.Default.Run(parts, t)
	t.dst, t.src, t.weight, t.bias = nil, nil, nil, nil
	putDW(t)
}

func checkDepthwise(dst, src, weight, bias []float32, c, h, w, stride int) {
	if stride != 1 && stride != 2 {
		panic(fmt.Sprintf("kernels: DepthwiseConv3x3 stride %d, want 1 or 2", stride))
	}
	if c < 0 || h < 0 || w < 0 {
		panic(fmt.Sprintf("kernels: DepthwiseConv3x3 negative shape c=%d h=%d w=%d", c, h, w))
	}
	oh, ow := DepthwiseOut(h, stride), DepthwiseOut(w, stride)
	switch {
	case len(src) < c*h*w:
		panic(fmt.Sprintf("kernels: DepthwiseConv3x3 len(src)=%d < %d", len(src), c*h*w))
	case len(dst) < c*oh*ow:
		panic(fmt.Sprintf("kernels: DepthwiseConv3x3 len(dst)=%d < %d", len(dst), c*oh*ow))
	case len(weight) < c*9:
		panic(fmt.Sprintf("kernels: DepthwiseConv3x3 len(weight)=%d < %d", len(weight), c*9))
	case bias != nil && len(bias) < c:
		panic(fmt.Sprintf("kernels: DepthwiseConv3x3 len(bias)=%d < %d", len(bias), c))
	}
}

// dwTask is one DepthwiseConv3x3 call; part i does a contiguous range of
// channels with its own scratch.
type dwTask struct {
	dst, src, weight, bias []float32
	c, h, w, stride        int
	act                    Activation
	p                      *path
	parts                  int
	part                   []dwPart
}

// dwPart is the scratch of one part. The tap pointers and weights live here
// rather than on the stack because they are passed to a kernel through a
// function value, which would make them escape (one allocation per call).
type dwPart struct {
	scratch []float32
	srcs    [9]*float32
	wt      [9]float32
}

var (
	dwMu   sync.Mutex
	dwFree []*dwTask
)

func getDW() *dwTask {
	dwMu.Lock()
	defer dwMu.Unlock()
	if k := len(dwFree); k > 0 {
		t := dwFree[k-1]
		dwFree = dwFree[:k-1]
		return t
	}
	return &dwTask{}
}

func putDW(t *dwTask) {
	dwMu.Lock()
	dwFree = append(dwFree, t)
	dwMu.Unlock()
}

func (t *dwTask) Run(i int) {
	c0 := t.c * i / t.parts
	c1 := t.c * (i + 1) / t.parts
	h, w, s, p := t.h, t.w, t.stride, t.p
	oh, ow := DepthwiseOut(h, s), DepthwiseOut(w, s)
	// The plane kernel computes rows of n >= lanes outputs. Rows at least
	// one vector wide are written straight into dst; narrower ones are
	// computed lanes wide into scratch and copied.
	n, direct := ow, ow >= p.lanes
	if !direct {
		n = p.lanes
	}
	// Padded plane: rows 0 and h+1 are zero. Stride 1: row r is
	// [0, src row r-1, 0...] of length rs = n+2, and tap dx of output x
	// reads element x+dx. Stride 2: row r holds the even columns E (n+1)
	// then the odd columns O (n) of the zero-bordered source row, so taps
	// dx = 0, 1, 2 of output x read E[x], O[x], E[x+1].
	rs := n + 2
	if s == 2 {
		rs = 2*n + 1
	}
	need := (h+2)*rs + oh*n
	pt := &t.part[i]
	if cap(pt.scratch) < need {
		pt.scratch = make([]float32, need)
	}
	buf := pt.scratch[:need]
	plane, tmp := buf[:(h+2)*rs], buf[(h+2)*rs:]
	clear(plane[:rs])
	clear(plane[(h+1)*rs:])
	kind, alpha, asmOK := t.act.asmAct()
	srcs, wt := &pt.srcs, &pt.wt
	defer clear(srcs[:])
	for dy := 0; dy < 3; dy++ {
		base := dy * rs
		if s == 1 {
			srcs[dy*3], srcs[dy*3+1], srcs[dy*3+2] = &plane[base], &plane[base+1], &plane[base+2]
		} else {
			srcs[dy*3], srcs[dy*3+1], srcs[dy*3+2] = &plane[base], &plane[base+n+1], &plane[base+1]
		}
	}
	for ch := c0; ch < c1; ch++ {
		in := t.src[ch*h*w : (ch+1)*h*w]
		for r := 1; r <= h; r++ {
			row := plane[r*rs : (r+1)*rs]
			sr := in[(r-1)*w : r*w]
			if s == 1 {
				row[0] = 0
				copy(row[1:], sr)
				clear(row[1+w:])
				continue
			}
			// zero-bordered q[i] = sr[i-1]: E[j] = q[2j] = sr[2j-1] (j >= 1),
			// O[j] = q[2j+1] = sr[2j]
			e, o := row[:n+1], row[n+1:]
			e[0] = 0
			ne, no := w/2, (w+1)/2 // counts of E[1..] and O[..] taken from sr
			j := 0
			if cnt := (ne - 1) / p.lanes * p.lanes; cnt > 0 { // reads sr[1 .. 2cnt] < w
				p.evens(&e[1], &sr[1], cnt)
				j = cnt
			}
			for ; j < ne; j++ {
				e[j+1] = sr[2*j+1]
			}
			clear(e[ne+1:])
			j = 0
			if cnt := (no - 1) / p.lanes * p.lanes; cnt > 0 { // reads sr[0 .. 2cnt-1] < w
				p.evens(&o[0], &sr[0], cnt)
				j = cnt
			}
			for ; j < no; j++ {
				o[j] = sr[2*j]
			}
			clear(o[no:])
		}
		copy(wt[:], t.weight[ch*9:ch*9+9])
		var b float32
		if t.bias != nil {
			b = t.bias[ch]
		}
		out := t.dst[ch*oh*ow : (ch+1)*oh*ow]
		if direct {
			p.dwPlane(&out[0], ow, srcs, s*rs, wt, oh, n, b, kind, alpha)
		} else {
			p.dwPlane(&tmp[0], n, srcs, s*rs, wt, oh, n, b, kind, alpha)
			for y := 0; y < oh; y++ {
				copy(out[y*ow:(y+1)*ow], tmp[y*n:y*n+ow])
			}
		}
		if !asmOK {
			for x, v := range out {
				out[x] = act1(t.act, v)
			}
		}
	}
}

// DepthwiseConv3x3Ref is the reference of DepthwiseConv3x3: the direct
// loop with bounds tests, summing bias then taps in (dy, dx) order.
func DepthwiseConv3x3Ref(dst, src, weight, bias []float32, c, h, w, stride int, a Activation) {
	checkDepthwise(dst, src, weight, bias, c, h, w, stride)
	oh, ow := DepthwiseOut(h, stride), DepthwiseOut(w, stride)
	for ch := 0; ch < c; ch++ {
		for y := 0; y < oh; y++ {
			for x := 0; x < ow; x++ {
				var sum float32
				if bias != nil {
					sum = bias[ch]
				}
				for dy := 0; dy < 3; dy++ {
					for dx := 0; dx < 3; dx++ {
						iy, ix := y*stride+dy-1, x*stride+dx-1
						if iy < 0 || iy >= h || ix < 0 || ix >= w {
							continue
						}
						sum += weight[ch*9+dy*3+dx] * src[(ch*h+iy)*w+ix]
					}
				}
				dst[(ch*oh+y)*ow+x] = ActRef(a, sum)
			}
		}
	}
}
