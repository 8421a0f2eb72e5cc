package autograd

import (
	"fmt"
	"math"
	"testing"

	"github.com/avstack/avstack/nn"
	"github.com/avstack/avstack/nn/cpu"
)

// randVar returns a parameter of the given shape with values in
// [-1, 1] kept at least away from zero (so ReLU-like kinks are not straddled
// by the finite-difference step).
func randVar(seed uint64, away float32, shape ...int) *Var {
	rng := NewRand(seed)
	t := nn.New(shape...)
	d := t.Data()
	for k := range d {
		v := rng.Float32()*2 - 1
		if v >= 0 && v < away {
			v += away
		} else if v < 0 && v > -away {
			v -= away
		}
		d[k] = v
	}
	return NewParam(fmt.Sprint("p", seed), t)
}

// project turns any output into a scalar with fixed random weights, so
// every output element contributes to the checked gradient.
func project(tp *Tape, y *Var) *Var {
	r := randVar(999, 0, y.Shape()...)
	return tp.Sum(tp.Mul(y, Const(r.Value)))
}

// gradCheck compares the tape's gradients with central finite differences
// for up to 24 elements of every input.
func gradCheck(t *testing.T, inputs []*Var, f func(tp *Tape) *Var) {
	t.Helper()
	ZeroGrad(inputs)
	tp := NewTape()
	loss := f(tp)
	tp.Backward(loss)
	const eps = 1e-3
	worst := 0.0
	for vi, in := range inputs {
		d := in.Value.Data()
		step := max(1, len(d)/24)
		for k := 0; k < len(d); k += step {
			old := d[k]
			d[k] = old + eps
			lp := float64(f(NewTape()).Value.Data()[0])
			d[k] = old - eps
			lm := float64(f(NewTape()).Value.Data()[0])
			d[k] = old
			num := (lp - lm) / (2 * eps)
			ana := float64(in.Grad.Data()[k])
			diff := math.Abs(num - ana)
			worst = math.Max(worst, diff)
			if diff > 1e-2+2e-2*math.Abs(num) {
				t.Errorf("input %d element %d: analytic %g, numeric %g", vi, k, ana, num)
				return
			}
		}
	}
	t.Logf("worst |analytic-numeric| %.2g", worst)
}

