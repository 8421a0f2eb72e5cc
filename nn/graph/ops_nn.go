package graph

import (
	"fmt"
	"math"

	"github.com/avstack/avstack/nn"
)

// autoPads computes begin/end pads of one axis for auto_pad SAME_UPPER/LOWER.
func autoPads(mode string, in, k, s, d int) (int, int) {
	out := (in + s - 1) / s
	total := (out-1)*s + (k-1)*d + 1 - in
	if total < 0 {
		total = 0
	}
	if mode == "SAME_LOWER" {
		return total - total/2, total / 2
	}
	return total / 2, total - total/2
}

func fill1(dst []int, n, v int) []int {
	dst = dst[:0]
	for k := 0; k < n; k++ {
		dst = append(dst, v)
	}
	return dst
}

// ConvOp is an ONNX Conv with an optional fused activation.
type ConvOp struct {
	Strides, Dilations, Pads []int
	Group                    int
	AutoPad                  string
	Act                      nn.Activation
	p                        nn.ConvParams
	shp                      []int
	scStrides, scDilations   []int
	tmp                      *nn.Tensor // the convolution before a fused residual Add
}

// residualConv is a backend that computes act(conv(x) + b + r) in one go
// for the cases it reports true for (cpu.Fast: pointwise convolutions as
// one GEMM accumulating onto r). dst may be r's buffer.
type residualConv interface {
	ConvAdd(dst, x, w, b, r *nn.Tensor, p nn.ConvParams, act nn.Activation) bool
}

func (o *ConvOp) Run(be nn.Backend, in, out []*nn.Tensor) error {
	x, w := in[0], in[1]
	var b *nn.Tensor
	if len(in) > 2 {
		b = in[2]
	}
	xs, ws := x.Shape(), w.Shape()
	if len(xs) < 3 || len(ws) != len(xs) {
		return fmt.Errorf("input %v and weight %v ranks differ or are below 3", xs, ws)
	}
	g := o.Group
	if g <= 0 {
		g = 1
	}
	if xs[1] != ws[1]*g || ws[0]%g != 0 {
		return fmt.Errorf("input channels %d, weight %v and group %d disagree", xs[1], ws, g)
	}
	if b != nil && b.Len() != ws[0] {
		return fmt.Errorf("bias has %d values for %d output channels", b.Len(), ws[0])
	}
	r := len(xs) - 2
	o.p.Group = g
	o.p.Strides = o.Strides
	if len(o.p.Strides) == 0 {
		o.scStrides = fill1(o.scStrides, r, 1)
		o.p.Strides = o.scStrides
	}
	o.p.Dilations = o.Dilations
	if len(o.p.Dilations) == 0 {
		o.scDilations = fill1(o.scDilations, r, 1)
		o.p.Dilations = o.scDilations
	}
	if o.AutoPad == "SAME_UPPER" || o.AutoPad == "SAME_LOWER" {
		o.p.Pads = fill1(o.p.Pads, 2*r, 0)
		for k := 0; k < r; k++ {
			o.p.Pads[k], o.p.Pads[r+k] = autoPads(o.AutoPad, xs[2+k], ws[2+k], o.p.Strides[k], o.p.Dilations[k])
		}
	} else {
		o.p.Pads = fill1(o.p.Pads, 2*r, 0)
		if len(o.Pads) == 2*r && o.AutoPad != "VALID" {
			copy(o.p.Pads, o.Pads)
		}
	}
	o.shp = append(o.shp[:0], xs[0], ws[0])
	for k := 0; k < r; k++ {
		v := nn.ConvOutSize(xs[2+k], ws[2+k], o.p.Strides[k], o.p.Dilations[k], o.p.Pads[k], o.p.Pads[r+k])
		if v <= 0 {
			return fmt.Errorf("output size %d on spatial axis %d (input %v, kernel %v)", v, k, xs, ws)
		}
		o.shp = append(o.shp, v)
	}
	out[0].SetDType(nn.Float32)
	if len(in) > 3 && in[3] != nil {
		return o.runResidual(be, x, w, b, in[3], out[0])
	}
	out[0].Resize(o.shp...)
	be.Conv(out[0], x, w, b, o.p, o.Act)
	return nil
}

