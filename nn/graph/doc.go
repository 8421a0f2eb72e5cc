// Package graph is the optimised inference graph that model importers
// (nn/onnx, nn/darknet) produce. Ops follow ONNX semantics; each calls the
// nn.Backend for its arithmetic.
//
// Build optimises a graph once: nodes whose inputs are all constant are
// evaluated and become constants (with static input shapes this folds the
// Shape/Gather/Concat sub-graphs that exporters emit), batch norm is folded
// into the preceding convolution, activations are fused into the producing
// Conv or Gemm, and buffers are planned: every intermediate value gets a
// buffer that is reused by later values once it is dead.
//
//	g, err := onnx.Load("FastestDet.onnx")
//	out, err := g.Run(map[string]*nn.Tensor{"input.1": x})
//	y := out["758"]
//
// The output tensors (and the map) alias internal buffers that the next Run
// overwrites: copy them (Clone) to keep them. After the first Run with
// given input shapes, Run allocates nothing. A Graph is not safe for
// concurrent use (give each goroutine its own). SetThreads sets the gemm
// engine's thread count, which is process-wide.
package graph
