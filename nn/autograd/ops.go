package autograd

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/avstack/avstack/nn"
	"github.com/avstack/avstack/nn/cpu"
)

func accumulate(dst *nn.Tensor, src []float32) {
	d := dst.Data()
	for k, v := range src {
		d[k] += v
	}
}

// Act applies an element-wise activation (Relu, Sigmoid, Clip...).
func (tp *Tape) Act(x *Var, act nn.Activation) *Var {
	y := nn.New(x.Shape()...)
	tp.be.Activate(y, x.Value, act)
	v := tp.out(y, x)
	tp.record(v, func() {
		if !x.needs {
			return
		}
		gx, g := grad(x).Data(), v.Grad.Data()
		xd, yd := x.Value.Data(), y.Data()
		for k := range gx {
			gx[k] += g[k] * cpu.Derivative(act, xd[k], yd[k])
		}
	})
	return v
}

// Relu is max(x, 0).
func (tp *Tape) Relu(x *Var) *Var { return tp.Act(x, nn.Activation{Kind: nn.ActRelu}) }

// LeakyRelu is x for x > 0 else alpha*x.
func (tp *Tape) LeakyRelu(x *Var, alpha float32) *Var {
	return tp.Act(x, nn.Activation{Kind: nn.ActLeakyRelu, Alpha: alpha})
}

// Sigmoid is 1/(1+exp(-x)).
func (tp *Tape) Sigmoid(x *Var) *Var { return tp.Act(x, nn.Activation{Kind: nn.ActSigmoid}) }

// Tanh is tanh(x).
func (tp *Tape) Tanh(x *Var) *Var { return tp.Act(x, nn.Activation{Kind: nn.ActTanh}) }

// SiLU is x*sigmoid(x).
func (tp *Tape) SiLU(x *Var) *Var { return tp.Act(x, nn.Activation{Kind: nn.ActSiLU}) }

// HardSigmoid is max(0, min(1, alpha*x+beta)).
func (tp *Tape) HardSigmoid(x *Var, alpha, beta float32) *Var {
	return tp.Act(x, nn.Activation{Kind: nn.ActHardSigmoid, Alpha: alpha, Beta: beta})
}

// HardSwish is x*max(0, min(1, x/6+0.5)).
func (tp *Tape) HardSwish(x *Var) *Var { return tp.Act(x, nn.Activation{Kind: nn.ActHardSwish}) }

// Exp is e^x.
func (tp *Tape) Exp(x *Var) *Var { return tp.Act(x, nn.Activation{Kind: nn.ActExp}) }

// Clip limits x to [lo, hi].
func (tp *Tape) Clip(x *Var, lo, hi float32) *Var {
	return tp.Act(x, nn.Activation{Kind: nn.ActClip, Alpha: lo, Beta: hi})
}

func (tp *Tape) binary(a, b *Var, op nn.BinaryOp) *Var {
	shp, err := nn.BroadcastShape(nil, a.Shape(), b.Shape())
	if err != nil {
		panic("autograd: " + err.Error())
	}
	y := nn.New(shp...)
	tp.be.Binary(y, a.Value, b.Value, op)
	v := tp.out(y, a, b)
	tp.record(v, func() {
		g := v.Grad.Data()
		ad, bd, yd := a.Value.Data(), b.Value.Data(), y.Data()
		var ga, gb []float32
		if a.needs {
			ga = grad(a).Data()
		}
		if b.needs {
			gb = grad(b).Data()
		}
		nn.ForBroadcast(shp, a.Shape(), b.Shape(), func(k, i, j int) {
			var da, db float32
			switch op {
			case nn.OpAdd:
				da, db = 1, 1
			case nn.OpSub:
				da, db = 1, -1
			case nn.OpMul:
				da, db = bd[j], ad[i]
			case nn.OpDiv:
				da, db = 1/bd[j], -yd[k]/bd[j]
			case nn.OpMax:
				if ad[i] >= bd[j] {
					da = 1
				} else {
					db = 1
				}
			case nn.OpMin:
				if ad[i] <= bd[j] {
					da = 1
				} else {
					db = 1
				}
			default:
				panic("autograd: no gradient for binary op")
			}
			if ga != nil {
				ga[i] += g[k] * da
			}
			if gb != nil {
				gb[j] += g[k] * db
			}
		})
	})
	return v
}

// Add is a+b with broadcasting.
func (tp *Tape) Add(a, b *Var) *Var { return tp.binary(a, b, nn.OpAdd) }