func TestGradients(t *testing.T) {
	conv := func(p nn.ConvParams, xs, ws []int) (func(*Tape) *Var, []*Var) {
		x, w, b := randVar(1, 0, xs...), randVar(2, 0, ws...), randVar(3, 0, ws[0])
		return func(tp *Tape) *Var { return project(tp, tp.Conv(x, w, b, p)) }, []*Var{x, w, b}
	}
	unary := func(f func(tp *Tape, x *Var) *Var) (func(*Tape) *Var, []*Var) {
		x := randVar(4, 0.05, 2, 3, 4)
		return func(tp *Tape) *Var { return project(tp, f(tp, x)) }, []*Var{x}
	}
	binary := func(f func(tp *Tape, a, b *Var) *Var, as, bs []int) (func(*Tape) *Var, []*Var) {
		a, b := randVar(5, 0.1, as...), randVar(6, 0.5, bs...)
		return func(tp *Tape) *Var { return project(tp, f(tp, a, b)) }, []*Var{a, b}
	}
	cases := []struct {
		name string
		make func() (func(*Tape) *Var, []*Var)
	}{
		{"Conv2d", func() (func(*Tape) *Var, []*Var) {
			return conv(nn.ConvParams{}, []int{2, 3, 5, 5}, []int{4, 3, 3, 3})
		}},
		{"Conv2d strided padded", func() (func(*Tape) *Var, []*Var) {
			return conv(nn.ConvParams{Strides: []int{2, 2}, Pads: []int{1, 0, 1, 2}}, []int{1, 2, 6, 7}, []int{3, 2, 3, 3})
		}},
		{"Conv2d grouped", func() (func(*Tape) *Var, []*Var) {
			return conv(nn.ConvParams{Group: 2, Pads: []int{1, 1, 1, 1}}, []int{1, 4, 5, 5}, []int{6, 2, 3, 3})
		}},
		{"Conv2d dilated", func() (func(*Tape) *Var, []*Var) {
			return conv(nn.ConvParams{Dilations: []int{2, 2}, Pads: []int{2, 2, 2, 2}}, []int{1, 2, 6, 6}, []int{2, 2, 3, 3})
		}},
		{"Conv2d depthwise", func() (func(*Tape) *Var, []*Var) {
			return conv(nn.ConvParams{Group: 3, Pads: []int{1, 1, 1, 1}, Strides: []int{2, 2}}, []int{1, 3, 6, 6}, []int{3, 1, 3, 3})
		}},
		{"Conv1d", func() (func(*Tape) *Var, []*Var) {
			return conv(nn.ConvParams{Pads: []int{1, 1}}, []int{2, 2, 7}, []int{3, 2, 3})
		}},
		{"ConvTranspose2d", func() (func(*Tape) *Var, []*Var) {
			x, w, b := randVar(1, 0, 1, 4, 3, 3), randVar(2, 0, 4, 1, 3, 3), randVar(3, 0, 2)
			p := nn.ConvParams{Strides: []int{2, 2}, Pads: []int{1, 1, 1, 1}, Group: 2}
			return func(tp *Tape) *Var { return project(tp, tp.ConvTranspose(x, w, b, p, []int{1, 1})) }, []*Var{x, w, b}
		}},
		{"Linear", func() (func(*Tape) *Var, []*Var) {
			x, w, b := randVar(1, 0, 3, 5), randVar(2, 0, 4, 5), randVar(3, 0, 4)
			return func(tp *Tape) *Var { return project(tp, tp.Linear(x, w, b)) }, []*Var{x, w, b}
		}},
		{"MatMul", func() (func(*Tape) *Var, []*Var) {
			return binary(func(tp *Tape, a, b *Var) *Var { return tp.MatMul(a, b) }, []int{3, 4}, []int{4, 5})
		}},
		{"BatchNorm train", func() (func(*Tape) *Var, []*Var) {
			x, g, b := randVar(1, 0, 3, 2, 2, 2), randVar(2, 0, 2), randVar(3, 0, 2)
			return func(tp *Tape) *Var {
				return project(tp, tp.BatchNorm(x, g, b, nn.New(2), nn.New(2), 0.9, 1e-5))
			}, []*Var{x, g, b}
		}},
		{"BatchNorm eval", func() (func(*Tape) *Var, []*Var) {
			x, g, b := randVar(1, 0, 3, 2, 2, 2), randVar(2, 0, 2), randVar(3, 0, 2)
			return func(tp *Tape) *Var {
				tp.SetTraining(false)
				return project(tp, tp.BatchNorm(x, g, b, nn.FromSlice([]float32{0.1, -0.2}, 2), nn.FromSlice([]float32{0.5, 2}, 2), 0.9, 1e-5))
			}, []*Var{x, g, b}
		}},
		{"Relu", func() (func(*Tape) *Var, []*Var) { return unary((*Tape).Relu) }},
		{"LeakyRelu", func() (func(*Tape) *Var, []*Var) {
			return unary(func(tp *Tape, x *Var) *Var { return tp.LeakyRelu(x, 0.1) })
		}},
		{"SiLU", func() (func(*Tape) *Var, []*Var) { return unary((*Tape).SiLU) }},
		{"Sigmoid", func() (func(*Tape) *Var, []*Var) { return unary((*Tape).Sigmoid) }},
		{"Tanh", func() (func(*Tape) *Var, []*Var) { return unary((*Tape).Tanh) }},
		{"HardSigmoid", func() (func(*Tape) *Var, []*Var) {
			return unary(func(tp *Tape, x *Var) *Var { return tp.HardSigmoid(x, 0.4, 0.5) })
		}},
		{"HardSwish", func() (func(*Tape) *Var, []*Var) {
			return unary(func(tp *Tape, x *Var) *Var { return tp.HardSwish(tp.Scale(x, 4)) })
		}},
		{"Exp", func() (func(*Tape) *Var, []*Var) { return unary((*Tape).Exp) }},
		{"Clip", func() (func(*Tape) *Var, []*Var) {
			return unary(func(tp *Tape, x *Var) *Var { return tp.Clip(x, -0.5, 0.52) })
		}},
		{"Softmax", func() (func(*Tape) *Var, []*Var) {
			return unary(func(tp *Tape, x *Var) *Var { return tp.Softmax(x, 1, false) })
		}},
		{"LogSoftmax", func() (func(*Tape) *Var, []*Var) {
			return unary(func(tp *Tape, x *Var) *Var { return tp.Softmax(x, -1, true) })
		}},
		{"MaxPool", func() (func(*Tape) *Var, []*Var) {
			x := randVar(7, 0, 1, 2, 5, 5)
			p := nn.PoolParams{Kernel: []int{3, 3}, Strides: []int{2, 2}, Pads: []int{1, 1, 1, 1}}
			return func(tp *Tape) *Var { return project(tp, tp.Pool(x, p, true)) }, []*Var{x}
		}},
		{"AvgPool", func() (func(*Tape) *Var, []*Var) {
			x := randVar(7, 0, 1, 2, 5, 5)
			p := nn.PoolParams{Kernel: []int{3, 3}, Strides: []int{2, 2}, Pads: []int{1, 1, 1, 1}}
			return func(tp *Tape) *Var { return project(tp, tp.Pool(x, p, false)) }, []*Var{x}
		}},
		{"GlobalAvgPool", func() (func(*Tape) *Var, []*Var) {
			x := randVar(7, 0, 2, 3, 3, 3)
			return func(tp *Tape) *Var { return project(tp, tp.GlobalAvgPool(x)) }, []*Var{x}
		}},
		{"Upsample nearest", func() (func(*Tape) *Var, []*Var) {
			x := randVar(7, 0, 1, 2, 3, 3)
			return func(tp *Tape) *Var { return project(tp, tp.Upsample2d(x, 2, 3, false)) }, []*Var{x}
		}},
		{"Upsample bilinear", func() (func(*Tape) *Var, []*Var) {
			x := randVar(7, 0, 1, 2, 3, 4)
			return func(tp *Tape) *Var { return project(tp, tp.Upsample2d(x, 2, 2, true)) }, []*Var{x}
		}},
		{"Concat Split Slice", func() (func(*Tape) *Var, []*Var) {
			a, b := randVar(1, 0, 2, 3, 2), randVar(2, 0, 2, 1, 2)
			return func(tp *Tape) *Var {
				c := tp.Concat(1, a, b)
				p := tp.Split(c, 1, 1, 3)
				return project(tp, tp.Mul(tp.Slice(p[1], 1, 0, 1), p[0]))
			}, []*Var{a, b}
		}},
		{"Reshape Transpose Flatten", func() (func(*Tape) *Var, []*Var) {
			x := randVar(1, 0, 2, 3, 4)
			return func(tp *Tape) *Var {
				return project(tp, tp.Flatten(tp.Transpose(tp.Reshape(x, 3, 2, 4), 2, 0, 1), 1))
			}, []*Var{x}
		}},
		{"Pad", func() (func(*Tape) *Var, []*Var) {
			x := randVar(1, 0, 1, 2, 3, 3)
			return func(tp *Tape) *Var { return project(tp, tp.Pad(x, []int{0, 0, 1, 2, 0, 1, 2, 0}, 0.5)) }, []*Var{x}
		}},
		{"Add broadcast", func() (func(*Tape) *Var, []*Var) {
			return binary((*Tape).Add, []int{2, 3, 4}, []int{3, 1})
		}},
		{"Sub broadcast", func() (func(*Tape) *Var, []*Var) {
			return binary((*Tape).Sub, []int{2, 1, 4}, []int{3, 1})
		}},
		{"Mul broadcast", func() (func(*Tape) *Var, []*Var) {
			return binary((*Tape).Mul, []int{2, 3, 4}, []int{4})
		}},
		{"Div broadcast", func() (func(*Tape) *Var, []*Var) {
			return binary((*Tape).Div, []int{2, 3, 4}, []int{1, 3, 1})
		}},
		{"Max Min", func() (func(*Tape) *Var, []*Var) {
			return binary(func(tp *Tape, a, b *Var) *Var { return tp.Add(tp.Max(a, b), tp.Min(a, b)) }, []int{3, 4}, []int{3, 4})
		}},
		{"Dropout", func() (func(*Tape) *Var, []*Var) {
			x := randVar(1, 0, 4, 5)
			return func(tp *Tape) *Var { return project(tp, tp.Dropout(x, 0.3, NewRand(5))) }, []*Var{x}
		}},
		{"LSTM", func() (func(*Tape) *Var, []*Var) {
			x, w, r, b := randVar(1, 0, 4, 2, 3), randVar(2, 0, 1, 12, 3), randVar(3, 0, 1, 12, 3), randVar(4, 0, 1, 24)
			h0, c0 := randVar(5, 0, 1, 2, 3), randVar(6, 0, 1, 2, 3)
			return func(tp *Tape) *Var {
				y, yh, yc := tp.LSTM(x, w, r, b, h0, c0)
				return tp.Add(project(tp, y), tp.Add(project(tp, yh), project(tp, yc)))
			}, []*Var{x, w, r, b, h0, c0}
		}},
		{"GRU", func() (func(*Tape) *Var, []*Var) {
			x, w, r, b := randVar(1, 0, 4, 2, 3), randVar(2, 0, 1, 9, 3), randVar(3, 0, 1, 9, 3), randVar(4, 0, 1, 18)
			h0 := randVar(5, 0, 1, 2, 3)
			return func(tp *Tape) *Var {
				y, yh := tp.GRU(x, w, r, b, h0)
				return tp.Add(project(tp, y), project(tp, yh))
			}, []*Var{x, w, r, b, h0}
		}},
		{"MSE", func() (func(*Tape) *Var, []*Var) {
			return binary((*Tape).MSE, []int{3, 4}, []int{3, 4})
		}},
		{"SmoothL1", func() (func(*Tape) *Var, []*Var) {
			return binary(func(tp *Tape, a, b *Var) *Var { return tp.SmoothL1(a, b, 0.5) }, []int{3, 4}, []int{3, 4})
		}},
		{"BCEWithLogits", func() (func(*Tape) *Var, []*Var) {
			x := randVar(1, 0, 3, 4)
			tg := nn.New(3, 4)
			for k := range tg.Data() {
				tg.Data()[k] = float32(k%3) / 2
			}
			return func(tp *Tape) *Var { return tp.BCEWithLogits(tp.Scale(x, 3), Const(tg)) }, []*Var{x}
		}},
		{"CrossEntropy", func() (func(*Tape) *Var, []*Var) {
			x := randVar(1, 0, 3, 5)
			return func(tp *Tape) *Var { return tp.CrossEntropy(tp.Scale(x, 3), []int{0, 4, 2}) }, []*Var{x}
		}},
		{"GIoU", func() (func(*Tape) *Var, []*Var) {
			p := NewParam("p", nn.FromSlice([]float32{0, 0, 2, 2, 1, 1, 3, 4, 0, 0, 1, 1}, 3, 4))
			q := NewParam("q", nn.FromSlice([]float32{1, 1.2, 3, 3, 1.5, 0.5, 2.5, 3, 2, 2, 3, 3.5}, 3, 4))
			return func(tp *Tape) *Var { return tp.GIoULoss(p, q) }, []*Var{p, q}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, ins := c.make()
			gradCheck(t, ins, f)
		})
	}
}