// runResidual computes act(conv(x) + b + r) (input 3 is the residual of a
// fused Add; dst may share r's buffer).
func (o *ConvOp) runResidual(be nn.Backend, x, w, b, r, dst *nn.Tensor) error {
	if !nn.SameShape(r.Shape(), o.shp) || r.DType() != nn.Float32 {
		return fmt.Errorf("residual %v does not match the output %v", r.Shape(), o.shp)
	}
	dst.Resize(o.shp...)
	if rc, ok := be.(residualConv); ok && rc.ConvAdd(dst, x, w, b, r, o.p, o.Act) {
		return nil
	}
	if o.tmp == nil {
		o.tmp = nn.New()
	}
	o.tmp.Resize(o.shp...)
	be.Conv(o.tmp, x, w, b, o.p, nn.Activation{})
	be.Binary(dst, o.tmp, r, nn.OpAdd)
	if o.Act.Kind != nn.ActNone {
		be.Activate(dst, dst, o.Act)
	}
	return nil
}

// ConvTransposeOp is an ONNX ConvTranspose.
type ConvTransposeOp struct {
	Strides, Dilations, Pads, OutputPadding, OutputShape []int
	Group                                                int
	AutoPad                                              string
	p                                                    nn.ConvParams
	shp                                                  []int
	scStrides, scDilations                               []int
}

func (o *ConvTransposeOp) Run(be nn.Backend, in, out []*nn.Tensor) error {
	x, w := in[0], in[1]
	var b *nn.Tensor
	if len(in) > 2 {
		b = in[2]
	}
	xs, ws := x.Shape(), w.Shape()
	if len(xs) < 3 || len(ws) != len(xs) {
		return fmt.Errorf("input %v and weight %v ranks differ or are below 3", xs, ws)
	}
	g := o.Group
	if g <= 0 {
		g = 1
	}
	if xs[1] != ws[0] {
		return fmt.Errorf("input channels %d but weight %v", xs[1], ws)
	}
	r := len(xs) - 2
	m := ws[1] * g
	o.p.Group = g
	o.p.Strides = o.Strides
	if len(o.p.Strides) == 0 {
		o.scStrides = fill1(o.scStrides, r, 1)
		o.p.Strides = o.scStrides
	}
	o.p.Dilations = o.Dilations
	if len(o.p.Dilations) == 0 {
		o.scDilations = fill1(o.scDilations, r, 1)
		o.p.Dilations = o.scDilations
	}
	o.p.Pads = fill1(o.p.Pads, 2*r, 0)
	if len(o.Pads) == 2*r {
		copy(o.p.Pads, o.Pads)
	}
	o.shp = append(o.shp[:0], xs[0], m)
	for k := 0; k < r; k++ {
		s, d, kk := o.p.Strides[k], o.p.Dilations[k], ws[2+k]
		op := 0
		if len(o.OutputPadding) == r {
			op = o.OutputPadding[k]
		}
		full := s*(xs[2+k]-1) + op + (kk-1)*d + 1
		var size int
		switch {
		case len(o.OutputShape) >= r:
			size = o.OutputShape[len(o.OutputShape)-r+k]
			total := full - size
			if o.AutoPad == "SAME_UPPER" {
				o.p.Pads[k], o.p.Pads[r+k] = floorDiv2(total), total-floorDiv2(total)
			} else {
				o.p.Pads[k], o.p.Pads[r+k] = total-floorDiv2(total), floorDiv2(total)
			}
		case o.AutoPad == "SAME_UPPER" || o.AutoPad == "SAME_LOWER":
			size = xs[2+k] * s
			total := full - size
			if o.AutoPad == "SAME_UPPER" {
				o.p.Pads[k], o.p.Pads[r+k] = total/2, total-total/2
			} else {
				o.p.Pads[k], o.p.Pads[r+k] = total-total/2, total/2
			}
		default:
			size = full - o.p.Pads[k] - o.p.Pads[r+k]
		}
		if size <= 0 {
			return fmt.Errorf("output size %d on spatial axis %d", size, k)
		}
		o.shp = append(o.shp, size)
	}
	out[0].SetDType(nn.Float32)
	out[0].Resize(o.shp...)
	be.ConvTranspose(out[0], x, w, b, o.p)
	return nil
}

// GemmOp is an ONNX Gemm with an optional fused activation.
type GemmOp struct {
	TransA, TransB bool
	Alpha, Beta    float32
	Act            nn.Activation
	bs             []int
}

