package autograd

import (
	"fmt"

	"github.com/avstack/avstack/nn"
)

// LSTM runs a forward-direction ONNX LSTM layer on the tape: x [seq, batch,
// in], w [1, 4H, in], r [1, 4H, H], b [1, 8H] (Wb then Rb; may be nil), h0
// and c0 [1, batch, H] (may be nil). Gates i, o, f, c with sigmoid, tanh,
// tanh. It returns Y [seq, 1, batch, H] and the last hidden and cell
// states [1, batch, H], as the ONNX op does.
func (tp *Tape) LSTM(x, w, r, b, h0, c0 *Var) (y, yh, yc *Var) {
	xs, ws := x.Shape(), w.Shape()
	if len(xs) != 3 || len(ws) != 3 || ws[0] != 1 || ws[2] != xs[2] || ws[1]%4 != 0 {
		panic(fmt.Sprintf("autograd: LSTM x %v, w %v", xs, ws))
	}
	seq, batch, in := xs[0], xs[1], xs[2]
	H := ws[1] / 4
	w2 := tp.Reshape(w, 4*H, in)
	r2 := tp.Reshape(r, 4*H, H)
	var bias *Var
	if b != nil {
		bb := tp.Reshape(b, 2, 4*H)
		bias = tp.Reshape(tp.Add(tp.Slice(bb, 0, 0, 1), tp.Slice(bb, 0, 1, 2)), 4*H)
	}
	h := Const(nn.New(batch, H))
	c := Const(nn.New(batch, H))
	if h0 != nil {
		h = tp.Reshape(h0, batch, H)
	}
	if c0 != nil {
		c = tp.Reshape(c0, batch, H)
	}
	var hs []*Var
	for t := 0; t < seq; t++ {
		xt := tp.Reshape(tp.Slice(x, 0, t, t+1), batch, in)
		g := tp.Add(tp.Linear(xt, w2, bias), tp.Linear(h, r2, nil))
		i := tp.Sigmoid(tp.Slice(g, 1, 0, H))
		o := tp.Sigmoid(tp.Slice(g, 1, H, 2*H))
		f := tp.Sigmoid(tp.Slice(g, 1, 2*H, 3*H))
		cc := tp.Tanh(tp.Slice(g, 1, 3*H, 4*H))
		c = tp.Add(tp.Mul(f, c), tp.Mul(i, cc))
		h = tp.Mul(o, tp.Tanh(c))
		hs = append(hs, tp.Reshape(h, 1, 1, batch, H))
	}
	return tp.Concat(0, hs...), tp.Reshape(h, 1, batch, H), tp.Reshape(c, 1, batch, H)
}

// GRU runs a forward-direction ONNX GRU layer (linear_before_reset = 0):
// x [seq, batch, in], w [1, 3H, in], r [1, 3H, H], b [1, 6H] or nil, h0
// [1, batch, H] or nil. Gates z, r, h. Returns Y [seq, 1, batch, H] and the
// last hidden state [1, batch, H].
func (tp *Tape) GRU(x, w, r, b, h0 *Var) (y, yh *Var) {
	xs, ws := x.Shape(), w.Shape()
	if len(xs) != 3 || len(ws) != 3 || ws[0] != 1 || ws[2] != xs[2] || ws[1]%3 != 0 {
		panic(fmt.Sprintf("autograd: GRU x %v, w %v", xs, ws))
	}
	seq, batch, in := xs[0], xs[1], xs[2]
	H := ws[1] / 3
	w2 := tp.Reshape(w, 3*H, in)
	r2 := tp.Reshape(r, 3*H, H)
	rzr := tp.Slice(r2, 0, 0, 2*H)
	rh := tp.Slice(r2, 0, 2*H, 3*H)
	var wb, rbzr, rbh *Var
	if b != nil {
		bb := tp.Reshape(b, 6*H)
		wb = tp.Slice(bb, 0, 0, 3*H)
		rbzr = tp.Slice(bb, 0, 3*H, 5*H)
		rbh = tp.Slice(bb, 0, 5*H, 6*H)
	}
	h := Const(nn.New(batch, H))
	if h0 != nil {
		h = tp.Reshape(h0, batch, H)
	}
	var hs []*Var
	for t := 0; t < seq; t++ {
		xt := tp.Reshape(tp.Slice(x, 0, t, t+1), batch, in)
		gx := tp.Linear(xt, w2, wb)   // [batch, 3H]
		gh := tp.Linear(h, rzr, rbzr) // [batch, 2H]
		z := tp.Sigmoid(tp.Add(tp.Slice(gx, 1, 0, H), tp.Slice(gh, 1, 0, H)))
		rr := tp.Sigmoid(tp.Add(tp.Slice(gx, 1, H, 2*H), tp.Slice(gh, 1, H, 2*H)))
		hh := tp.Tanh(tp.Add(tp.Slice(gx, 1, 2*H, 3*H), tp.Linear(tp.Mul(rr, h), rh, rbh)))
		one := Const(nn.FromSlice([]float32{1}))
		h = tp.Add(tp.Mul(tp.Sub(one, z), hh), tp.Mul(z, h))
		hs = append(hs, tp.Reshape(h, 1, 1, batch, H))
	}
	return tp.Concat(0, hs...), tp.Reshape(h, 1, batch, H)
}