// Sub is a-b with broadcasting.
func (tp *Tape) Sub(a, b *Var) *Var { return tp.binary(a, b, nn.OpSub) }

// Mul is a*b with broadcasting.
func (tp *Tape) Mul(a, b *Var) *Var { return tp.binary(a, b, nn.OpMul) }

// Div is a/b with broadcasting.
func (tp *Tape) Div(a, b *Var) *Var { return tp.binary(a, b, nn.OpDiv) }

// Max is the element-wise maximum with broadcasting (ties go to a).
func (tp *Tape) Max(a, b *Var) *Var { return tp.binary(a, b, nn.OpMax) }

// Min is the element-wise minimum with broadcasting (ties go to a).
func (tp *Tape) Min(a, b *Var) *Var { return tp.binary(a, b, nn.OpMin) }

// Scale multiplies by a constant.
func (tp *Tape) Scale(x *Var, s float32) *Var {
	return tp.Mul(x, Const(nn.FromSlice([]float32{s})))
}

// MatMul multiplies 2-d a [m,k] by b [k,n].
func (tp *Tape) MatMul(a, b *Var) *Var {
	as, bs := a.Shape(), b.Shape()
	if len(as) != 2 || len(bs) != 2 || as[1] != bs[0] {
		panic(fmt.Sprintf("autograd: MatMul %v x %v", as, bs))
	}
	m, k, n := as[0], as[1], bs[1]
	y := nn.New(m, n)
	tp.be.Gemm(y, a.Value, b.Value, nil, false, false, 1, 0, nn.Activation{})
	v := tp.out(y, a, b)
	tp.record(v, func() {
		if a.needs { // da += g b^T
			ga := grad(a)
			gemmAcc(ga, v.Grad, b.Value, false, true, m, k, n)
		}
		if b.needs { // db += a^T g
			gb := grad(b)
			gemmAcc(gb, a.Value, v.Grad, true, false, k, n, m)
		}
	})
	return v
}

// gemmAcc computes dst += op(a) op(b) with dst [m, n] and inner size k.
func gemmAcc(dst, a, b *nn.Tensor, ta, tb bool, m, n, k int) {
	tmp := nn.New(m, n)
	// The backend Gemm has beta; using a temporary keeps to its contract
	// (c broadcast) without aliasing dst.
	(&cpu.Backend{}).Gemm(tmp, a, b, nil, ta, tb, 1, 0, nn.Activation{})
	accumulate(dst, tmp.Data())
}

// Linear is x w^T + b for x [n, in], w [out, in], b [out] (b may be nil).
func (tp *Tape) Linear(x, w, b *Var) *Var {
	xs, ws := x.Shape(), w.Shape()
	if len(xs) != 2 || len(ws) != 2 || xs[1] != ws[1] {
		panic(fmt.Sprintf("autograd: Linear %v with weight %v", xs, ws))
	}
	n, in, out := xs[0], xs[1], ws[0]
	y := nn.New(n, out)
	var bt *nn.Tensor
	if b != nil {
		bt = b.Value
	}
	tp.be.Gemm(y, x.Value, w.Value, bt, false, true, 1, 1, nn.Activation{})
	v := tp.out(y, x, w, b)
	tp.record(v, func() {
		if x.needs { // dx += g w
			gemmAcc(grad(x), v.Grad, w.Value, false, false, n, in, out)
		}
		if w.needs { // dw += g^T x
			gemmAcc(grad(w), v.Grad, x.Value, true, false, out, in, n)
		}
		if b != nil && b.needs {
			gb, g := grad(b).Data(), v.Grad.Data()
			for i := 0; i < n; i++ {
				for j := 0; j < out; j++ {
					gb[j] += g[i*out+j]
				}
			}
		}
	})
	return v
}

