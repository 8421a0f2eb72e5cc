// Package optim holds the optimizers that update autograd parameters from
// their gradients: SGD (momentum, weight decay), Adam and AdamW.
//
//	opt := optim.NewAdam(1e-3)
//	for step := ... {
//		tp := autograd.NewTape(); loss := ...; tp.Backward(loss)
//		opt.Step(params)           // updates values, then zeroes the gradients
//	}
//
// Each optimizer keeps its per-parameter state keyed by the *autograd.Var;
// updates are element-wise and sequential, so they are deterministic.
package optim
