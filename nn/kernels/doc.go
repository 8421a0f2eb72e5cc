// Package kernels holds the fast convolution, pooling, resize and
// activation kernels of the nn CPU backend, each next to its plain
// reference (the ...Ref function, the specification it is tested against).
//
// Every function works on one NCHW image held in plain []float32 slices
// (the backend loops over the batch); destinations are passed in by the
// caller, and after warm-up no function allocates. Shapes that do not fit
// the slices are programmer errors and panic with a "kernels: ..." message.
//
// Convolution (weights in ONNX layout M x C/Groups x KH x KW):
//
//	type ConvShape struct{ C, H, W, M, KH, KW, StrideH, StrideW, DilH, DilW, PadT, PadL, PadB, PadR, Groups int }
//	func (s ConvShape) Validate() error; OutH() int; OutW() int
//	func ConvWorkSize(s ConvShape) int
//	func Conv2D(dst, src, weight, bias []float32, s ConvShape, a Activation, work []float32)
//	func Conv2DRef(dst, src, weight, bias []float32, s ConvShape, a Activation)
//
// Conv2D picks the route: depthwise convolutions (Groups == C == M, stride 1
// or 2, no dilation, any window and padding) go to DepthwiseConv2D; 1x1
// stride 1 unpadded is one GEMM on the input as it is (gemm.Sgemm(M, H*W,
// C)); anything else is Im2col into work (ConvWorkSize floats, per group)
// then GEMM. Bias and activation follow in one vectorised pass (BiasAct).
//
//	func DepthwiseConv2D(dst, src, weight, bias []float32, s ConvShape, a Activation)
//	func DepthwiseConv3x3(dst, src, weight, bias []float32, c, h, w, stride int, a Activation) // pad 1
//	func DepthwiseOut(n, stride int) int      // (n-1)/stride + 1
//	func Im2col(dst, src []float32, s ConvShape)   // K = C*KH*KW rows, N = OutH*OutW columns
//
// Depthwise convolution and max/average pooling copy each channel once into a
// padded scratch plane (for stride 2, split into even and odd columns) so
// that every tap is a contiguous vector load, then an assembly plane kernel
// combines nine taps per call over the whole plane (larger windows take
// several accumulating calls), with bias and ReLU/leaky fused; other
// activations follow in Go. The plane's padding border is written once per
// call; each channel then only copies its input rows in (stride-1 3x3 with
// padding 1 copies only its first and last two rows: the kernel reads the
// interior straight from src and Go fills the two edge columns). Two windows have
// their own kernels: stride-1 5x5 (dw5Plane: 25 taps in one call, straight
// into dst) and, on AVX-512, stride-2 3x3 (dwS2Plane3: the plane stays
// unsplit and the kernel picks even, odd and shifted-even columns with
// VPERMT2PS). Channels are split over gemm.Threads() goroutines of
// nn/parallel.Default. See plane.go.

// Epilogues and elementwise:
//
//	type Activation struct{ Kind ActKind; Alpha, Min, Max float32 }
//	  // ActNone, ActReLU, ActLeaky(Alpha), ActSigmoid, ActSiLU, ActTanh, ActClip(Min,Max), ActHardSwish
//	func BiasAct(x []float32, channels, plane int, bias []float32, a Activation) // x[c*plane+i] = act(x+bias[c])
//	func Activate(x []float32, a Activation)
//	func ActivateTo(dst, src []float32, a Activation)   // one pass, no copy first
//
//	func LSTMCell(h, c, gates []float32, hidden int) // ONNX gate order i,o,f,c; c updated in place
//
// ReLU and leaky (0 <= Alpha <= 1) run in assembly; sigmoid, SiLU and tanh
// use a float32 exp accurate to a few ulp (ActRef is the float64 reference).
//
// Pooling and resize:
//
//	type PoolShape struct{ KH, KW, StrideH, StrideW, PadT, PadL, PadB, PadR int; CountIncludePad bool }
//	func (p PoolShape) PoolOut(h, w int) (oh, ow int)   // floor mode
//	func MaxPool2D(dst, src []float32, c, h, w int, p PoolShape)
//	func AvgPool2D(dst, src []float32, c, h, w int, p PoolShape)
//	func UpsampleNearest(dst, src []float32, c, h, w, sy, sx int)
//	func UpsampleBilinear(dst, src []float32, c, h, w, oh, ow int, alignCorners bool, xi0, xi1 []int, xf []float32)
//	  // xi0, xi1, xf: caller-provided column tables of length ow (no allocation)
//
// Dispatch: the package follows gemm.Kernel() (CPUID, AVSTACK_CPU=avx2|go,
// build tag noasm), so one switch selects avx512, avx2 or go for GEMM and
// for these kernels alike; Kernel reports it. Results of every path agree
// with the references within |got-ref| <= 1e-5 + 1e-5*|ref|.
package kernels
