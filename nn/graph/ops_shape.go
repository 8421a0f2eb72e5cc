package graph

import (
	"fmt"
	"math"
	"sort"

	"github.com/avstack/avstack/nn"
)

// BinaryOp is element-wise Add/Sub/Mul/Div/Pow/Max/Min with broadcasting,
// for float32 and int64 tensors.
type BinaryOp struct {
	Op nn.BinaryOp
	// Legacy is the opset < 7 broadcast=1 form: b is aligned with a's axes
	// starting at LegacyAxis (or as a suffix when HasAxis is false).
	Legacy     bool
	LegacyAxis int
	HasAxis    bool
	shp        []int
}

func (o *BinaryOp) Run(be nn.Backend, in, out []*nn.Tensor) error {
	a, b := in[0], in[1]
	if o.Legacy {
		ra, rb := a.Rank(), b.Rank()
		ax := ra - rb
		if o.HasAxis {
			ax = o.LegacyAxis
			if ax < 0 {
				ax += ra
			}
		}
		if ax < 0 || ax+rb > ra {
			return fmt.Errorf("legacy broadcast of %v into %v at axis %d", b.Shape(), a.Shape(), ax)
		}
		s := make([]int, 0, ra)
		for k := 0; k < ax; k++ {
			s = append(s, 1)
		}
		s = append(s, b.Shape()...)
		for len(s) < ra {
			s = append(s, 1)
		}
		b = b.Reshape(s...)
	}
	var err error
	o.shp, err = nn.BroadcastShape(o.shp, a.Shape(), b.Shape())
	if err != nil {
		return err
	}
	if a.DType() != b.DType() {
		return fmt.Errorf("operands are %s and %s", a.DType(), b.DType())
	}
	like(out[0], a, o.shp)
	if a.DType() == nn.Float32 {
		be.Binary(out[0], a, b, o.Op)
		return nil
	}
	ad, bd, yd := a.Int64s(), b.Int64s(), out[0].Int64s()
	nn.ForBroadcast(o.shp, a.Shape(), b.Shape(), func(k, i, j int) {
		x, y := ad[i], bd[j]
		var v int64
		switch o.Op {
		case nn.OpAdd:
			v = x + y
		case nn.OpSub:
			v = x - y
		case nn.OpMul:
			v = x * y
		case nn.OpDiv:
			if y == 0 {
				err = fmt.Errorf("integer division by zero")
				return
			}
			v = x / y
		case nn.OpMax:
			v = max(x, y)
		case nn.OpMin:
			v = min(x, y)
		case nn.OpPow:
			v = int64(math.Pow(float64(x), float64(y)))
		}
		yd[k] = v
	})
	return err
}

// CompareOp is Equal/Less/Greater with broadcasting; output int64 0/1.
type CompareOp struct {
	Kind string
	shp  []int
}

func (o *CompareOp) Run(be nn.Backend, in, out []*nn.Tensor) error {
	a, b := in[0], in[1]
	var err error
	o.shp, err = nn.BroadcastShape(o.shp, a.Shape(), b.Shape())
	if err != nil {
		return err
	}
	out[0].SetDType(nn.Int64)
	out[0].Resize(o.shp...)
	yd := out[0].Int64s()
	nn.ForBroadcast(o.shp, a.Shape(), b.Shape(), func(k, i, j int) {
		x, y := scalarAt(a, i), scalarAt(b, j)
		var t bool
		switch o.Kind {
		case "Equal":
			t = x == y
		case "Less":
			t = x < y
		case "Greater":
			t = x > y
		}
		if t {
			yd[k] = 1
		} else {
			yd[k] = 0
		}
	})
	return nil
}

// NotOp is logical not on 0/1 int64 tensors.
type NotOp struct{}

func (NotOp) Run(be nn.Backend, in, out []*nn.Tensor) error {
	x := in[0]
	if x.DType() != nn.Int64 {
		return fmt.Errorf("Not of %s tensor", x.DType())
	}
	like(out[0], x, x.Shape())
	yd := out[0].Int64s()
	for k, v := range x.Int64s() {
		if v == 0 {
			yd[k] = 1
		} else {
			yd[k] = 0
		}
	}
	return nil
}

