package kernels

import (
	"fmt"
	"math"
)

// UpsampleNearest enlarges one NCHW image by integer factors:
// dst[c][y][x] = src[c][y/sy][x/sx], dst is c x h*sy x w*sx.
func UpsampleNearest(dst, src []float32, c, h, w, sy, sx int) {
	if sy < 1 || sx < 1 || len(src) < c*h*w || len(dst) < c*h*sy*w*sx {
		panic(fmt.Sprintf("kernels: UpsampleNearest factors %dx%d, len(src)=%d len(dst)=%d for c=%d %dx%d", sy, sx, len(src), len(dst), c, h, w))
	}
	ow := w * sx
	for ch := 0; ch < c; ch++ {
		in := src[ch*h*w : (ch+1)*h*w]
		out := dst[ch*h*sy*ow : (ch+1)*h*sy*ow]
		for y := 0; y < h; y++ {
			first := out[y*sy*ow : (y*sy+1)*ow]
			r := in[y*w : (y+1)*w]
			if sx == 2 {
				for x, v := range r {
					first[2*x], first[2*x+1] = v, v
				}
			} else {
				for x, v := range r {
					for k := 0; k < sx; k++ {
						first[x*sx+k] = v
					}
				}
			}
			for k := 1; k < sy; k++ {
				copy(out[(y*sy+k)*ow:(y*sy+k+1)*ow], first)
			}
		}
	}
}

// UpsampleNearestRef is the reference of UpsampleNearest.
func UpsampleNearestRef(dst, src []float32, c, h, w, sy, sx int) {
	oh, ow := h*sy, w*sx
	for ch := 0; ch < c; ch++ {
		for y := 0; y < oh; y++ {
			for x := 0; x < ow; x++ {
				dst[(ch*oh+y)*ow+x] = src[(ch*h+y/sy)*w+x/sx]
			}
		}
	}
}

// bilinearCoord maps output coordinate o to the two source indices and the
// weight of the second: ONNX Resize coordinate_transformation_mode
// half_pixel (alignCorners false) or align_corners.
func bilinearCoord(o, in, out int, alignCorners bool) (i0, i1 int, f float32) {
	var s float64
	if alignCorners {
		if out > 1 {
			s = float64(o) * float64(in-1) / float64(out-1)
		}
	} else {
		s = (float64(o)+0.5)*float64(in)/float64(out) - 0.5
		s = math.Max(s, 0)
	}
	i0 = int(s)
	i0 = min(i0, in-1)
	i1 = min(i0+1, in-1)
	return i0, i1, float32(s - float64(i0))
}

// UpsampleBilinear resizes one NCHW image from h x w to oh x ow by bilinear
// interpolation (ONNX Resize mode linear; coordinates half_pixel, or
// align_corners when alignCorners). Interpolation weights are computed once
// per row and column.
func UpsampleBilinear(dst, src []float32, c, h, w, oh, ow int, alignCorners bool, xi0, xi1 []int, xf []float32) {
	if h < 1 || w < 1 || oh < 1 || ow < 1 || len(src) < c*h*w || len(dst) < c*oh*ow {
		panic(fmt.Sprintf("kernels: UpsampleBilinear %dx%d -> %dx%d, len(src)=%d len(dst)=%d, c=%d", h, w, oh, ow, len(src), len(dst), c))
	}
	if len(xi0) < ow || len(xi1) < ow || len(xf) < ow {
		panic(fmt.Sprintf("kernels: UpsampleBilinear column tables need %d entries", ow))
	}
	for x := 0; x < ow; x++ {
		xi0[x], xi1[x], xf[x] = bilinearCoord(x, w, ow, alignCorners)
	}
	for ch := 0; ch < c; ch++ {
		in := src[ch*h*w : (ch+1)*h*w]
		out := dst[ch*oh*ow : (ch+1)*oh*ow]
		for y := 0; y < oh; y++ {
			y0, y1, fy := bilinearCoord(y, h, oh, alignCorners)
			r0, r1 := in[y0*w:(y0+1)*w], in[y1*w:(y1+1)*w]
			o := out[y*ow : (y+1)*ow]
			for x := range o {
				a, b := xi0[x], xi1[x]
				top := r0[a] + xf[x]*(r0[b]-r0[a])
				bot := r1[a] + xf[x]*(r1[b]-r1[a])
				o[x] = top + fy*(bot-top)
			}
		}
	}
}

// UpsampleBilinearRef is the reference of UpsampleBilinear, in float64.
func UpsampleBilinearRef(dst, src []float32, c, h, w, oh, ow int, alignCorners bool) {
	for ch := 0; ch < c; ch++ {
		for y := 0; y < oh; y++ {
			y0, y1, fy := bilinearCoord(y, h, oh, alignCorners)
			for x := 0; x < ow; x++ {
				x0, x1, fx := bilinearCoord(x, w, ow, alignCorners)
				at := func(yy, xx int) float64 { return float64(src[(ch*h+yy)*w+xx]) }
				v := (1-float64(fy))*((1-float64(fx))*at(y0, x0)+float64(fx)*at(y0, x1)) +
					float64(fy)*((1-float64(fx))*at(y1, x0)+float64(fx)*at(y1, x1))
				dst[(ch*oh+y)*ow+x] = float32(v)
			}
		}
	}
}