func (o *GemmOp) Run(be nn.Backend, in, out []*nn.Tensor) error {
	a, b := in[0], in[1]
	var c *nn.Tensor
	if len(in) > 2 {
		c = in[2]
	}
	as, bsh := a.Shape(), b.Shape()
	if len(as) != 2 || len(bsh) != 2 {
		return fmt.Errorf("A %v and B %v must be 2-d", as, bsh)
	}
	m, k := as[0], as[1]
	if o.TransA {
		m, k = k, m
	}
	k2, n := bsh[0], bsh[1]
	if o.TransB {
		k2, n = n, k2
	}
	if k != k2 {
		return fmt.Errorf("A %v and B %v inner sizes differ (transA=%v transB=%v)", as, bsh, o.TransA, o.TransB)
	}
	out[0].SetDType(nn.Float32)
	out[0].Resize(m, n)
	if c != nil {
		var err error
		o.bs, err = nn.BroadcastShape(o.bs, c.Shape(), out[0].Shape())
		if err != nil || len(o.bs) != 2 || o.bs[0] != m || o.bs[1] != n {
			return fmt.Errorf("C %v does not broadcast to [%d %d]", c.Shape(), m, n)
		}
	}
	be.Gemm(out[0], a, b, c, o.TransA, o.TransB, o.Alpha, o.Beta, o.Act)
	return nil
}

// MatMulOp is an ONNX MatMul (NumPy matmul semantics).
type MatMulOp struct {
	av, bv nn.Tensor
	shp    []int
	as, bs []int
}

func (o *MatMulOp) Run(be nn.Backend, in, out []*nn.Tensor) error {
	a, b := in[0], in[1]
	o.as = append(o.as[:0], a.Shape()...)
	o.bs = append(o.bs[:0], b.Shape()...)
	a1, b1 := len(o.as) == 1, len(o.bs) == 1
	if a1 {
		o.as = append(o.as[:0], 1, a.Shape()[0])
	}
	if b1 {
		o.bs = append(o.bs, 1)
	}
	if o.as[len(o.as)-1] != o.bs[len(o.bs)-2] {
		return fmt.Errorf("shapes %v and %v do not multiply", a.Shape(), b.Shape())
	}
	var err error
	o.shp, err = nn.BroadcastShape(o.shp, o.as[:len(o.as)-2], o.bs[:len(o.bs)-2])
	if err != nil {
		return err
	}
	m, n := o.as[len(o.as)-2], o.bs[len(o.bs)-1]
	o.shp = append(o.shp, m, n)
	out[0].SetDType(nn.Float32)
	out[0].Resize(o.shp...)
	o.av.Wrap(a.Data(), o.as...)
	o.bv.Wrap(b.Data(), o.bs...)
	be.MatMul(out[0], &o.av, &o.bv)
	if a1 || b1 {
		out[0].Resize(squeezeMat(o.shp, a1, b1)...)
	}
	return nil
}

func squeezeMat(s []int, a1, b1 bool) []int {
	r := len(s)
	res := append([]int(nil), s[:r-2]...)
	if !a1 {
		res = append(res, s[r-2])
	}
	if !b1 {
		res = append(res, s[r-1])
	}
	return res
}

// BatchNormOp is an ONNX BatchNormalization; in training mode it
// normalises with the batch statistics and also outputs the running ones.
type BatchNormOp struct {
	Eps, Momentum float32
	Training      bool
}

func (o *BatchNormOp) Run(be nn.Backend, in, out []*nn.Tensor) error {
	x := in[0]
	xs := x.Shape()
	c := 1
	if len(xs) > 1 {
		c = xs[1]
	}
	for k := 1; k <= 4; k++ {
		if in[k] == nil || in[k].Len() != c {
			return fmt.Errorf("parameter %d must have %d values", k, c)
		}
	}
	out[0].SetDType(nn.Float32)
	out[0].Resize(xs...)
	if !o.Training {
		be.BatchNorm(out[0], x, in[1], in[2], in[3], in[4], o.Eps)
		return nil
	}
	inner := x.Len() / (xs[0] * c)
	xd := x.Data()
	mean := nn.New(c)
	vr := nn.New(c)
	cnt := float64(xs[0] * inner)
	for ch := 0; ch < c; ch++ {
		var s, s2 float64
		for n := 0; n < xs[0]; n++ {
			for _, v := range xd[(n*c+ch)*inner : (n*c+ch+1)*inner] {
				s += float64(v)
				s2 += float64(v) * float64(v)
			}
		}
		m := s / cnt
		mean.Data()[ch] = float32(m)
		vr.Data()[ch] = float32(s2/cnt - m*m)
	}
	be.BatchNorm(out[0], x, in[1], in[2], mean, vr, o.Eps)
	if len(out) > 1 && out[1] != nil {
		out[1].SetDType(nn.Float32)
		out[1].Resize(c)
		for ch := 0; ch < c; ch++ {
			out[1].Data()[ch] = in[3].Data()[ch]*o.Momentum + mean.Data()[ch]*(1-o.Momentum)
		}
	}
	if len(out) > 2 && out[2] != nil {
		out[2].SetDType(nn.Float32)
		out[2].Resize(c)
		for ch := 0; ch < c; ch++ {
			out[2].Data()[ch] = in[4].Data()[ch]*o.Momentum + vr.Data()[ch]*(1-o.Momentum)
		}
	}
	return nil
}