// WhereOp selects x where cond is non-zero, else y, with broadcasting.
type WhereOp struct{ s1, s2 []int }

func (o *WhereOp) Run(be nn.Backend, in, out []*nn.Tensor) error {
	c, x, y := in[0], in[1], in[2]
	var err error
	if o.s1, err = nn.BroadcastShape(o.s1, x.Shape(), y.Shape()); err != nil {
		return err
	}
	if o.s2, err = nn.BroadcastShape(o.s2, c.Shape(), o.s1); err != nil {
		return err
	}
	if x.DType() != y.DType() {
		return fmt.Errorf("branches are %s and %s", x.DType(), y.DType())
	}
	like(out[0], x, o.s2)
	n := nn.Numel(o.s2)
	ci := make([]int, n)
	nn.ForBroadcast(o.s2, c.Shape(), o.s2, func(k, i, _ int) { ci[k] = i })
	nn.ForBroadcast(o.s2, x.Shape(), y.Shape(), func(k, i, j int) {
		if scalarAt(c, ci[k]) != 0 {
			if x.DType() == nn.Int64 {
				out[0].Int64s()[k] = x.Int64s()[i]
			} else {
				out[0].Data()[k] = x.Data()[i]
			}
		} else {
			if x.DType() == nn.Int64 {
				out[0].Int64s()[k] = y.Int64s()[j]
			} else {
				out[0].Data()[k] = y.Data()[j]
			}
		}
	})
	return nil
}

// ConcatOp joins inputs along Axis.
type ConcatOp struct {
	Axis int
	shp  []int
	ds   []int
}

func (o *ConcatOp) Run(be nn.Backend, in, out []*nn.Tensor) error {
	var first *nn.Tensor
	for _, t := range in {
		if t != nil {
			first = t
			break
		}
	}
	if first == nil {
		return fmt.Errorf("no inputs")
	}
	r := first.Rank()
	ax, err := normAxis(o.Axis, r)
	if err != nil {
		return err
	}
	o.shp = append(o.shp[:0], first.Shape()...)
	o.shp[ax] = 0
	for _, t := range in {
		s := t.Shape()
		if len(s) != r || t.DType() != first.DType() {
			return fmt.Errorf("inputs %v and %v (%s, %s) do not concatenate", first.Shape(), s, first.DType(), t.DType())
		}
		for k := range s {
			if k != ax && s[k] != o.shp[k] {
				return fmt.Errorf("inputs %v and %v differ off axis %d", first.Shape(), s, ax)
			}
		}
		o.shp[ax] += s[ax]
	}
	like(out[0], first, o.shp)
	if first.DType() == nn.Float32 {
		be.Concat(out[0], in, ax)
		return nil
	}
	o.ds = stridesOf(o.ds, o.shp)
	off := 0
	for _, t := range in {
		copyView(out[0], off*o.ds[ax], o.ds, t, 0, t.Strides(), t.Shape())
		off += t.Shape()[ax]
	}
	return nil
}

// SplitOp splits along Axis into len(outputs) parts, with sizes from the
// attribute, the second input (opset 13), or equal parts.
type SplitOp struct {
	Axis  int
	Split []int
	sz    []int
	shp   []int
	ss    []int
}

func (o *SplitOp) Run(be nn.Backend, in, out []*nn.Tensor) error {
	x := in[0]
	xs := x.Shape()
	ax, err := normAxis(o.Axis, len(xs))
	if err != nil {
		return err
	}
	o.sz = o.sz[:0]
	switch {
	case len(in) > 1 && in[1] != nil:
		o.sz = readInts(o.sz, in[1])
	case len(o.Split) > 0:
		o.sz = append(o.sz, o.Split...)
	default:
		n := len(out)
		each := (xs[ax] + n - 1) / n
		left := xs[ax]
		for k := 0; k < n; k++ {
			v := min(each, left)
			o.sz = append(o.sz, v)
			left -= v
		}
	}
	if len(o.sz) != len(out) {
		return fmt.Errorf("%d split sizes for %d outputs", len(o.sz), len(out))
	}
	tot := 0
	for _, v := range o.sz {
		tot += v
	}
	if tot != xs[ax] {
		return fmt.Errorf("split sizes %v do not sum to axis size %d", o.sz, xs[ax])
	}
	o.ss = stridesOf(o.ss, xs)
	off := 0
	for k, t := range out {
		o.shp = append(o.shp[:0], xs...)
		o.shp[ax] = o.sz[k]
		like(t, x, o.shp)
		copyView(t, 0, t.Strides(), x, off*o.ss[ax], o.ss, o.shp)
		off += o.sz[k]
	}
	return nil
}

