package kernels

import (
	"fmt"
	"math"
)

// PoolShape describes a 2-D pooling window over one NCHW image.
type PoolShape struct {
	KH, KW                 int
	StrideH, StrideW       int
	PadT, PadL, PadB, PadR int
	// CountIncludePad makes AvgPool2D divide by KH*KW even where the window
	// overlaps the padding (ONNX count_include_pad=1).
	CountIncludePad bool
}

// PoolOut is the output size for an input h x w (floor mode).
func (p PoolShape) PoolOut(h, w int) (oh, ow int) {
	return (h+p.PadT+p.PadB-p.KH)/p.StrideH + 1, (w+p.PadL+p.PadR-p.KW)/p.StrideW + 1
}

func checkPool(dst, src []float32, c, h, w int, p PoolShape) (oh, ow int) {
	if p.KH < 1 || p.KW < 1 || p.StrideH < 1 || p.StrideW < 1 || p.PadT < 0 || p.PadL < 0 || p.PadB < 0 || p.PadR < 0 ||
		p.PadT >= p.KH || p.PadB >= p.KH || p.PadL >= p.KW || p.PadR >= p.KW {
		panic(fmt.Sprintf("kernels: invalid pool shape %+v", p))
	}
	oh, ow = p.PoolOut(h, w)
	if oh < 1 || ow < 1 {
		panic(fmt.Sprintf("kernels: pool %+v on %dx%d has no output", p, h, w))
	}
	if len(src) < c*h*w || len(dst) < c*oh*ow {
		panic(fmt.Sprintf("kernels: pool len(src)=%d len(dst)=%d too short for c=%d %dx%d -> %dx%d", len(src), len(dst), c, h, w, oh, ow))
	}
	return oh, ow
}

// MaxPool2D is max pooling of one NCHW image (c x h x w) into dst
// (c x oh x ow, see PoolOut); padding never wins (it is -Inf). Equal strides
// of 1 or 2 run the vector plane kernels (see plane.go) over channels split
// across gemm.Threads(); other strides a scalar loop.
func MaxPool2D(dst, src []float32, c, h, w int, p PoolShape) {
	oh, ow := checkPool(dst, src, c, h, w, p)
	if p.StrideH == p.StrideW && (p.StrideH == 1 || p.StrideH == 2) {
		// The plane kernels: -Inf padding, nine taps per pass, passes
		// combined with max (a repeated or recomputed element is harmless,
		// so rows of at least one vector go straight into dst).
		t := getPlaneTask()
		pa := current()
		n := (ow + pa.lanes - 1) / pa.lanes * pa.lanes
		t.direct = ow >= pa.lanes
		if t.direct {
			n = ow
		}
		t.op, t.dst, t.src, t.c, t.act, t.p = opMax, dst, src, c, Activation{}, pa
		t.geom = newGeom(h, w, oh, ow, p.KH, p.KW, p.StrideH, p.PadT, p.PadL, n, false)
		t.run()
		return
	}
	poolGeneric(dst, src, c, h, w, oh, ow, p, true)
}

// AvgPool2D is average pooling of one NCHW image, like MaxPool2D. Windows
// of up to 49 taps with equal strides of 1 or 2 sum on the vector plane
// kernels and divide per output; others (global pooling) a scalar loop.
func AvgPool2D(dst, src []float32, c, h, w int, p PoolShape) {
	oh, ow := checkPool(dst, src, c, h, w, p)
	if p.StrideH == p.StrideW && (p.StrideH == 1 || p.StrideH == 2) && p.KH*p.KW <= 49 {
		t := getPlaneTask()
		pa := current()
		n := (ow + pa.lanes - 1) / pa.lanes * pa.lanes
		// Sums of more than nine taps accumulate over passes: then rows are
		// computed a whole number of vectors wide into scratch.
		t.direct = p.KH*p.KW <= 9 && ow >= pa.lanes
		if t.direct {
			n = ow
		}
		t.op, t.dst, t.src, t.c, t.act, t.p, t.countPad = opAvg, dst, src, c, Activation{}, pa, p.CountIncludePad
		t.geom = newGeom(h, w, oh, ow, p.KH, p.KW, p.StrideH, p.PadT, p.PadL, n, false)
		t.run()
		return
	}
	poolGeneric(dst, src, c, h, w, oh, ow, p, false)
}

// poolGeneric clips each window to the image once, then scans it.
func poolGeneric(dst, src []float32, c, h, w, oh, ow int, p PoolShape, isMax bool) {
	for ch := 0; ch < c; ch++ {
		in := src[ch*h*w : (ch+1)*h*w]
		out := dst[ch*oh*ow : (ch+1)*oh*ow]
		for y := 0; y < oh; y++ {
			y0 := y*p.StrideH - p.PadT
			y1 := min(y0+p.KH, h)
			y0 = max(y0, 0)
			for x := 0; x < ow; x++ {
				x0 := x*p.StrideW - p.PadL
				x1 := min(x0+p.KW, w)
				x0 = max(x0, 0)
				if isMax {
					m := float32(math.Inf(-1))
					for iy := y0; iy < y1; iy++ {
						for _, v := range in[iy*w+x0 : iy*w+x1] {
							m = max(m, v)
						}
					}
					out[y*ow+x] = m
					continue
				}
				var s float32
				for iy := y0; iy < y1; iy++ {
					for _, v := range in[iy*w+x0 : iy*w+x1] {
						s += v
					}
				}
				n := (y1 - y0) * (x1 - x0)
				if p.CountIncludePad {
					n = p.KH * p.KW
				}
				out[y*ow+x] = s / float32(n)
			}
		}
	}
}

// Pool2DRef is the reference of MaxPool2D (isMax) and AvgPool2D.
func Pool2DRef(dst, src []float32, c, h, w int, p PoolShape, isMax bool) {
	oh, ow := checkPool(dst, src, c, h, w, p)
	for ch := 0; ch < c; ch++ {
		for y := 0; y < oh; y++ {
			for x := 0; x < ow; x++ {
				m := math.Inf(-1)
				var s float64
				n := 0
				for ky := 0; ky < p.KH; ky++ {
					for kx := 0; kx < p.KW; kx++ {
						iy, ix := y*p.StrideH-p.PadT+ky, x*p.StrideW-p.PadL+kx
						if iy < 0 || iy >= h || ix < 0 || ix >= w {
							continue
						}
						v := float64(src[(ch*h+iy)*w+ix])
						m = math.Max(m, v)
						s += v
						n++
					}
				}
				if p.CountIncludePad {
					n = p.KH * p.KW
				}
				if isMax {
					dst[(ch*oh+y)*ow+x] = float32(m)
				} else {
					dst[(ch*oh+y)*ow+x] = float32(s / float64(n))
				}
			}
		}
	}
}
