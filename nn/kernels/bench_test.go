package kernels

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/avstack/avstack/nn/gemm"
)

// Layer shapes from FastestDet (ShuffleNetV2 at 352x352) and Yolo-Fastest 1.1
// (320x320), one image.
var benchConvs = []struct {
	name string
	s    ConvShape
}{
	{"fastestdet_conv1_3x352x352_to_24_s2", ConvShape{C: 3, H: 352, W: 352, M: 24, KH: 3, KW: 3, StrideH: 2, StrideW: 2, DilH: 1, DilW: 1, PadT: 1, PadL: 1, PadB: 1, PadR: 1, Groups: 1}},
	{"fastestdet_dw_48x44x44_s1", ConvShape{C: 48, H: 44, W: 44, M: 48, KH: 3, KW: 3, StrideH: 1, StrideW: 1, DilH: 1, DilW: 1, PadT: 1, PadL: 1, PadB: 1, PadR: 1, Groups: 48}},
	{"fastestdet_dw_96x44x44_s2", ConvShape{C: 96, H: 44, W: 44, M: 96, KH: 3, KW: 3, StrideH: 2, StrideW: 2, DilH: 1, DilW: 1, PadT: 1, PadL: 1, PadB: 1, PadR: 1, Groups: 96}},
	{"fastestdet_pw_48x44x44", ConvShape{C: 48, H: 44, W: 44, M: 48, KH: 1, KW: 1, StrideH: 1, StrideW: 1, DilH: 1, DilW: 1, Groups: 1}},
	{"fastestdet_head_3x3_96x22x22", ConvShape{C: 96, H: 22, W: 22, M: 96, KH: 3, KW: 3, StrideH: 1, StrideW: 1, DilH: 1, DilW: 1, PadT: 1, PadL: 1, PadB: 1, PadR: 1, Groups: 1}},
	{"yolofastest_conv1_3x320x320_to_8_s2", ConvShape{C: 3, H: 320, W: 320, M: 8, KH: 3, KW: 3, StrideH: 2, StrideW: 2, DilH: 1, DilW: 1, PadT: 1, PadL: 1, PadB: 1, PadR: 1, Groups: 1}},
	{"yolofastest_dw_16x160x160_s1", ConvShape{C: 16, H: 160, W: 160, M: 16, KH: 3, KW: 3, StrideH: 1, StrideW: 1, DilH: 1, DilW: 1, PadT: 1, PadL: 1, PadB: 1, PadR: 1, Groups: 16}},
	{"yolofastest_pw_96x20x20", ConvShape{C: 96, H: 20, W: 20, M: 96, KH: 1, KW: 1, StrideH: 1, StrideW: 1, DilH: 1, DilW: 1, Groups: 1}},
}

func (s ConvShape) flops() float64 {
	return 2 * float64(s.M) * float64(s.OutH()*s.OutW()) * float64(s.C/s.Groups*s.KH*s.KW)
}

// BenchmarkConv2D times the detector layers on every path, at 1 and 2
// threads, with the direct reference loop as the naive peer.
func BenchmarkConv2D(b *testing.B) {
	leaky := Activation{Kind: ActLeaky, Alpha: 0.1}
	for _, tc := range benchConvs {
		s := tc.s
		rng := rand.New(rand.NewPCG(1, 2))
		src := randBuf(rng, s.C*s.H*s.W).s
		wt := randBuf(rng, s.M*s.C/s.Groups*s.KH*s.KW).s
		bias := randBuf(rng, s.M).s
		dst := make([]float32, s.M*s.OutH()*s.OutW())
		work := make([]float32, ConvWorkSize(s))
		report := func(b *testing.B) {
			sec := b.Elapsed().Seconds() / float64(b.N)
			b.ReportMetric(s.flops()/sec/1e9, "GFLOP/s")
			b.ReportMetric(sec*1e3, "ms")
		}
		for _, p := range paths() {
			for _, th := range []int{1, 2} {
				b.Run(fmt.Sprintf("%s/%s/threads%d", tc.name, p, th), func(b *testing.B) {
					old, oldT := gemm.Kernel(), gemm.Threads()
					gemm.SetKernel(p)
					gemm.SetThreads(th)
					defer func() { gemm.SetKernel(old); gemm.SetThreads(oldT) }()
					for b.Loop() {
						Conv2D(dst, src, wt, bias, s, leaky, work)
					}
					report(b)
				})
			}
		}
		b.Run(fmt.Sprintf("%s/reference/threads1", tc.name), func(b *testing.B) {
			for b.Loop() {
				Conv2DRef(dst, src, wt, bias, s, leaky)
			}
			report(b)
		})
	}
}

// BenchmarkDepthwise times the depthwise layers of Yolo-Fastest 1.1
// (320x320) on the current path, one thread.
func BenchmarkDepthwise(b *testing.B) {
	dw := func(c, h, k, s int) ConvShape {
		p := k / 2
		return ConvShape{C: c, H: h, W: h, M: c, KH: k, KW: k, StrideH: s, StrideW: s, DilH: 1, DilW: 1,
			PadT: p, PadL: p, PadB: p, PadR: p, Groups: c}
	}
	cs := []struct {
		name string
		s    ConvShape
	}{
		{"yolo_3x3_8x160_s1", dw(8, 160, 3, 1)},
		{"yolo_3x3_24x160_s2", dw(24, 160, 3, 2)},
		{"yolo_3x3_32x80_s1", dw(32, 80, 3, 1)},
		{"yolo_3x3_32x80_s2", dw(32, 80, 3, 2)},
		{"yolo_3x3_48x40_s1", dw(48, 40, 3, 1)},
		{"yolo_3x3_96x40_s1", dw(96, 40, 3, 1)},
		{"yolo_3x3_136x20_s1", dw(136, 20, 3, 1)},
		{"yolo_3x3_224x10_s1", dw(224, 10, 3, 1)},
		{"yolo_5x5_96x10_s1", dw(96, 10, 5, 1)},
		{"yolo_5x5_120x20_s1", dw(120, 20, 5, 1)},
	}
	old := gemm.Threads()
	gemm.SetThreads(1)
	defer gemm.SetThreads(old)
	for _, tc := range cs {
		s := tc.s
		rng := rand.New(rand.NewPCG(1, 2))
		src := randBuf(rng, s.C*s.H*s.W).s
		wt := randBuf(rng, s.C*s.KH*s.KW).s
		bias := randBuf(rng, s.C).s
		dst := make([]float32, s.M*s.OutH()*s.OutW())
		b.Run(tc.name+"/"+Kernel(), func(b *testing.B) {
			for b.Loop() {
				DepthwiseConv2D(dst, src, wt, bias, s, Activation{Kind: ActLeaky, Alpha: 0.1})
			}
			sec := b.Elapsed().Seconds() / float64(b.N)
			b.ReportMetric(s.flops()/sec/1e9, "GFLOP/s")
			b.ReportMetric(sec*1e6, "us")
		})
	}
}