// SliceOp is ONNX Slice; from opset 10 starts, ends, axes and steps are
// inputs, before that attributes (Starts, Ends, Axes).
type SliceOp struct {
	Starts, Ends, Axes []int
	FromInputs         bool
	st, en, ax, sp     []int
	shp, ss, vs        []int
}

func (o *SliceOp) Run(be nn.Backend, in, out []*nn.Tensor) error {
	x := in[0]
	xs := x.Shape()
	r := len(xs)
	if o.FromInputs {
		o.st = readInts(o.st, in[1])
		o.en = readInts(o.en, in[2])
		o.ax = o.ax[:0]
		if len(in) > 3 && in[3] != nil {
			o.ax = readInts(o.ax, in[3])
		}
		o.sp = o.sp[:0]
		if len(in) > 4 && in[4] != nil {
			o.sp = readInts(o.sp, in[4])
		}
	} else {
		o.st = append(o.st[:0], o.Starts...)
		o.en = append(o.en[:0], o.Ends...)
		o.ax = append(o.ax[:0], o.Axes...)
		o.sp = o.sp[:0]
	}
	if len(o.ax) == 0 {
		for k := range o.st {
			o.ax = append(o.ax, k)
		}
	}
	if len(o.sp) == 0 {
		for range o.st {
			o.sp = append(o.sp, 1)
		}
	}
	if len(o.en) != len(o.st) || len(o.ax) != len(o.st) || len(o.sp) != len(o.st) {
		return fmt.Errorf("starts %v, ends %v, axes %v, steps %v differ in length", o.st, o.en, o.ax, o.sp)
	}
	o.ss = stridesOf(o.ss, xs)
	o.vs = append(o.vs[:0], o.ss...)
	o.shp = append(o.shp[:0], xs...)
	off := 0
	for k := range o.st {
		a, err := normAxis(o.ax[k], r)
		if err != nil {
			return err
		}
		n, s, e, step := xs[a], o.st[k], o.en[k], o.sp[k]
		if step == 0 {
			return fmt.Errorf("step 0 on axis %d", a)
		}
		if s < 0 {
			s += n
		}
		if e < 0 {
			e += n
		}
		var size int
		if step > 0 {
			s = max(0, min(s, n))
			e = max(0, min(e, n))
			size = max(0, (e-s+step-1)/step)
		} else {
			s = max(-1, min(s, n-1))
			e = max(-1, min(e, n-1))
			size = max(0, (s-e-step-1)/(-step))
		}
		o.shp[a] = size
		off += s * o.ss[a]
		o.vs[a] = o.ss[a] * step
		if size == 0 {
			off -= s * o.ss[a]
		}
	}
	like(out[0], x, o.shp)
	copyView(out[0], 0, out[0].Strides(), x, off, o.vs, o.shp)
	return nil
}

// ReshapeOp is ONNX Reshape (shape from the second input).
type ReshapeOp struct {
	AllowZero bool
	shp       []int
}

func (o *ReshapeOp) Run(be nn.Backend, in, out []*nn.Tensor) error {
	x := in[0]
	o.shp = readInts(o.shp, in[1])
	return reshapeInto(out[0], x, o.shp, o.AllowZero)
}

