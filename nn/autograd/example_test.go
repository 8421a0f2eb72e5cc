package autograd_test

import (
	"fmt"

	"github.com/avstack/avstack/nn"
	"github.com/avstack/avstack/nn/autograd"
	"github.com/avstack/avstack/nn/optim"
)

// Fit y = 2x + 1 with one linear unit and SGD.
func Example() {
	w := autograd.NewParam("w", nn.New(1, 1))
	b := autograd.NewParam("b", nn.New(1))
	x := autograd.Const(nn.FromSlice([]float32{0, 1, 2, 3}, 4, 1))
	y := autograd.Const(nn.FromSlice([]float32{1, 3, 5, 7}, 4, 1))
	opt := optim.NewSGD(0.05, 0.9, 0)
	for step := 0; step < 300; step++ {
		tp := autograd.NewTape()
		loss := tp.MSE(tp.Linear(x, w, b), y)
		tp.Backward(loss)
		opt.Step([]*autograd.Var{w, b})
	}
	fmt.Printf("w=%.2f b=%.2f\n", w.Value.Data()[0], b.Value.Data()[0])
	// Output: w=2.00 b=1.00
}
