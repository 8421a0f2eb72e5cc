// Package cpu is the reference backend of nn: every op in plain Go, with the
// matrix products (Conv through im2col, ConvTranspose through col2im, Gemm,
// MatMul, the LSTM and GRU input and recurrent products) calling nn/gemm.
// This code is the specification the fast kernels and other backends are
// tested against; it favours clarity over speed except where a detector
// would become unusably slow.
//
//	var b cpu.Backend          // zero value is ready to use
//	b.Conv(dst, x, w, bias, p, nn.Activation{Kind: nn.ActRelu})
//
// Destinations are shaped by the caller (see nn.ConvOutSize and friends);
// inputs must be contiguous. Spatial ops accept 1, 2 or 3 spatial axes.
//
// Fast (NewFast) is the backend graphs run on by default: it embeds
// Backend and overrides the ops that have fast paths, falling back to the
// reference for every case they do not cover. Convolutions go to
// nn/kernels (depthwise, im2col+GEMM) except two banded routes: dense
// convolutions whose im2col matrix exceeds a band (the detectors' stems)
// run band by band of output rows, each band's im2col block staying in L2
// between Im2col and the GEMM; pointwise convolutions with large outputs
// run in column bands so bias and activation read the GEMM's output from
// L2. ConvAdd fuses a residual into a pointwise convolution (GEMM with
// beta 1). Pad (constant), Transpose (merged axes, row copies) and Softmax
// (float32 exp, streaming the inner axis, split over threads) have fast
// versions too. Tests in fast_test.go hold every one to the reference.
package cpu