func reshapeInto(out, x *nn.Tensor, shp []int, allowZero bool) error {
	xs := x.Shape()
	neg := -1
	known := 1
	for k, d := range shp {
		switch {
		case d == 0 && !allowZero:
			if k >= len(xs) {
				return fmt.Errorf("shape %v copies axis %d of %v", shp, k, xs)
			}
			shp[k] = xs[k]
			known *= xs[k]
		case d == -1:
			if neg >= 0 {
				return fmt.Errorf("shape %v has two -1", shp)
			}
			neg = k
		case d < -1:
			return fmt.Errorf("shape %v has a negative size", shp)
		default:
			known *= d
		}
	}
	if neg >= 0 {
		if known == 0 || x.Len()%known != 0 {
			return fmt.Errorf("cannot reshape %v to %v", xs, shp)
		}
		shp[neg] = x.Len() / known
	}
	if nn.Numel(shp) != x.Len() {
		return fmt.Errorf("cannot reshape %v (%d elements) to %v", xs, x.Len(), shp)
	}
	copyFlat(out, x, shp)
	return nil
}

// copyFlat copies x's elements into out shaped as shp.
func copyFlat(out, x *nn.Tensor, shp []int) {
	like(out, x, shp)
	if out == x {
		return // in place: the planner gave the output the input's buffer
	}
	if x.DType() == nn.Int64 {
		copy(out.Int64s(), x.Int64s())
	} else {
		copy(out.Data(), x.Data())
	}
}

// FlattenOp is ONNX Flatten.
type FlattenOp struct {
	Axis int
	shp  []int
}

func (o *FlattenOp) Run(be nn.Backend, in, out []*nn.Tensor) error {
	x := in[0]
	xs := x.Shape()
	a := o.Axis
	if a < 0 {
		a += len(xs)
	}
	if a < 0 || a > len(xs) {
		return fmt.Errorf("axis %d for rank %d", o.Axis, len(xs))
	}
	o.shp = append(o.shp[:0], nn.Numel(xs[:a]), nn.Numel(xs[a:]))
	copyFlat(out[0], x, o.shp)
	return nil
}

// SqueezeOp removes axes of size 1 (Axes attribute, or second input from
// opset 13; none given: all size-1 axes).
type SqueezeOp struct {
	Axes []int
	ax   []int
	shp  []int
}

func (o *SqueezeOp) Run(be nn.Backend, in, out []*nn.Tensor) error {
	x := in[0]
	xs := x.Shape()
	o.ax = append(o.ax[:0], o.Axes...)
	if len(in) > 1 && in[1] != nil {
		o.ax = readInts(o.ax, in[1])
	}
	o.shp = o.shp[:0]
	for k, d := range xs {
		drop := false
		if len(o.ax) == 0 {
			drop = d == 1
		}
		for _, a := range o.ax {
			if a == k || a+len(xs) == k {
				if d != 1 {
					return fmt.Errorf("axis %d of %v is not 1", k, xs)
				}
				drop = true
			}
		}
		if !drop {
			o.shp = append(o.shp, d)
		}
	}
	copyFlat(out[0], x, o.shp)
	return nil
}

// UnsqueezeOp inserts axes of size 1.
type UnsqueezeOp struct {
	Axes []int
	ax   []int
	shp  []int
}

func (o *UnsqueezeOp) Run(be nn.Backend, in, out []*nn.Tensor) error {
	x := in[0]
	xs := x.Shape()
	o.ax = append(o.ax[:0], o.Axes...)
	if len(in) > 1 && in[1] != nil {
		o.ax = readInts(o.ax, in[1])
	}
	r := len(xs) + len(o.ax)
	for k := range o.ax {
		a, err := normAxis(o.ax[k], r)
		if err != nil {
			return err
		}
		o.ax[k] = a
	}
	sort.Ints(o.ax)
	o.shp = o.shp[:0]
	j, q := 0, 0
	for k := 0; k < r; k++ {
		if q < len(o.ax) && o.ax[q] == k {
			o.shp = append(o.shp, 1)
			q++
			continue
		}
		if j >= len(xs) {
			return fmt.Errorf("axes %v for input %v", o.ax, xs)
		}
		o.shp = append(o.shp, xs[j])
		j++
	}
	copyFlat(out[0], x, o.shp)
	return nil
}

