package cpu

import (
	"github.com/avstack/avstack/nn"
	"github.com/avstack/avstack/nn/kernels"
)

// Fast is the CPU backend with the fast kernels of nn/kernels wired in:
// 2-d convolution (depthwise 3x3, 1x1 GEMM, im2col+GEMM with a fused bias
// and activation epilogue), 2-d max and average pooling, nearest upsampling
// by integer factors and bilinear resizing, and the common activations.
// Every other op and every case those kernels do not cover (other ranks,
// dilated pooling, ceil-mode sizes, other activations) runs the reference
// Backend it embeds. Tests hold Fast to Backend on the same tables.
type Fast struct {
	Backend
	work     []float32
	xi0, xi1 []int
	xf       []float32
	bands    convBands
	soft     softmaxInner
	softBuf  []float32
	bandBuf  []float32
}

// NewFast returns the fast CPU backend.
func NewFast() *Fast { return &Fast{} }

var _ nn.Backend = (*Fast)(nil)

// Name returns "cpu-fast".
func (*Fast) Name() string { return "cpu-fast" }

// kernelAct maps an activation to the kernels package, if it has it.
func kernelAct(a nn.Activation) (kernels.Activation, bool) {
	switch a.Kind {
	case nn.ActNone:
		return kernels.Activation{Kind: kernels.ActNone}, true
	case nn.ActRelu:
		return kernels.Activation{Kind: kernels.ActReLU}, true
	case nn.ActLeakyRelu:
		return kernels.Activation{Kind: kernels.ActLeaky, Alpha: a.Alpha}, true
	case nn.ActSigmoid:
		return kernels.Activation{Kind: kernels.ActSigmoid}, true
	case nn.ActSiLU:
		return kernels.Activation{Kind: kernels.ActSiLU}, true
	case nn.ActTanh:
		return kernels.Activation{Kind: kernels.ActTanh}, true
	case nn.ActClip:
		return kernels.Activation{Kind: kernels.ActClip, Min: a.Alpha, Max: a.Beta}, true
	case nn.ActHardSwish:
		return kernels.Activation{Kind: kernels.ActHardSwish}, true
	}
	return kernels.Activation{}, false
}

// Conv runs kernels.Conv2D for 2-d convolutions, else the reference.
func (f *Fast) Conv(dst, x, w, b *nn.Tensor, p nn.ConvParams, act nn.Activation) {
	xs, ws, ys := x.Shape(), w.Shape(), dst.Shape()
	ka, ok := kernelAct(act)
	if len(xs) != 4 || !ok || len(p.Pads) != 4 || len(p.Strides) != 2 || len(p.Dilations) != 2 {
		f.Backend.Conv(dst, x, w, b, p, act)
		return
	}
	for _, v := range p.Pads {
		if v < 0 {
			f.Backend.Conv(dst, x, w, b, p, act)
			return
		}
	}
	g := p.Group
	if g <= 0 {
		g = 1
	}
	s := kernels.ConvShape{C: xs[1], H: xs[2], W: xs[3], M: ws[0], KH: ws[2], KW: ws[3],
		StrideH: p.Strides[0], StrideW: p.Strides[1], DilH: p.Dilations[0], DilW: p.Dilations[1],
		PadT: p.Pads[0], PadL: p.Pads[1], PadB: p.Pads[2], PadR: p.Pads[3], Groups: g}
	if s.Validate() != nil || s.OutH() != ys[2] || s.OutW() != ys[3] {
		f.Backend.Conv(dst, x, w, b, p, act)
		return
	}
	var bias []float32
	if b != nil {
		bias = b.Data()
	}
	xd, yd, wd := x.Data(), dst.Data(), w.Data()
	in, out := s.C*s.H*s.W, s.M*ys[2]*ys[3]
	if banded(s) {
		for n := 0; n < xs[0]; n++ {
			f.convBanded(yd[n*out:(n+1)*out], xd[n*in:(n+1)*in], wd, bias, s, ka)
		}
		return
	}
	if n := kernels.ConvWorkSize(s); cap(f.work) < n {
		f.work = make([]float32, n)
	}
	for n := 0; n < xs[0]; n++ {
		kernels.Conv2D(yd[n*out:(n+1)*out], xd[n*in:(n+1)*in], wd, bias, s, ka, f.work[:cap(f.work)])
	}
}

