package kernels

import (
	"fmt"
	"math"
)

var negInf = float32(math.Inf(-1))

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
	if stride != 1 && stride != 2 {
		panic(fmt.Sprintf("kernels: DepthwiseConv3x3 stride %d, want 1 or 2", stride))
	}
	DepthwiseConv2D(dst, src, weight, bias, ConvShape{C: c, H: h, W: w, M: c, KH: 3, KW: 3,
		StrideH: stride, StrideW: stride, DilH: 1, DilW: 1, PadT: 1, PadL: 1, PadB: 1, PadR: 1, Groups: c}, a)
}

// isDepthwise reports whether DepthwiseConv2D takes s: one filter per
// channel, no dilation, equal strides of 1 or 2.
func (s ConvShape) isDepthwise() bool {
	return s.Groups == s.C && s.M == s.C && s.DilH == 1 && s.DilW == 1 &&
		s.StrideH == s.StrideW && (s.StrideH == 1 || s.StrideH == 2)
}

// DepthwiseConv2D is a depthwise KHxKW convolution of one NCHW image (any
// window and padding; stride 1 or 2, equal in both axes; no dilation) with
// bias and activation fused; weight is C*KH*KW (ONNX [C,1,KH,KW]). Windows
// of up to nine taps take one pass of the plane kernel, larger ones (5x5:
// three) accumulate. It panics when s is not such a convolution.
func DepthwiseConv2D(dst, src, weight, bias []float32, s ConvShape, a Activation) {
	if err := s.Validate(); err != nil {
		panic(err)
	}
	if !s.isDepthwise() {
		panic(fmt.Sprintf("kernels: DepthwiseConv2D needs Groups == C == M, no dilation, stride 1 or 2: %+v", s))
	}
	checkConv(dst, src, weight, bias, s)
	t := getPlaneTask()
	p := current()
	oh, ow := s.OutH(), s.OutW()
	n := (ow + p.lanes - 1) / p.lanes * p.lanes
	// Straight into dst when one pass suffices and a row holds a vector:
	// the ragged row end is then recomputed, which only an accumulating
	// pass could not tolerate.
	five := s.KH == 5 && s.KW == 5 && s.StrideH == 1 // one dw5Plane call
	t.direct = (s.KH*s.KW <= 9 || five) && ow >= p.lanes
	if t.direct {
		n = ow
	}
	t.src3 = s.KH == 3 && s.KW == 3 && s.StrideH == 1 && s.PadT == 1 && s.PadL == 1 && s.PadB == 1 && s.PadR == 1 &&
		s.W >= p.lanes+2 && s.H >= 3
	t.op, t.dst, t.src, t.weight, t.bias, t.c, t.act, t.p = opConv, dst, src, weight, bias, s.C, a, p
	// stride-2 3x3 reads an unsplit plane where the path has that kernel
	flat := s.KH == 3 && s.KW == 3 && s.StrideH == 2 && p.dwS2Plane3 != nil
	t.geom = newGeom(s.H, s.W, oh, ow, s.KH, s.KW, s.StrideH, s.PadT, s.PadL, n, flat)
	t.run()
}

// DepthwiseConv3x3Ref is the reference of DepthwiseConv3x3: the direct
// loop with bounds tests, summing bias then taps in (dy, dx) order.
func DepthwiseConv3x3Ref(dst, src, weight, bias []float32, c, h, w, stride int, a Activation) {
	oh, ow := DepthwiseOut(h, stride), DepthwiseOut(w, stride)
	if len(dst) < c*oh*ow || len(src) < c*h*w || len(weight) < 9*c || (bias != nil && len(bias) < c) {
		panic("kernels: DepthwiseConv3x3Ref: short slice")
	}
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