// TransposeOp permutes axes (Perm nil: reverse).
type TransposeOp struct {
	Perm []int
	p    []int
	shp  []int
	vs   []int
	ss   []int
}

func (o *TransposeOp) Run(be nn.Backend, in, out []*nn.Tensor) error {
	x := in[0]
	xs := x.Shape()
	r := len(xs)
	o.p = o.p[:0]
	if len(o.Perm) == 0 {
		for k := r - 1; k >= 0; k-- {
			o.p = append(o.p, k)
		}
	} else {
		if len(o.Perm) != r {
			return fmt.Errorf("perm %v for rank %d", o.Perm, r)
		}
		o.p = append(o.p, o.Perm...)
	}
	o.shp = o.shp[:0]
	for _, a := range o.p {
		if a < 0 || a >= r {
			return fmt.Errorf("perm %v for rank %d", o.Perm, r)
		}
		o.shp = append(o.shp, xs[a])
	}
	like(out[0], x, o.shp)
	if x.DType() == nn.Float32 {
		be.Transpose(out[0], x, o.p)
		return nil
	}
	o.ss = stridesOf(o.ss, xs)
	o.vs = o.vs[:0]
	for _, a := range o.p {
		o.vs = append(o.vs, o.ss[a])
	}
	copyView(out[0], 0, out[0].Strides(), x, 0, o.vs, o.shp)
	return nil
}

// PadOp is ONNX Pad; pads (and value, axes) come from attributes before
// opset 11 and from inputs after.
type PadOp struct {
	Mode       nn.PadMode
	Pads       []int
	Value      float32
	FromInputs bool
	pads, ax   []int
	full       []int
	shp        []int
}

func (o *PadOp) Run(be nn.Backend, in, out []*nn.Tensor) error {
	x := in[0]
	xs := x.Shape()
	r := len(xs)
	val := o.Value
	if o.FromInputs {
		o.pads = readInts(o.pads, in[1])
		if len(in) > 2 && in[2] != nil && in[2].Len() > 0 {
			val = float32(scalarAt(in[2], 0))
		}
		o.ax = o.ax[:0]
		if len(in) > 3 && in[3] != nil {
			o.ax = readInts(o.ax, in[3])
		}
	} else {
		o.pads = append(o.pads[:0], o.Pads...)
		o.ax = o.ax[:0]
	}
	o.full = fill1(o.full, 2*r, 0)
	if len(o.ax) > 0 {
		if len(o.pads) != 2*len(o.ax) {
			return fmt.Errorf("%d pads for axes %v", len(o.pads), o.ax)
		}
		for k, a := range o.ax {
			a, err := normAxis(a, r)
			if err != nil {
				return err
			}
			o.full[a] = o.pads[k]
			o.full[r+a] = o.pads[len(o.ax)+k]
		}
	} else {
		if len(o.pads) != 2*r {
			return fmt.Errorf("%d pads for rank %d", len(o.pads), r)
		}
		copy(o.full, o.pads)
	}
	o.shp = o.shp[:0]
	for k := 0; k < r; k++ {
		d := xs[k] + o.full[k] + o.full[r+k]
		if d < 0 {
			return fmt.Errorf("pads %v make axis %d negative", o.full, k)
		}
		o.shp = append(o.shp, d)
	}
	if x.DType() != nn.Float32 {
		return fmt.Errorf("Pad of %s tensor", x.DType())
	}
	out[0].SetDType(nn.Float32)
	out[0].Resize(o.shp...)
	be.Pad(out[0], x, o.full, o.Mode, val)
	return nil
}

// ShapeOp is ONNX Shape with optional start and end (opset 15).
type ShapeOp struct {
	Start, End int
	HasEnd     bool
}

func (o *ShapeOp) shapeOf(s []int, out *nn.Tensor) error {
	r := len(s)
	st, en := o.Start, r
	if o.HasEnd {
		en = o.End
	}
	if st < 0 {
		st += r
	}
	if en < 0 {
		en += r
	}
	st = max(0, min(st, r))
	en = max(0, min(en, r))
	n := max(0, en-st)
	out.SetDType(nn.Int64)
	out.Resize(n)
	d := out.Int64s()
	for k := 0; k < n; k++ {
		d[k] = int64(s[st+k])
	}
	return nil
}

