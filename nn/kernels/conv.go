package kernels

import (
	"fmt"

	"github.com/avstack/avstack/nn/gemm"
	"github.com/avstack/avstack/nn/parallel"
)

// ConvShape describes a 2-D convolution of one NCHW image.
type ConvShape struct {
	C, H, W                int // input channels, height, width
	M                      int // output channels
	KH, KW                 int // kernel size
	StrideH, StrideW       int
	DilH, DilW             int
	PadT, PadL, PadB, PadR int // zero padding (ONNX pads: begin then end)
	Groups                 int // C and M divisible by Groups; Groups == C == M is depthwise
}

// OutH is the output height.
func (s ConvShape) OutH() int { return (s.H+s.PadT+s.PadB-s.DilH*(s.KH-1)-1)/s.StrideH + 1 }

// OutW is the output width.
func (s ConvShape) OutW() int { return (s.W+s.PadL+s.PadR-s.DilW*(s.KW-1)-1)/s.StrideW + 1 }

// Validate reports a shape that cannot be convolved, naming the field.
func (s ConvShape) Validate() error {
	switch {
	case s.C < 1 || s.H < 1 || s.W < 1 || s.M < 1:
		return fmt.Errorf("kernels: conv shape C=%d H=%d W=%d M=%d must be positive", s.C, s.H, s.W, s.M)
	case s.KH < 1 || s.KW < 1:
		return fmt.Errorf("kernels: conv kernel %dx%d must be positive", s.KH, s.KW)
	case s.StrideH < 1 || s.StrideW < 1:
		return fmt.Errorf("kernels: conv stride %dx%d must be positive", s.StrideH, s.StrideW)
	case s.DilH < 1 || s.DilW < 1:
		return fmt.Errorf("kernels: conv dilation %dx%d must be positive", s.DilH, s.DilW)
	case s.PadT < 0 || s.PadL < 0 || s.PadB < 0 || s.PadR < 0:
		return fmt.Errorf("kernels: conv pads %d,%d,%d,%d must not be negative", s.PadT, s.PadL, s.PadB, s.PadR)
	case s.Groups < 1 || s.C%s.Groups != 0 || s.M%s.Groups != 0:
		return fmt.Errorf("kernels: conv groups=%d must divide C=%d and M=%d", s.Groups, s.C, s.M)
	case s.OutH() < 1 || s.OutW() < 1:
		return fmt.Errorf("kernels: conv output %dx%d is empty", s.OutH(), s.OutW())
	}
	return nil
}

// isPointwise reports whether the input is already the GEMM's B matrix.
func (s ConvShape) isPointwise() bool {
	return s.KH == 1 && s.KW == 1 && s.StrideH == 1 && s.StrideW == 1 &&
		s.PadT == 0 && s.PadL == 0 && s.PadB == 0 && s.PadR == 0
}

// ConvWorkSize is the length of the work buffer Conv2D needs for s (0 for
// 1x1 and depthwise convolutions).
func ConvWorkSize(s ConvShape) int {
	if s.isDepthwise() || s.isPointwise() {
		return 0
	}
	return s.C / s.Groups * s.KH * s.KW * s.OutH() * s.OutW()
}

// Conv2D convolves one NCHW image: dst (M x OutH x OutW) = act(W * src + bias),
// weight M x C/Groups x KH x KW (ONNX layout), bias M values or nil.
// Depthwise (any window and padding, stride 1 or 2, no dilation) runs
// DepthwiseConv2D, 1x1 stride 1
// is a GEMM on the input as is, anything else is im2col into work (length
// ConvWorkSize) then GEMM; bias and activation are applied in one pass.
// It panics on an invalid shape or short slices (programmer errors).
func Conv2D(dst, src, weight, bias []float32, s ConvShape, a Activation, work []float32) {
	if err := s.Validate(); err != nil {
		panic(err)
	}
	checkConv(dst, src, weight, bias, s)
	if s.isDepthwise() {
		DepthwiseConv2D(dst, src, weight, bias, s, a)
		return
	}
	if len(work) < ConvWorkSize(s) {
		panic(fmt.Sprintf("kernels: Conv2D len(work)=%d < ConvWorkSize %d", len(work), ConvWorkSize(s)))
	}
	cg, mg := s.C/s.Groups, s.M/s.Groups
	n := s.OutH() * s.OutW()
	k := cg * s.KH * s.KW
	for g := 0; g < s.Groups; g++ {
		in := src[g*cg*s.H*s.W : (g+1)*cg*s.H*s.W]
		b := in
		if !s.isPointwise() {
			gs := s
			gs.C = cg
			b = work[:k*n]
			Im2col(b, in, gs)
		}
		gemm.Sgemm(false, false, mg, n, k, 1, weight[g*mg*k:(g+1)*mg*k], k, b, n, 0, dst[g*mg*n:(g+1)*mg*n], n)
	}
	biasActParallel(dst, s.M, n, bias, a)
}