// Conv is an N-d convolution (x [N,C,...], w [M,C/group,k...], b [M] or nil).
func (tp *Tape) Conv(x, w, b *Var, p nn.ConvParams) *Var {
	xs, ws := x.Shape(), w.Shape()
	r := len(xs) - 2
	p = fillConv(p, r)
	shp := []int{xs[0], ws[0]}
	for k := 0; k < r; k++ {
		shp = append(shp, nn.ConvOutSize(xs[2+k], ws[2+k], p.Strides[k], p.Dilations[k], p.Pads[k], p.Pads[r+k]))
	}
	y := nn.New(shp...)
	var bt *nn.Tensor
	if b != nil {
		bt = b.Value
	}
	tp.be.Conv(y, x.Value, w.Value, bt, p, nn.Activation{})
	v := tp.out(y, x, w, b)
	tp.record(v, func() {
		var dx, dw, db *nn.Tensor
		if x.needs {
			dx = grad(x)
		}
		if w.needs {
			dw = grad(w)
		}
		if b != nil && b.needs {
			db = grad(b)
		}
		tp.be.ConvBackward(dx, dw, db, v.Grad, x.Value, w.Value, p)
	})
	return v
}

func fillConv(p nn.ConvParams, r int) nn.ConvParams {
	if len(p.Strides) == 0 {
		p.Strides = ones(r)
	}
	if len(p.Dilations) == 0 {
		p.Dilations = ones(r)
	}
	if len(p.Pads) == 0 {
		p.Pads = make([]int, 2*r)
	}
	if p.Group == 0 {
		p.Group = 1
	}
	return p
}

func ones(n int) []int {
	s := make([]int, n)
	for k := range s {
		s[k] = 1
	}
	return s
}

// ConvTranspose is the transposed convolution (x [N,C,...], w [C,M/group,k...]).
// outPad is added to the end of each spatial axis (output_padding).
func (tp *Tape) ConvTranspose(x, w, b *Var, p nn.ConvParams, outPad []int) *Var {
	xs, ws := x.Shape(), w.Shape()
	r := len(xs) - 2
	p = fillConv(p, r)
	shp := []int{xs[0], ws[1] * p.Group}
	for k := 0; k < r; k++ {
		op := 0
		if k < len(outPad) {
			op = outPad[k]
		}
		shp = append(shp, p.Strides[k]*(xs[2+k]-1)+op+(ws[2+k]-1)*p.Dilations[k]+1-p.Pads[k]-p.Pads[r+k])
	}
	y := nn.New(shp...)
	var bt *nn.Tensor
	if b != nil {
		bt = b.Value
	}
	tp.be.ConvTranspose(y, x.Value, w.Value, bt, p)
	v := tp.out(y, x, w, b)
	tp.record(v, func() {
		// convT is the adjoint of conv in its input: dx = conv(dy, w).
		if x.needs {
			dx := nn.New(xs...)
			tp.be.Conv(dx, v.Grad, w.Value, nil, p, nn.Activation{})
			accumulate(grad(x), dx.Data())
		}
		if w.needs {
			tp.be.ConvBackward(nil, grad(w), nil, x.Value, v.Grad, w.Value, p)
		}
		if b != nil && b.needs {
			gb, g := grad(b).Data(), v.Grad.Data()
			inner := y.Len() / (shp[0] * shp[1])
			for n := 0; n < shp[0]; n++ {
				for c := 0; c < shp[1]; c++ {
					for _, q := range g[(n*shp[1]+c)*inner : (n*shp[1]+c+1)*inner] {
						gb[c] += q
					}
				}
			}
		}
	})
	return v
}

// Pool is max or average pooling.
func (tp *Tape) Pool(x *Var, p nn.PoolParams, isMax bool) *Var {
	xs := x.Shape()
	r := len(xs) - 2
	if len(p.Strides) == 0 {
		p.Strides = ones(r)
	}
	if len(p.Dilations) == 0 {
		p.Dilations = ones(r)
	}
	if len(p.Pads) == 0 {
		p.Pads = make([]int, 2*r)
	}
	shp := []int{xs[0], xs[1]}
	for k := 0; k < r; k++ {
		shp = append(shp, nn.PoolOutSize(xs[2+k], p.Kernel[k], p.Strides[k], p.Dilations[k], p.Pads[k], p.Pads[r+k], false))
	}
	y := nn.New(shp...)
	if isMax {
		tp.be.MaxPool(y, x.Value, p)
	} else {
		tp.be.AvgPool(y, x.Value, p)
	}
	v := tp.out(y, x)
	tp.record(v, func() {
		if isMax {
			tp.be.MaxPoolBackward(grad(x), v.Grad, x.Value, p)
		} else {
			tp.be.AvgPoolBackward(grad(x), v.Grad, p)
		}
	})
	return v
}

// MaxPool2d is max pooling with a square kernel and stride.
func (tp *Tape) MaxPool2d(x *Var, k, stride int) *Var {
	return tp.Pool(x, nn.PoolParams{Kernel: []int{k, k}, Strides: []int{stride, stride}}, true)
}