// poolShape maps 2-d pooling onto the kernels, if they cover it.
func poolShape(x, dst *nn.Tensor, p nn.PoolParams) (kernels.PoolShape, bool) {
	xs, ys := x.Shape(), dst.Shape()
	if len(xs) != 4 || len(p.Kernel) != 2 || len(p.Pads) != 4 || len(p.Strides) != 2 {
		return kernels.PoolShape{}, false
	}
	for _, d := range p.Dilations {
		if d != 1 {
			return kernels.PoolShape{}, false
		}
	}
	ps := kernels.PoolShape{KH: p.Kernel[0], KW: p.Kernel[1], StrideH: p.Strides[0], StrideW: p.Strides[1],
		PadT: p.Pads[0], PadL: p.Pads[1], PadB: p.Pads[2], PadR: p.Pads[3], CountIncludePad: p.CountIncludePad}
	if ps.PadT < 0 || ps.PadL < 0 || ps.PadB < 0 || ps.PadR < 0 || ps.PadT >= ps.KH || ps.PadB >= ps.KH || ps.PadL >= ps.KW || ps.PadR >= ps.KW || ps.StrideH < 1 || ps.StrideW < 1 {
		return ps, false
	}
	oh, ow := ps.PoolOut(xs[2], xs[3])
	return ps, oh == ys[2] && ow == ys[3]
}

// MaxPool runs kernels.MaxPool2D where it applies.
func (f *Fast) MaxPool(dst, x *nn.Tensor, p nn.PoolParams) {
	ps, ok := poolShape(x, dst, p)
	if !ok {
		f.Backend.MaxPool(dst, x, p)
		return
	}
	xs := x.Shape()
	kernels.MaxPool2D(dst.Data(), x.Data(), xs[0]*xs[1], xs[2], xs[3], ps)
}

// AvgPool runs kernels.AvgPool2D where it applies.
func (f *Fast) AvgPool(dst, x *nn.Tensor, p nn.PoolParams) {
	ps, ok := poolShape(x, dst, p)
	if !ok {
		f.Backend.AvgPool(dst, x, p)
		return
	}
	xs := x.Shape()
	kernels.AvgPool2D(dst.Data(), x.Data(), xs[0]*xs[1], xs[2], xs[3], ps)
}

// Resize runs the kernels for nearest upsampling by integer factors
// (asymmetric coordinates, floor) and bilinear resizing (half_pixel or
// align_corners, upsampling to exact sizes), else the reference.
func (f *Fast) Resize(dst, x *nn.Tensor, p nn.ResizeParams) {
	xs, ys := x.Shape(), dst.Shape()
	if len(xs) != 4 || xs[0] != ys[0] || xs[1] != ys[1] || p.Antialias || p.Roi != nil || len(p.Scales) != 4 || p.Scales[0] != 1 || p.Scales[1] != 1 {
		f.Backend.Resize(dst, x, p)
		return
	}
	c := xs[0] * xs[1]
	exact := float32(ys[2]) == p.Scales[2]*float32(xs[2]) && float32(ys[3]) == p.Scales[3]*float32(xs[3])
	switch {
	case p.Mode == nn.ResizeNearest && p.Coord == "asymmetric" && p.Nearest == "floor" && exact &&
		ys[2]%xs[2] == 0 && ys[3]%xs[3] == 0 && float32(ys[2]/xs[2]) == p.Scales[2] && float32(ys[3]/xs[3]) == p.Scales[3]:
		kernels.UpsampleNearest(dst.Data(), x.Data(), c, xs[2], xs[3], ys[2]/xs[2], ys[3]/xs[3])
	case p.Mode == nn.ResizeLinear && (p.Coord == "half_pixel" || p.Coord == "align_corners") && exact && xs[2] > 1 && xs[3] > 1 && ys[2] >= xs[2] && ys[3] >= xs[3]:
		ow := ys[3]
		if cap(f.xi0) < ow {
			f.xi0, f.xi1, f.xf = make([]int, ow), make([]int, ow), make([]float32, ow)
		}
		kernels.UpsampleBilinear(dst.Data(), x.Data(), c, xs[2], xs[3], ys[2], ys[3], p.Coord == "align_corners", f.xi0[:ow], f.xi1[:ow], f.xf[:ow])
	default:
		f.Backend.Resize(dst, x, p)
	}
}

// Activate runs kernels.Activate for the activations it has.
func (f *Fast) Activate(dst, x *nn.Tensor, act nn.Activation) {
	ka, ok := kernelAct(act)
	if !ok {
		f.Backend.Activate(dst, x, act)
		return
	}
	xd, dd := x.Data(), dst.Data()
	if len(dd) == 0 {
		return
	}
	kernels.ActivateTo(dd, xd, ka)
}