func checkConv(dst, src, weight, bias []float32, s ConvShape) {
	switch {
	case len(src) < s.C*s.H*s.W:
		panic(fmt.Sprintf("kernels: conv len(src)=%d < %d", len(src), s.C*s.H*s.W))
	case len(dst) < s.M*s.OutH()*s.OutW():
		panic(fmt.Sprintf("kernels: conv len(dst)=%d < %d", len(dst), s.M*s.OutH()*s.OutW()))
	case len(weight) < s.M*s.C/s.Groups*s.KH*s.KW:
		panic(fmt.Sprintf("kernels: conv len(weight)=%d < %d", len(weight), s.M*s.C/s.Groups*s.KH*s.KW))
	case bias != nil && len(bias) < s.M:
		panic(fmt.Sprintf("kernels: conv len(bias)=%d < %d", len(bias), s.M))
	}
}

// Conv2DRef is the reference of Conv2D: the direct loop.
func Conv2DRef(dst, src, weight, bias []float32, s ConvShape, a Activation) {
	if err := s.Validate(); err != nil {
		panic(err)
	}
	checkConv(dst, src, weight, bias, s)
	oh, ow := s.OutH(), s.OutW()
	cg, mg := s.C/s.Groups, s.M/s.Groups
	for m := 0; m < s.M; m++ {
		g := m / mg
		for y := 0; y < oh; y++ {
			for x := 0; x < ow; x++ {
				var sum float32
				for c := 0; c < cg; c++ {
					for ky := 0; ky < s.KH; ky++ {
						for kx := 0; kx < s.KW; kx++ {
							iy := y*s.StrideH - s.PadT + ky*s.DilH
							ix := x*s.StrideW - s.PadL + kx*s.DilW
							if iy < 0 || iy >= s.H || ix < 0 || ix >= s.W {
								continue
							}
							sum += weight[((m*cg+c)*s.KH+ky)*s.KW+kx] * src[((g*cg+c)*s.H+iy)*s.W+ix]
						}
					}
				}
				if bias != nil {
					sum += bias[m]
				}
				dst[(m*oh+y)*ow+x] = ActRef(a, sum)
			}
		}
	}
}

// Im2col lays out the receptive fields of one image (s.C channels; Groups
// is ignored) as the K x N matrix of a convolution GEMM, K = C*KH*KW,
// N = OutH*OutW: dst[(c*KH*KW+ky*KW+kx)*N + y*OutW + x] =
// src[c][y*StrideH-PadT+ky*DilH][x*StrideW-PadL+kx*DilW], 0 outside.
func Im2col(dst, src []float32, s ConvShape) {
	oh, ow := s.OutH(), s.OutW()
	n := oh * ow
	if len(dst) < s.C*s.KH*s.KW*n || len(src) < s.C*s.H*s.W {
		panic(fmt.Sprintf("kernels: Im2col len(dst)=%d len(src)=%d too short for %+v", len(dst), len(src), s))
	}
	rows := s.C * s.KH * s.KW
	parts := min(gemm.Threads(), rows)
	if rows*n < minParallelElems {
		parts = 1
	}
	if parts <= 1 {
		im2colRows(dst, src, s, 0, rows)
		return
	}
	t := getSplit()
	t.kind, t.dst, t.src, t.shape, t.total, t.parts = splitIm2col, dst, src, s, rows, parts
	parallel.Default.Run(parts, t)
	putSplit(t)
}