// GlobalAvgPool averages each channel to one value ([N,C,1,1...]).
func (tp *Tape) GlobalAvgPool(x *Var) *Var {
	xs := x.Shape()
	shp := []int{xs[0], xs[1]}
	for range xs[2:] {
		shp = append(shp, 1)
	}
	y := nn.New(shp...)
	tp.be.GlobalAvgPool(y, x.Value)
	v := tp.out(y, x)
	tp.record(v, func() {
		sp := x.Value.Len() / y.Len()
		gx, g := grad(x).Data(), v.Grad.Data()
		for c, q := range g {
			q /= float32(sp)
			for j := c * sp; j < (c+1)*sp; j++ {
				gx[j] += q
			}
		}
	})
	return v
}

// Softmax (or LogSoftmax when log) along axis.
func (tp *Tape) Softmax(x *Var, axis int, log bool) *Var {
	xs := x.Shape()
	if axis < 0 {
		axis += len(xs)
	}
	y := nn.New(xs...)
	tp.be.Softmax(y, x.Value, axis, log)
	v := tp.out(y, x)
	tp.record(v, func() {
		outer, n, inner := nn.Numel(xs[:axis]), xs[axis], nn.Numel(xs[axis+1:])
		gx, g, yd := grad(x).Data(), v.Grad.Data(), y.Data()
		for o := 0; o < outer; o++ {
			for i := 0; i < inner; i++ {
				base := o*n*inner + i
				var s float32
				for j := 0; j < n; j++ {
					q := base + j*inner
					if log {
						s += g[q]
					} else {
						s += g[q] * yd[q]
					}
				}
				for j := 0; j < n; j++ {
					q := base + j*inner
					if log {
						gx[q] += g[q] - float32(math.Exp(float64(yd[q])))*s
					} else {
						gx[q] += yd[q] * (g[q] - s)
					}
				}
			}
		}
	})
	return v
}

// BatchNorm normalises over axis 1. In training mode it uses the batch
// statistics and updates runMean/runVar (momentum as in ONNX:
// run = run*momentum + batch*(1-momentum)); in evaluation it uses them.
func (tp *Tape) BatchNorm(x, gamma, beta *Var, runMean, runVar *nn.Tensor, momentum, eps float32) *Var {
	xs := x.Shape()
	c := xs[1]
	inner := x.Value.Len() / (xs[0] * c)
	cnt := xs[0] * inner
	y := nn.New(xs...)
	if !tp.train {
		tp.be.BatchNorm(y, x.Value, gamma.Value, beta.Value, runMean, runVar, eps)
	}
	mean := make([]float32, c)
	istd := make([]float32, c)
	xd := x.Value.Data()
	if tp.train {
		for ch := 0; ch < c; ch++ {
			var s, s2 float64
			for n := 0; n < xs[0]; n++ {
				for _, q := range xd[(n*c+ch)*inner : (n*c+ch+1)*inner] {
					s += float64(q)
					s2 += float64(q) * float64(q)
				}
			}
			m := s / float64(cnt)
			vr := s2/float64(cnt) - m*m
			mean[ch] = float32(m)
			istd[ch] = float32(1 / math.Sqrt(vr+float64(eps)))
			runMean.Data()[ch] = runMean.Data()[ch]*momentum + float32(m)*(1-momentum)
			unbiased := vr
			if cnt > 1 {
				unbiased = vr * float64(cnt) / float64(cnt-1)
			}
			runVar.Data()[ch] = runVar.Data()[ch]*momentum + float32(unbiased)*(1-momentum)
		}
		mv, vv := nn.FromSlice(mean, c), nn.New(c)
		for ch := range istd {
			vv.Data()[ch] = 1/(istd[ch]*istd[ch]) - eps
		}
		tp.be.BatchNorm(y, x.Value, gamma.Value, beta.Value, mv, vv, eps)
	} else {
		copy(mean, runMean.Data())
		for ch := 0; ch < c; ch++ {
			istd[ch] = float32(1 / math.Sqrt(float64(runVar.Data()[ch]+eps)))
		}
	}
	train := tp.train
	v := tp.out(y, x, gamma, beta)
	tp.record(v, func() {
		g := v.Grad.Data()
		gam := gamma.Value.Data()
		for ch := 0; ch < c; ch++ {
			var sg, sgx float64
			for n := 0; n < xs[0]; n++ {
				for j := (n*c + ch) * inner; j < (n*c+ch+1)*inner; j++ {
					xh := float64((xd[j] - mean[ch]) * istd[ch])
					sg += float64(g[j])
					sgx += float64(g[j]) * xh
				}
			}
			if gamma.needs {
				grad(gamma).Data()[ch] += float32(sgx)
			}
			if beta.needs {
				grad(beta).Data()[ch] += float32(sg)
			}
			if !x.needs {
				continue
			}
			gx := grad(x).Data()
			for n := 0; n < xs[0]; n++ {
				for j := (n*c + ch) * inner; j < (n*c+ch+1)*inner; j++ {
					if !train {
						gx[j] += g[j] * gam[ch] * istd[ch]
						continue
					}
					xh := float64((xd[j] - mean[ch]) * istd[ch])
					d := (float64(g[j]) - sg/float64(cnt) - xh*sgx/float64(cnt)) * float64(gam[ch]*istd[ch])
					gx[j] += float32(d)
				}
			}
		}
	})
	return v
}