func (o *ShapeOp) Run(be nn.Backend, in, out []*nn.Tensor) error {
	return o.shapeOf(in[0].Shape(), out[0])
}

// GatherOp is ONNX Gather along Axis with int64 indices.
type GatherOp struct {
	Axis int
	shp  []int
	ss   []int
	sub  []int
	ds   []int
}

func (o *GatherOp) Run(be nn.Backend, in, out []*nn.Tensor) error {
	x, idx := in[0], in[1]
	xs := x.Shape()
	ax, err := normAxis(o.Axis, len(xs))
	if err != nil {
		return err
	}
	if idx.DType() != nn.Int64 {
		return fmt.Errorf("indices are %s", idx.DType())
	}
	o.shp = append(o.shp[:0], xs[:ax]...)
	o.shp = append(o.shp, idx.Shape()...)
	o.shp = append(o.shp, xs[ax+1:]...)
	like(out[0], x, o.shp)
	outer := nn.Numel(xs[:ax])
	inner := nn.Numel(xs[ax+1:])
	n := xs[ax]
	ids := idx.Int64s()
	ni := len(ids)
	for k, v := range ids {
		if v < -int64(n) || v >= int64(n) {
			return fmt.Errorf("index %d out of range for axis size %d", v, n)
		}
		_ = k
	}
	for o0 := 0; o0 < outer; o0++ {
		for k, v := range ids {
			i := int(v)
			if i < 0 {
				i += n
			}
			src := (o0*n + i) * inner
			dst := (o0*ni + k) * inner
			if x.DType() == nn.Int64 {
				copy(out[0].Int64s()[dst:dst+inner], x.Int64s()[src:src+inner])
			} else {
				copy(out[0].Data()[dst:dst+inner], x.Data()[src:src+inner])
			}
		}
	}
	return nil
}

// ConstantOfShapeOp fills a tensor of the shape given by its input.
type ConstantOfShapeOp struct {
	Value *nn.Tensor // one element; nil: float 0
	shp   []int
}

func (o *ConstantOfShapeOp) Run(be nn.Backend, in, out []*nn.Tensor) error {
	o.shp = readInts(o.shp, in[0])
	if o.Value != nil && o.Value.DType() == nn.Int64 {
		out[0].SetDType(nn.Int64)
		out[0].Resize(o.shp...)
		v := o.Value.Int64s()[0]
		d := out[0].Int64s()
		for k := range d {
			d[k] = v
		}
		return nil
	}
	out[0].SetDType(nn.Float32)
	out[0].Resize(o.shp...)
	v := float32(0)
	if o.Value != nil {
		v = o.Value.Data()[0]
	}
	out[0].Fill(v)
	return nil
}

// CastOp converts between float32 and int64 (bool is int64 0/1).
type CastOp struct{ To nn.DType }

func (o *CastOp) Run(be nn.Backend, in, out []*nn.Tensor) error {
	x := in[0]
	out[0].SetDType(o.To)
	out[0].Resize(x.Shape()...)
	switch {
	case x.DType() == o.To:
		if o.To == nn.Int64 {
			copy(out[0].Int64s(), x.Int64s())
		} else {
			copy(out[0].Data(), x.Data())
		}
	case o.To == nn.Int64:
		d := out[0].Int64s()
		for k, v := range x.Data() {
			d[k] = int64(v)
		}
	default:
		d := out[0].Data()
		for k, v := range x.Int64s() {
			d[k] = float32(v)
		}
	}
	return nil
}

// RangeOp is ONNX Range.
type RangeOp struct{}