// ActOp is an element-wise activation or unary function.
type ActOp struct{ Act nn.Activation }

func (o *ActOp) Run(be nn.Backend, in, out []*nn.Tensor) error {
	x := in[0]
	if x.DType() != nn.Float32 {
		return fmt.Errorf("%s of %s tensor", o.Act.Kind, x.DType())
	}
	out[0].SetDType(nn.Float32)
	out[0].Resize(x.Shape()...)
	be.Activate(out[0], x, o.Act)
	return nil
}

// ClipOp is an ONNX Clip from opset 11, with min and max as optional inputs.
type ClipOp struct{}

func (o *ClipOp) Run(be nn.Backend, in, out []*nn.Tensor) error {
	a := nn.Activation{Kind: nn.ActClip, Alpha: float32(math.Inf(-1)), Beta: float32(math.Inf(1))}
	if len(in) > 1 && in[1] != nil {
		a.Alpha = float32(scalarAt(in[1], 0))
	}
	if len(in) > 2 && in[2] != nil {
		a.Beta = float32(scalarAt(in[2], 0))
	}
	x := in[0]
	if x.DType() != nn.Float32 {
		return fmt.Errorf("Clip of %s tensor", x.DType())
	}
	out[0].SetDType(nn.Float32)
	out[0].Resize(x.Shape()...)
	be.Activate(out[0], x, a)
	return nil
}

// SoftmaxOp is ONNX Softmax/LogSoftmax; Coerce2D selects the opset < 13
// meaning (flatten at axis, normalise over all trailing axes).
type SoftmaxOp struct {
	Axis     int
	Log      bool
	Coerce2D bool
	xv, yv   nn.Tensor
}

func (o *SoftmaxOp) Run(be nn.Backend, in, out []*nn.Tensor) error {
	x := in[0]
	xs := x.Shape()
	ax, err := normAxis(o.Axis, len(xs))
	if err != nil {
		return err
	}
	out[0].SetDType(nn.Float32)
	out[0].Resize(xs...)
	if o.Coerce2D {
		outer := nn.Numel(xs[:ax])
		o.xv.Wrap(x.Data(), outer, x.Len()/max(outer, 1))
		o.yv.Wrap(out[0].Data(), outer, x.Len()/max(outer, 1))
		be.Softmax(&o.yv, &o.xv, 1, o.Log)
		return nil
	}
	be.Softmax(out[0], x, ax, o.Log)
	return nil
}

// PoolOp is an ONNX MaxPool or AveragePool.
type PoolOp struct {
	Max                    bool
	Kernel, Strides, Pads  []int
	Dilations              []int
	AutoPad                string
	Ceil, CountIncludePad  bool
	ColumnMajorIndices     bool // MaxPool storage_order 1
	p                      nn.PoolParams
	shp                    []int
	scStrides, scDilations []int
}