// Reshape returns x with a new shape (one -1 allowed).
func (tp *Tape) Reshape(x *Var, shape ...int) *Var {
	y := x.Value.Reshape(shape...).Clone()
	v := tp.out(y, x)
	tp.record(v, func() { accumulate(grad(x), v.Grad.Data()) })
	return v
}

// Flatten reshapes to [prod(shape[:axis]), prod(shape[axis:])].
func (tp *Tape) Flatten(x *Var, axis int) *Var {
	s := x.Shape()
	return tp.Reshape(x, nn.Numel(s[:axis]), nn.Numel(s[axis:]))
}

// Transpose permutes the axes.
func (tp *Tape) Transpose(x *Var, perm ...int) *Var {
	y := x.Value.Transpose(perm...).Clone()
	v := tp.out(y, x)
	tp.record(v, func() {
		inv := make([]int, len(perm))
		for k, p := range perm {
			inv[p] = k
		}
		g := v.Grad.Transpose(inv...).Clone()
		accumulate(grad(x), g.Data())
	})
	return v
}

// Slice takes [start, end) of axis.
func (tp *Tape) Slice(x *Var, axis, start, end int) *Var {
	xs := x.Shape()
	if axis < 0 {
		axis += len(xs)
	}
	y := x.Value.Slice(axis, start, end).Clone()
	v := tp.out(y, x)
	tp.record(v, func() {
		outer, n, inner := nn.Numel(xs[:axis]), xs[axis], nn.Numel(xs[axis+1:])
		w := end - start
		gx, g := grad(x).Data(), v.Grad.Data()
		for o := 0; o < outer; o++ {
			dst := gx[(o*n+start)*inner : (o*n+end)*inner]
			for j, q := range g[o*w*inner : (o+1)*w*inner] {
				dst[j] += q
			}
		}
	})
	return v
}

// Split cuts axis into parts of the given sizes.
func (tp *Tape) Split(x *Var, axis int, sizes ...int) []*Var {
	var vs []*Var
	off := 0
	for _, s := range sizes {
		vs = append(vs, tp.Slice(x, axis, off, off+s))
		off += s
	}
	return vs
}

// Concat joins along axis.
func (tp *Tape) Concat(axis int, xs ...*Var) *Var {
	s0 := xs[0].Shape()
	if axis < 0 {
		axis += len(s0)
	}
	shp := append([]int(nil), s0...)
	shp[axis] = 0
	ts := make([]*nn.Tensor, len(xs))
	for k, x := range xs {
		shp[axis] += x.Shape()[axis]
		ts[k] = x.Value
	}
	y := nn.New(shp...)
	tp.be.Concat(y, ts, axis)
	v := tp.out(y, xs...)
	tp.record(v, func() {
		outer, inner := nn.Numel(shp[:axis]), nn.Numel(shp[axis+1:])
		row := shp[axis] * inner
		g := v.Grad.Data()
		off := 0
		for _, x := range xs {
			w := x.Shape()[axis] * inner
			if x.needs {
				gx := grad(x).Data()
				for o := 0; o < outer; o++ {
					for j := 0; j < w; j++ {
						gx[o*w+j] += g[o*row+off+j]
					}
				}
			}
			off += w
		}
	})
	return v
}

