package autograd

import (
	"fmt"

	"github.com/avstack/avstack/nn"
	"github.com/avstack/avstack/nn/cpu"
)

// Var is a value in a differentiable computation.
type Var struct {
	Value *nn.Tensor
	// Grad is the gradient of the loss with respect to Value; nil until a
	// backward pass reaches the Var (for parameters, allocated by NewParam).
	Grad  *nn.Tensor
	Name  string
	needs bool
}

// NewParam returns a trainable Var with a zero gradient.
func NewParam(name string, t *nn.Tensor) *Var {
	return &Var{Value: t, Grad: nn.New(t.Shape()...), Name: name, needs: true}
}

// Const wraps a tensor that needs no gradient.
func Const(t *nn.Tensor) *Var { return &Var{Value: t} }

// ZeroGrad sets the gradient of every Var to zero.
func ZeroGrad(vs []*Var) {
	for _, v := range vs {
		if v.Grad != nil {
			v.Grad.Fill(0)
		}
	}
}

// RequiresGrad reports whether a gradient flows into v.
func (v *Var) RequiresGrad() bool { return v.needs }

// Shape is v.Value.Shape().
func (v *Var) Shape() []int { return v.Value.Shape() }

// Tape records ops for one backward pass.
type Tape struct {
	be       nn.Backend
	backward []func()
	train    bool
}

// NewTape returns a tape on the cpu reference backend, in training mode.
func NewTape() *Tape { return &Tape{be: &cpu.Backend{}, train: true} }

// NewTapeOn returns a tape on a given backend.
func NewTapeOn(be nn.Backend) *Tape { return &Tape{be: be, train: true} }

// SetTraining selects training (batch statistics, dropout) or evaluation behaviour.
func (tp *Tape) SetTraining(on bool) { tp.train = on }

// Training reports the mode.
func (tp *Tape) Training() bool { return tp.train }

// Backend returns the backend the tape computes on.
func (tp *Tape) Backend() nn.Backend { return tp.be }

// out makes the result Var of an op whose inputs are ins.
func (tp *Tape) out(t *nn.Tensor, ins ...*Var) *Var {
	v := &Var{Value: t}
	for _, in := range ins {
		if in != nil && in.needs {
			v.needs = true
		}
	}
	return v
}

// record registers the backward closure of an op producing v.
func (tp *Tape) record(v *Var, f func()) {
	if v.needs {
		// A result the loss does not depend on never receives a gradient.
		tp.backward = append(tp.backward, func() {
			if v.Grad != nil {
				f()
			}
		})
	}
}

// grad returns v's gradient buffer, allocating a zero one on first use.
func grad(v *Var) *nn.Tensor {
	if v.Grad == nil {
		v.Grad = nn.New(v.Value.Shape()...)
	}
	return v.Grad
}

// Backward runs the recorded ops in reverse from a scalar loss (its
// gradient is seeded with 1). The tape is spent afterwards.
func (tp *Tape) Backward(loss *Var) {
	if loss.Value.Len() != 1 {
		panic(fmt.Sprintf("autograd: Backward from a non-scalar of shape %v", loss.Value.Shape()))
	}
	grad(loss).Data()[0] = 1
	for k := len(tp.backward) - 1; k >= 0; k-- {
		tp.backward[k]()
	}
	tp.backward = nil
}

// Len returns the number of recorded backward steps.
func (tp *Tape) Len() int { return len(tp.backward) }
