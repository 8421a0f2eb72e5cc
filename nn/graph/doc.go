// Package graph is the optimised inference graph that model importers
// (nn/onnx, nn/darknet) produce. Ops follow ONNX semantics; each calls the
// nn.Backend for its arithmetic.
//
// Build optimises a graph once: nodes whose inputs are all constant are
// evaluated and become constants (with static input shapes this folds the
// Shape/Gather/Concat sub-graphs that exporters emit), batch norm is folded
// into the preceding convolution, Identity and inference Dropout vanish, a
// residual Add is fused into the Conv that feeds it (computed as one GEMM
// accumulating onto the residual for pointwise convolutions, in the
// residual's buffer when it dies there), Transpose -> Softmax -> inverse
// Transpose becomes one Softmax over the original axis, the ShuffleNet
// channel shuffle (Concat -> Reshape -> Transpose -> Reshape -> Gathers)
// becomes one copy pass (ShuffleSplitOp), activations are fused into the
// producing Conv or Gemm, and buffers are planned: every intermediate value
// gets a buffer that is reused by later values once it is dead. Fusions
// that need shapes use those of a dry run, so they apply when every input
// shape is static.
//
//	g, err := onnx.Load("FastestDet.onnx")
//	out, err := g.Run(map[string]*nn.Tensor{"input.1": x})
//	y := out["758"]
//
// The output tensors (and the map) alias internal buffers that the next Run
// overwrites: copy them (Clone) to keep them. After the first Run with
// given input shapes, Run allocates nothing. A Graph is not safe for
// concurrent use (give each goroutine its own). SetThreads sets how many
// threads the graph's Runs use: the gemm engine's count is process-wide, so
// each Run sets it (each node, once tuned) and leaves the graph's count set
// when it returns; graphs with different counts can take turns.
//
// Threads per node: with SetThreads(n > 1) on a CPU backend the first 16
// Runs measure which nodes gain from n threads and, when some do, 12 more
// whether that mix beats one thread as a whole (threads.go); Measuring
// reports those runs and ThreadPlan the counts chosen.
// SetThreadTuning(false) runs every node on n. Results do not depend on the
// counts.
//
// Profiling: SetProfiling(true) makes every Run add each node's wall time
// (two clock reads per node, no allocation); Profile returns the figures
// per node (mean and fastest run, output shape) and WriteProfile prints
// them slowest first:
//
//	g.SetProfiling(true)
//	for i := 0; i < 50; i++ { g.Run(in) }
//	graph.WriteProfile(os.Stdout, g.Profile(), 20)
//
// In this package's tests, AVSTACK_NN_PROFILE=1 go test -bench Models -v
// logs that table for FastestDet and Yolo-Fastest.
package graph