func (RangeOp) Run(be nn.Backend, in, out []*nn.Tensor) error {
	s, l, d := scalarAt(in[0], 0), scalarAt(in[1], 0), scalarAt(in[2], 0)
	if d == 0 {
		return fmt.Errorf("delta is 0")
	}
	n := int(math.Max(math.Ceil((l-s)/d), 0))
	out[0].SetDType(in[0].DType())
	out[0].Resize(n)
	for k := 0; k < n; k++ {
		v := s + float64(k)*d
		if in[0].DType() == nn.Int64 {
			out[0].Int64s()[k] = int64(v)
		} else {
			out[0].Data()[k] = float32(v)
		}
	}
	return nil
}

// ExpandOp broadcasts its input to a shape.
type ExpandOp struct {
	shp, bs, vs []int
}

func (o *ExpandOp) Run(be nn.Backend, in, out []*nn.Tensor) error {
	x := in[0]
	o.shp = readInts(o.shp, in[1])
	var err error
	o.bs, err = nn.BroadcastShape(o.bs, x.Shape(), o.shp)
	if err != nil {
		return err
	}
	like(out[0], x, o.bs)
	xs := x.Shape()
	r := len(o.bs)
	o.vs = fill1(o.vs, r, 0)
	s := 1
	for k := len(xs) - 1; k >= 0; k-- {
		if xs[k] != 1 {
			o.vs[r-len(xs)+k] = s
		}
		s *= xs[k]
	}
	copyView(out[0], 0, out[0].Strides(), x, 0, o.vs, o.bs)
	return nil
}

// ReduceOp is ReduceMean/ReduceMax/ReduceSum over Axes (attribute, or the
// second input where the opset moved it there).
type ReduceOp struct {
	Kind          string
	Axes          []int
	KeepDims      bool
	NoopWhenEmpty bool
	ax, shp, ks   []int
}

func (o *ReduceOp) Run(be nn.Backend, in, out []*nn.Tensor) error {
	x := in[0]
	if x.DType() != nn.Float32 {
		return fmt.Errorf("%s of %s tensor", o.Kind, x.DType())
	}
	xs := x.Shape()
	r := len(xs)
	o.ax = append(o.ax[:0], o.Axes...)
	if len(in) > 1 && in[1] != nil {
		o.ax = readInts(o.ax, in[1])
	}
	if len(o.ax) == 0 {
		if o.NoopWhenEmpty {
			copyFlat(out[0], x, xs)
			return nil
		}
		for k := 0; k < r; k++ {
			o.ax = append(o.ax, k)
		}
	}
	var red [8]bool
	for _, a := range o.ax {
		a, err := normAxis(a, r)
		if err != nil {
			return err
		}
		red[a] = true
	}
	o.shp, o.ks = o.shp[:0], o.ks[:0]
	for k, d := range xs {
		if red[k] {
			o.ks = append(o.ks, 1)
			if o.KeepDims {
				o.shp = append(o.shp, 1)
			}
		} else {
			o.ks = append(o.ks, d)
			o.shp = append(o.shp, d)
		}
	}
	out[0].SetDType(nn.Float32)
	out[0].Resize(o.shp...)
	yd := out[0].Data()
	init := float32(0)
	if o.Kind == "ReduceMax" {
		init = float32(math.Inf(-1))
	}
	for k := range yd {
		yd[k] = init
	}
	xd := x.Data()
	cnt := 0
	nn.ForBroadcast(xs, xs, o.ks, func(k, i, j int) {
		if o.Kind == "ReduceMax" {
			yd[j] = max(yd[j], xd[i])
		} else {
			yd[j] += xd[i]
		}
	})
	if o.Kind == "ReduceMean" {
		cnt = x.Len() / max(len(yd), 1)
		for k := range yd {
			yd[k] /= float32(cnt)
		}
	}
	return nil
}

// IdentityOp copies its input (Identity, Dropout at inference). A second
// output (Dropout's mask) is filled with ones.
type IdentityOp struct{}

func (IdentityOp) Run(be nn.Backend, in, out []*nn.Tensor) error {
	copyFlat(out[0], in[0], in[0].Shape())
	if len(out) > 1 && out[1] != nil {
		out[1].SetDType(nn.Int64)
		out[1].Resize(in[0].Shape()...)
		for k := range out[1].Int64s() {
			out[1].Int64s()[k] = 1
		}
	}
	return nil
}
