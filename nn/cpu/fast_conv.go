package cpu

import (
	"github.com/avstack/avstack/nn"
	"github.com/avstack/avstack/nn/gemm"
	"github.com/avstack/avstack/nn/kernels"
	"github.com/avstack/avstack/nn/parallel"
)

// bandFloats is the size of the im2col block of one band of output rows
// (128 KiB): small enough to stay in L2 between Im2col and the GEMM.
const bandFloats = 32 << 10

// banded reports whether a convolution goes the banded way: a dense
// (one group) convolution that needs an im2col matrix larger than a band.
func banded(s kernels.ConvShape) bool {
	if s.Groups != 1 || (s.KH == 1 && s.KW == 1 && s.StrideH == 1 && s.StrideW == 1 &&
		s.PadT == 0 && s.PadL == 0 && s.PadB == 0 && s.PadR == 0) {
		return false
	}
	k := s.C * s.KH * s.KW
	return k*s.OutH()*s.OutW() > 2*bandFloats && bandRows(s) < s.OutH()
}

// bandRows is the number of output rows per band.
func bandRows(s kernels.ConvShape) int {
	return max(1, bandFloats/(s.C*s.KH*s.KW*s.OutW()))
}

// bandInput is the number of input rows one band of r output rows reads.
func bandInput(s kernels.ConvShape, r int) int { return (r-1)*s.StrideH + (s.KH-1)*s.DilH + 1 }

// bandWork is the scratch one band worker needs: its input rows and its
// im2col block.
func bandWork(s kernels.ConvShape) int {
	r := bandRows(s)
	return s.C*min(s.H, bandInput(s, r))*s.W + s.C*s.KH*s.KW*r*s.OutW()
}

// convBands computes a dense convolution of one image band by band: for
// output rows [y0, y1) it copies the input rows they read into a small
// image, lays out its im2col block (kernels.Im2col with the band's own top
// and bottom padding) and multiplies it into the band's columns of dst
// (gemm.Sgemm with ldc = OutH*OutW), then applies bias and activation to
// the band while it is in cache. Bands are spread over gemm.Threads()
// workers, each with its own part of work (bandWork floats each).
type convBands struct {
	dst, src, weight, bias []float32
	s                      kernels.ConvShape
	a                      kernels.Activation
	work                   []float32
	rows, bands, parts     int
}

func (t *convBands) Run(part int) {
	s := t.s
	per := bandWork(s)
	w := t.work[part*per : (part+1)*per]
	oh, ow := s.OutH(), s.OutW()
	n := oh * ow
	k := s.C * s.KH * s.KW
	for b := part; b < t.bands; b += t.parts {
		y0 := b * t.rows
		y1 := min(oh, y0+t.rows)
		in0 := y0*s.StrideH - s.PadT
		in1 := in0 + bandInput(s, y1-y0)
		h0, h1 := max(0, in0), min(s.H, in1)
		bs := s
		bs.H, bs.PadT, bs.PadB = h1-h0, h0-in0, in1-h1
		bn := (y1 - y0) * ow
		img, col := w[:s.C*bs.H*s.W], w[s.C*bs.H*s.W:]
		col = col[:k*bn]
		if bs.H > 0 {
			for c := 0; c < s.C; c++ {
				copy(img[c*bs.H*s.W:(c+1)*bs.H*s.W], t.src[(c*s.H+h0)*s.W:(c*s.H+h1)*s.W])
			}
			kernels.Im2col(col, img, bs)
		} else {
			clear(col) // the band reads only padding
		}
		gemm.Sgemm(false, false, s.M, bn, k, 1, t.weight, k, col, bn, 0, t.dst[y0*ow:], n)
		for m := 0; m < s.M; m++ {
			var bias []float32
			if t.bias != nil {
				bias = t.bias[m : m+1]
			}
			kernels.BiasAct(t.dst[m*n+y0*ow:m*n+y1*ow], 1, bn, bias, t.a)
		}
	}
}

// convBanded runs convBands for one image over the shared worker pool.
func (f *Fast) convBanded(dst, src, weight, bias []float32, s kernels.ConvShape, a kernels.Activation) {
	t := &f.bands
	t.rows = bandRows(s)
	t.bands = (s.OutH() + t.rows - 1) / t.rows
	t.parts = max(1, min(gemm.Threads(), t.bands))
	if need := t.parts * bandWork(s); cap(f.bandBuf) < need {
		f.bandBuf = make([]float32, need)
	}
	t.dst, t.src, t.weight, t.bias, t.s, t.a, t.work = dst, src, weight, bias, s, a, f.bandBuf[:cap(f.bandBuf)]
	if t.parts == 1 {
		t.Run(0)
	} else {
		parallel.Default.Run(t.parts, t)
	}
	t.dst, t.src, t.weight, t.bias, t.work = nil, nil, nil, nil, nil
}

// ConvAdd computes act(conv(x) + b + r) for pointwise convolutions (1x1,
// stride 1, no padding, one group) as one GEMM per image accumulating
// onto r (beta 1), then bias and activation in one pass; dst may be r's
// buffer. It reports false, doing nothing, for any other convolution or
// activation, which the caller then runs as Conv, Add and activation.
func (f *Fast) ConvAdd(dst, x, w, b, r *nn.Tensor, p nn.ConvParams, act nn.Activation) bool {
	xs, ws := x.Shape(), w.Shape()
	ka, ok := kernelAct(act)
	if !ok || len(xs) != 4 || len(ws) != 4 || ws[2] != 1 || ws[3] != 1 || ws[1] != xs[1] || p.Group > 1 ||
		len(p.Strides) != 2 || p.Strides[0] != 1 || p.Strides[1] != 1 || len(p.Pads) != 4 ||
		!nn.SameShape(dst.Shape(), r.Shape()) || dst.Shape()[2] != xs[2] || dst.Shape()[3] != xs[3] {
		return false
	}
	for _, v := range p.Pads {
		if v != 0 {
			return false
		}
	}
	m, c, n := ws[0], xs[1], xs[2]*xs[3]
	var bias []float32
	if b != nil {
		bias = b.Data()
	}
	xd, yd, rd, wd := x.Data(), dst.Data(), r.Data(), w.Data()
	if len(yd) > 0 && &yd[0] != &rd[0] {
		copy(yd, rd)
	}
	for i := 0; i < xs[0]; i++ {
		y := yd[i*m*n : (i+1)*m*n]
		gemm.Sgemm(false, false, m, n, c, 1, wd, c, xd[i*c*n:(i+1)*c*n], n, 1, y, n)
		kernels.BiasAct(y, m, n, bias, ka)
	}
	return true
}
