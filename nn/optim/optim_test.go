package optim

import (
	"math"
	"testing"

	"github.com/avstack/avstack/nn"
	"github.com/avstack/avstack/nn/autograd"
)

// Each optimizer, from the same start, must bring a quadratic bowl
// sum((p - c)^2) close to its minimum; the first update is checked by hand.
func TestOptimizers(t *testing.T) {
	cases := []struct {
		name      string
		opt       func() Optimizer
		firstStep float32 // value of p[0] after one step from 1 with target 0
		steps     int
	}{
		{"SGD", func() Optimizer { return NewSGD(0.1, 0, 0) }, 1 - 0.1*2, 100},
		{"SGD momentum", func() Optimizer { return NewSGD(0.05, 0.9, 0) }, 1 - 0.05*2, 200},
		{"SGD weight decay", func() Optimizer { return NewSGD(0.1, 0, 0.5) }, 1 - 0.1*(2+0.5), 200},
		{"Adam", func() Optimizer { return NewAdam(0.05) }, 1 - 0.05, 400},
		{"AdamW", func() Optimizer { return NewAdamW(0.05, 0.01) }, 1 - 0.05*0.01 - 0.05, 400},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := autograd.NewParam("p", nn.FromSlice([]float32{1, -2, 3}, 3))
			target := autograd.Const(nn.FromSlice([]float32{0, 0, 0}, 3))
			o := c.opt()
			for s := 0; s < c.steps; s++ {
				tp := autograd.NewTape()
				d := tp.Sub(p, target)
				tp.Backward(tp.Sum(tp.Mul(d, d)))
				o.Step([]*autograd.Var{p})
				if s == 0 {
					if got := p.Value.Data()[0]; math.Abs(float64(got-c.firstStep)) > 1e-5 {
						t.Fatalf("after one step p[0] = %g, want %g", got, c.firstStep)
					}
				}
				for _, g := range p.Grad.Data() {
					if g != 0 {
						t.Fatal("gradient not zeroed after Step")
					}
				}
			}
			for k, v := range p.Value.Data() {
				if math.Abs(float64(v)) > 0.05 {
					t.Errorf("p[%d] = %g after %d steps, want near 0", k, v, c.steps)
				}
			}
		})
	}
}