func (o *PoolOp) Run(be nn.Backend, in, out []*nn.Tensor) error {
	x := in[0]
	xs := x.Shape()
	r := len(xs) - 2
	if r < 1 || r > 3 || len(o.Kernel) != r {
		return fmt.Errorf("kernel_shape %v for input %v", o.Kernel, xs)
	}
	o.p.Kernel = o.Kernel
	o.p.CountIncludePad = o.CountIncludePad
	o.p.Strides = o.Strides
	if len(o.p.Strides) == 0 {
		o.scStrides = fill1(o.scStrides, r, 1)
		o.p.Strides = o.scStrides
	}
	o.p.Dilations = o.Dilations
	if len(o.p.Dilations) == 0 {
		o.scDilations = fill1(o.scDilations, r, 1)
		o.p.Dilations = o.scDilations
	}
	o.p.Pads = fill1(o.p.Pads, 2*r, 0)
	o.shp = append(o.shp[:0], xs[0], xs[1])
	for k := 0; k < r; k++ {
		s, d, kk := o.p.Strides[k], o.p.Dilations[k], o.Kernel[k]
		var size int
		switch o.AutoPad {
		case "SAME_UPPER", "SAME_LOWER":
			o.p.Pads[k], o.p.Pads[r+k] = autoPads(o.AutoPad, xs[2+k], kk, s, d)
			size = (xs[2+k] + s - 1) / s
		case "VALID":
			size = (xs[2+k]-((kk-1)*d+1))/s + 1
			if o.Ceil {
				size = (xs[2+k]-((kk-1)*d+1)+s-1)/s + 1
			}
		default:
			if len(o.Pads) == 2*r {
				o.p.Pads[k], o.p.Pads[r+k] = o.Pads[k], o.Pads[r+k]
			}
			size = nn.PoolOutSize(xs[2+k], kk, s, d, o.p.Pads[k], o.p.Pads[r+k], o.Ceil)
		}
		if size <= 0 {
			return fmt.Errorf("output size %d on spatial axis %d", size, k)
		}
		o.shp = append(o.shp, size)
	}
	out[0].SetDType(nn.Float32)
	out[0].Resize(o.shp...)
	if o.Max {
		be.MaxPool(out[0], x, o.p)
		if len(out) > 1 && out[1] != nil {
			return o.indices(x, out[1])
		}
	} else {
		be.AvgPool(out[0], x, o.p)
	}
	return nil
}

// GlobalPoolOp is ONNX GlobalAveragePool (or GlobalMaxPool).
type GlobalPoolOp struct {
	Max bool
	shp []int
}

func (o *GlobalPoolOp) Run(be nn.Backend, in, out []*nn.Tensor) error {
	x := in[0]
	xs := x.Shape()
	if len(xs) < 3 {
		return fmt.Errorf("input %v has no spatial axes", xs)
	}
	o.shp = append(o.shp[:0], xs[0], xs[1])
	for range xs[2:] {
		o.shp = append(o.shp, 1)
	}
	out[0].SetDType(nn.Float32)
	out[0].Resize(o.shp...)
	if !o.Max {
		be.GlobalAvgPool(out[0], x)
		return nil
	}
	sp := nn.Numel(xs[2:])
	xd, yd := x.Data(), out[0].Data()
	for c := range yd {
		m := float32(math.Inf(-1))
		for _, v := range xd[c*sp : (c+1)*sp] {
			m = max(m, v)
		}
		yd[c] = m
	}
	return nil
}

// floorDiv2 is floor(v/2), also for negative v (Python's v // 2).
func floorDiv2(v int) int {
	if v < 0 {
		return -((-v + 1) / 2)
	}
	return v / 2
}

// indices fills the MaxPool Indices output: the flat NCHW index of each
// window's first maximum (2-d pooling only).
func (o *PoolOp) indices(x, idx *nn.Tensor) error {
	xs := x.Shape()
	if len(xs) != 4 {
		return fmt.Errorf("Indices output for %d-d pooling", len(xs)-2)
	}
	idx.SetDType(nn.Int64)
	idx.Resize(o.shp...)
	H, W := xs[2], xs[3]
	OH, OW := o.shp[2], o.shp[3]
	xd, id := x.Data(), idx.Int64s()
	q := 0
	for c := 0; c < xs[0]*xs[1]; c++ {
		for oh := 0; oh < OH; oh++ {
			for ow := 0; ow < OW; ow++ {
				best := float32(math.Inf(-1))
				arg := -1
				for kh := 0; kh < o.p.Kernel[0]; kh++ {
					h := oh*o.p.Strides[0] - o.p.Pads[0] + kh*o.p.Dilations[0]
					if h < 0 || h >= H {
						continue
					}
					for kw := 0; kw < o.p.Kernel[1]; kw++ {
						w := ow*o.p.Strides[1] - o.p.Pads[1] + kw*o.p.Dilations[1]
						if w < 0 || w >= W {
							continue
						}
						if v := xd[(c*H+h)*W+w]; v > best {
							best, arg = v, (c*H+h)*W+w
							if o.ColumnMajorIndices {
								arg = (c*W+w)*H + h
							}
						}
					}
				}
				id[q] = int64(arg)
				q++
			}
		}
	}
	return nil
}