// Pad pads with a constant; pads is [begin..., end...] over all axes.
func (tp *Tape) Pad(x *Var, pads []int, value float32) *Var {
	xs := x.Shape()
	r := len(xs)
	shp := make([]int, r)
	for k := range xs {
		shp[k] = xs[k] + pads[k] + pads[r+k]
	}
	y := nn.New(shp...)
	tp.be.Pad(y, x.Value, pads, nn.PadConstant, value)
	v := tp.out(y, x)
	tp.record(v, func() {
		// the gradient of a pad is the matching crop
		crop := make([]int, 2*r)
		for k := range pads {
			crop[k] = -pads[k]
		}
		g := nn.New(xs...)
		tp.be.Pad(g, v.Grad, crop, nn.PadConstant, 0)
		accumulate(grad(x), g.Data())
	})
	return v
}

// Upsample2d resizes [N,C,H,W] by integer factors: nearest, or bilinear
// (half-pixel centres, edge clamped: ONNX Resize linear half_pixel).
func (tp *Tape) Upsample2d(x *Var, fh, fw int, bilinear bool) *Var {
	xs := x.Shape()
	shp := []int{xs[0], xs[1], xs[2] * fh, xs[3] * fw}
	p := nn.ResizeParams{Mode: nn.ResizeNearest, Coord: "asymmetric", Nearest: "floor", Scales: []float32{1, 1, float32(fh), float32(fw)}}
	if bilinear {
		p.Mode, p.Coord = nn.ResizeLinear, "half_pixel"
	}
	y := nn.New(shp...)
	tp.be.Resize(y, x.Value, p)
	v := tp.out(y, x)
	tp.record(v, func() {
		taps := func(in, f int) [][2]float64 { // per output: lo index, weight of lo (hi = lo+1)
			t := make([][2]float64, in*f)
			for o := range t {
				if !bilinear {
					t[o] = [2]float64{float64(o / f), 1}
					continue
				}
				c := (float64(o)+0.5)/float64(f) - 0.5
				lo := math.Floor(c)
				t[o] = [2]float64{lo, 1 - (c - lo)}
			}
			return t
		}
		th, tw := taps(xs[2], fh), taps(xs[3], fw)
		H, W := xs[2], xs[3]
		clampi := func(i, n int) int { return max(0, min(i, n-1)) }
		gx, g := grad(x).Data(), v.Grad.Data()
		for c := 0; c < xs[0]*xs[1]; c++ {
			for oh := 0; oh < shp[2]; oh++ {
				for ow := 0; ow < shp[3]; ow++ {
					q := g[(c*shp[2]+oh)*shp[3]+ow]
					h0, wh := int(th[oh][0]), float32(th[oh][1])
					w0, ww := int(tw[ow][0]), float32(tw[ow][1])
					if !bilinear {
						gx[(c*H+h0)*W+w0] += q
						continue
					}
					for _, a := range [2]struct {
						i int
						w float32
					}{{h0, wh}, {h0 + 1, 1 - wh}} {
						for _, b := range [2]struct {
							i int
							w float32
						}{{w0, ww}, {w0 + 1, 1 - ww}} {
							gx[(c*H+clampi(a.i, H))*W+clampi(b.i, W)] += q * a.w * b.w
						}
					}
				}
			}
		}
	})
	return v
}

// Dropout zeroes elements with probability p in training mode (scaling the
// rest by 1/(1-p)); in evaluation it is the identity.
func (tp *Tape) Dropout(x *Var, p float32, rng *rand.Rand) *Var {
	if !tp.train || p == 0 {
		return x
	}
	mask := make([]float32, x.Value.Len())
	for k := range mask {
		if rng.Float32() >= p {
			mask[k] = 1 / (1 - p)
		}
	}
	return tp.Mul(x, Const(nn.FromSlice(mask, x.Shape()...)))
}

// Sum adds every element into a scalar.
func (tp *Tape) Sum(x *Var) *Var {
	var s float64
	for _, q := range x.Value.Data() {
		s += float64(q)
	}
	v := tp.out(nn.FromSlice([]float32{float32(s)}), x)
	tp.record(v, func() {
		g := v.Grad.Data()[0]
		gx := grad(x).Data()
		for k := range gx {
			gx[k] += g
		}
	})
	return v
}

// Mean averages every element into a scalar.
func (tp *Tape) Mean(x *Var) *Var {
	return tp.Scale(tp.Sum(x), 1/float32(x.Value.Len()))
}