// TestRecurrentMatchesONNXReference holds the tape's LSTM and GRU to the cpu
// backend's ONNX-layout layers.
func TestRecurrentMatchesONNXReference(t *testing.T) {
	be := &cpu.Backend{}
	x, b := randVar(1, 0, 5, 2, 3), randVar(4, 0, 1, 32)
	w, r := randVar(2, 0, 1, 16, 3), randVar(3, 0, 1, 16, 4)
	h0, c0 := randVar(5, 0, 1, 2, 4), randVar(6, 0, 1, 2, 4)
	tp := NewTape()
	y, yh, yc := tp.LSTM(x, w, r, b, h0, c0)
	ry, ryh, ryc := nn.New(5, 1, 2, 4), nn.New(1, 2, 4), nn.New(1, 2, 4)
	be.LSTM(ry, ryh, ryc, x.Value, w.Value, r.Value, b.Value, h0.Value, c0.Value, nil, nil, nn.RNNParams{Hidden: 4, Direction: "forward"})
	for _, p := range [][2]*nn.Tensor{{y.Value, ry}, {yh.Value, ryh}, {yc.Value, ryc}} {
		if err := closeTo(p[0], p[1]); err != nil {
			t.Errorf("LSTM: %v", err)
		}
	}
	gw, gr, gb := randVar(2, 0, 1, 12, 3), randVar(3, 0, 1, 12, 4), randVar(4, 0, 1, 24)
	gy, gyh := tp.GRU(x, gw, gr, gb, h0)
	qy, qyh := nn.New(5, 1, 2, 4), nn.New(1, 2, 4)
	be.GRU(qy, qyh, x.Value, gw.Value, gr.Value, gb.Value, h0.Value, nil, nn.RNNParams{Hidden: 4, Direction: "forward"})
	for _, p := range [][2]*nn.Tensor{{gy.Value, qy}, {gyh.Value, qyh}} {
		if err := closeTo(p[0], p[1]); err != nil {
			t.Errorf("GRU: %v", err)
		}
	}
}

func closeTo(got, want *nn.Tensor) error {
	if !nn.SameShape(got.Shape(), want.Shape()) {
		return fmt.Errorf("shape %v, want %v", got.Shape(), want.Shape())
	}
	for k, w := range want.Data() {
		g := got.Data()[k]
		if math.Abs(float64(g-w)) > 1e-5+1e-4*math.Abs(float64(w)) {
			return fmt.Errorf("element %d = %g, want %g", k, g, w)
		}
	}
	return nil
}
