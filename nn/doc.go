// Package nn is the neural-network core of avstack: a float32 tensor (NCHW,
// contiguous by default, with strided views), a small int64 tensor for shapes
// and indices, and the Backend interface through which every op dispatches.
//
// The reference backend lives in nn/cpu (plain Go, calling nn/gemm for the
// matrix products). Imported models (nn/onnx, nn/darknet) become an inference
// graph (nn/graph); models written in Go for training use nn/autograd.
//
//	x := nn.New(1, 3, 352, 352)     // zero-filled float32 tensor
//	y := nn.FromSlice(data, 2, 3)   // wraps data, no copy
//	v := y.Transpose(1, 0)          // a view; v.Contiguous() copies it
//
// Data returns the backing slice of a contiguous tensor and panics on a
// non-contiguous view (call Contiguous first): the panic is a programmer
// error, never a data error.
package nn
