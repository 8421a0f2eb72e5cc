// Package autograd records differentiable ops on a tape and runs them
// backwards: the training side of the nn core.
//
// A Var holds a value and, when it needs one, a gradient. Parameters are
// Vars made with NewParam; they outlive tapes and accumulate gradients until
// an optimizer steps and zeroes them. A Tape records one forward pass:
//
//	tp := autograd.NewTape()
//	h := tp.Relu(tp.Conv(x, w, b, nn.ConvParams{Pads: []int{1, 1, 1, 1}}))
//	loss := tp.CrossEntropy(tp.Linear(tp.Flatten(h, 1), fcW, fcB), labels)
//	tp.Backward(loss)          // fills w.Grad, b.Grad, ...
//	opt.Step(params)           // optim.Adam etc., then ZeroGrad
//
// Every op's forward calls the nn.Backend (cpu reference by default); its
// backward uses the backend's gradient kernels where they exist and plain Go
// here otherwise. The recurrent layers LSTM and GRU are composed from
// primitive ops (ONNX gate layout), so their backward is backpropagation
// through time over the same primitives. Ops are single-threaded apart from
// the gemm engine, whose results do not depend on the thread count, so
// training is deterministic for a given seed.
//
// Losses: MSE, SmoothL1, BCEWithLogits, CrossEntropy, GIoU (and IoU). Seeded
// initialisers: KaimingUniform, XavierUniform. Parameter files: Save/Load
// (format in params.go).
package autograd
