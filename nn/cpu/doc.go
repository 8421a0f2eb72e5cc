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
package cpu