// im2colRows fills rows [r0, r1) of the Im2col matrix (row = (c*KH+ky)*KW+kx).
func im2colRows(dst, src []float32, s ConvShape, r0, r1 int) {
	oh, ow := s.OutH(), s.OutW()
	n := oh * ow
	ev := current()
	for r := r0; r < r1; r++ {
		c, ky, kx := r/(s.KH*s.KW), r/s.KW%s.KH, r%s.KW
		plane := src[c*s.H*s.W : (c+1)*s.H*s.W]
		row := dst[r*n : (r+1)*n : (r+1)*n]
		off := kx*s.DilW - s.PadL
		// output columns x with 0 <= x*StrideW+off < W
		x0 := 0
		if off < 0 {
			x0 = (-off + s.StrideW - 1) / s.StrideW
		}
		x1 := 0
		if s.W-off > 0 {
			x1 = min(ow, (s.W-off+s.StrideW-1)/s.StrideW)
		}
		x0 = min(x0, ow)
		x1 = max(x1, x0)
		if s.StrideW == 1 && s.StrideH == 1 && ow == s.W {
			// Output row y reads input row y-PadT+ky*DilH shifted by off: over
			// the valid rows that is one contiguous run of the plane, copied
			// at once; the few columns that fall outside the row are zeroed
			// after (a short map would otherwise cost a copy call per row).
			ya := min(oh, max(0, s.PadT-ky*s.DilH))
			yb := min(oh, s.H+s.PadT-ky*s.DilH)
			clear(row[:ya*ow])
			if yb > ya {
				clear(row[yb*ow:])
				base := (ya-s.PadT+ky*s.DilH)*s.W + off // plane index of row[ya*ow]
				lo, hi := ya*ow, yb*ow
				if base < 0 {
					lo -= base
					base = 0
				}
				if extra := base + (hi - lo) - len(plane); extra > 0 {
					hi -= extra
				}
				copy(row[lo:hi], plane[base:])
				for y := ya; y < yb; y++ {
					clear(row[y*ow : y*ow+x0])
					clear(row[y*ow+x1 : (y+1)*ow])
				}
			} else {
				clear(row)
			}
			continue
		}
		for y := 0; y < oh; y++ {
			out := row[y*ow : (y+1)*ow]
			iy := y*s.StrideH - s.PadT + ky*s.DilH
			if iy < 0 || iy >= s.H {
				clear(out)
				continue
			}
			in := plane[iy*s.W : (iy+1)*s.W]
			clear(out[:x0])
			clear(out[x1:])
			if s.StrideW == 1 {
				copy(out[x0:x1], in[x0+off:x1+off])
				continue
			}
			x := x0
			if s.StrideW == 2 {
				// Vector gathers of the even elements; each reads
				// 2*cnt elements, which must stay inside the plane.
				cnt := (x1 - x0) / ev.lanes * ev.lanes
				if start := iy*s.W + x0*2 + off; cnt > 0 && start+2*cnt <= len(plane) {
					ev.evens(&out[x0], &plane[start], cnt)
					x += cnt
				}
			}
			for ; x < x1; x++ {
				out[x] = in[x*s.StrideW+off]
			}
		}
	}
}

// Im2colRef is the reference of Im2col.
func Im2colRef(dst, src []float32, s ConvShape) {
	oh, ow := s.OutH(), s.OutW()
	n := oh * ow
	for c := 0; c < s.C; c++ {
		for ky := 0; ky < s.KH; ky++ {
			for kx := 0; kx < s.KW; kx++ {
				for y := 0; y < oh; y++ {
					for x := 0; x < ow; x++ {
						iy := y*s.StrideH - s.PadT + ky*s.DilH
						ix := x*s.StrideW - s.PadL + kx*s.DilW
						var v float32
						if iy >= 0 && iy < s.H && ix >= 0 && ix < s.W {
							v = src[(c*s.H+iy)*s.W+ix]
						}
						dst[((c*s.KH+ky)*s.KW+kx)*n+y*ow+x] = v
					}
				}
			}
		}
	}
}
