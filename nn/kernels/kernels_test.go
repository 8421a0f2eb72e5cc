package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/avstack/avstack/nn/gemm"
)

// paths are the dispatch paths under test: the one forced with AVSTACK_CPU,
// else every path this CPU and build can run.
func paths() []string {
	if f := os.Getenv("AVSTACK_CPU"); f != "" {
		return []string{f}
	}
	return gemm.Kernels()
}

func forEachPath(t *testing.T, f func(t *testing.T)) {
	for _, name := range paths() {
		t.Run(name, func(t *testing.T) {
			old := gemm.Kernel()
			if err := gemm.SetKernel(name); err != nil {
				t.Fatal(err)
			}
			defer gemm.SetKernel(old)
			if Kernel() != name {
				t.Fatalf("kernels path %q, gemm path %q", Kernel(), name)
			}
			f(t)
		})
	}
}

const guard = 19

// buf is a slice with NaN guard bands on both sides.
type buf struct {
	full []float32
	s    []float32
}

func newBuf(n int) buf {
	full := make([]float32, n+2*guard)
	for i := range full {
		full[i] = float32(math.NaN())
	}
	return buf{full: full, s: full[guard : guard+n : guard+n]}
}

func randBuf(rng *rand.Rand, n int) buf {
	b := newBuf(n)
	for i := range b.s {
		b.s[i] = rng.Float32()*4 - 2
	}
	return b
}

func (b buf) checkGuards(t *testing.T, name string) {
	t.Helper()
	for i := 0; i < guard; i++ {
		if !math.IsNaN(float64(b.full[i])) || !math.IsNaN(float64(b.full[len(b.full)-1-i])) {
			t.Fatalf("%s: write into guard band", name)
		}
	}
}

// same checks |got-want| <= 1e-5 + 1e-5*|want| everywhere (conformance
// tolerance) and reports the worst difference.
func same(t *testing.T, got, want []float32) {
	t.Helper()
	worst, at := 0.0, -1
	for i := range want {
		g, w := float64(got[i]), float64(want[i])
		d := math.Abs(g - w)
		if math.IsNaN(g) != math.IsNaN(w) || d > 1e-5+1e-5*math.Abs(w) {
			t.Fatalf("element %d: got %v, reference %v", i, g, w)
		}
		if d > worst {
			worst, at = d, i
		}
	}
	t.Logf("worst |diff| %.3g at %d", worst, at)
}

var testActs = []Activation{
	{Kind: ActNone}, {Kind: ActReLU}, {Kind: ActLeaky, Alpha: 0.1}, {Kind: ActLeaky, Alpha: 2},
	{Kind: ActSigmoid}, {Kind: ActSiLU}, {Kind: ActTanh}, {Kind: ActClip, Min: 0, Max: 6}, {Kind: ActHardSwish},
}

func TestActivationScalar(t *testing.T) {
	vals := []float32{-100, -88, -20, -9.5, -3, -1, -0.49, -1e-3, -1e-7, 0, 1e-7, 1e-3, 0.3, 0.5, 1, 3, 9.5, 20, 88, 100}
	for _, a := range testActs {
		t.Run(a.String(), func(t *testing.T) {
			for _, v := range vals {
				got, want := act1(a, v), ActRef(a, v)
				if d := math.Abs(float64(got - want)); d > 1e-6+2e-6*math.Abs(float64(want)) {
					t.Fatalf("%s(%v) = %v, reference %v", a, v, got, want)
				}
			}
		})
	}
}

func TestBiasAct(t *testing.T) {
	shapes := []struct{ c, plane int }{{1, 1}, {3, 7}, {2, 16}, {5, 17}, {4, 33}, {7, 100}, {24, 484}}
	forEachPath(t, func(t *testing.T) {
		for _, a := range testActs {
			for _, sh := range shapes {
				for _, withBias := range []bool{true, false} {
					t.Run(fmt.Sprintf("%s/c%d_p%d_bias%v", a, sh.c, sh.plane, withBias), func(t *testing.T) {
						rng := rand.New(rand.NewPCG(uint64(sh.c), uint64(sh.plane)))
						x := randBuf(rng, sh.c*sh.plane)
						var bias []float32
						if withBias {
							bias = randBuf(rng, sh.c).s
						}
						want := append([]float32(nil), x.s...)
						BiasActRef(want, sh.c, sh.plane, bias, a)
						BiasAct(x.s, sh.c, sh.plane, bias, a)
						x.checkGuards(t, "x")
						same(t, x.s, want)
					})
				}
			}
		}
	})
}

func TestDepthwiseConv3x3(t *testing.T) {
	shapes := []struct{ c, h, w int }{
		{1, 1, 1}, {1, 2, 3}, {2, 5, 17}, {3, 16, 16}, {2, 17, 15}, {4, 11, 11}, {3, 22, 22},
		{2, 33, 40}, {5, 44, 44}, {2, 88, 88}, {1, 176, 176}, {8, 7, 64},
		{2, 3, 18}, {3, 4, 19}, {2, 3, 10}, {1, 6, 9}, // the smallest planes read straight from src
	}
	acts := []Activation{{Kind: ActNone}, {Kind: ActReLU}, {Kind: ActLeaky, Alpha: 0.1}, {Kind: ActSiLU}}
	forEachPath(t, func(t *testing.T) {
		for _, threads := range []int{1, 2, 3} {
			old := gemm.Threads()
			gemm.SetThreads(threads)
			for _, stride := range []int{1, 2} {
				for _, sh := range shapes {
					for ai, a := range acts {
						t.Run(fmt.Sprintf("t%d/s%d/c%d_h%d_w%d/%s", threads, stride, sh.c, sh.h, sh.w, a), func(t *testing.T) {
							rng := rand.New(rand.NewPCG(uint64(sh.c*1000+sh.h), uint64(sh.w*10+stride)))
							src := randBuf(rng, sh.c*sh.h*sh.w)
							wt := randBuf(rng, sh.c*9)
							var bias []float32
							if ai%2 == 0 {
								bias = randBuf(rng, sh.c).s
							}
							oh, ow := DepthwiseOut(sh.h, stride), DepthwiseOut(sh.w, stride)
							dst := newBuf(sh.c * oh * ow)
							want := make([]float32, sh.c*oh*ow)
							srcCopy := append([]float32(nil), src.full...)
							DepthwiseConv3x3Ref(want, src.s, wt.s, bias, sh.c, sh.h, sh.w, stride, a)
							DepthwiseConv3x3(dst.s, src.s, wt.s, bias, sh.c, sh.h, sh.w, stride, a)
							dst.checkGuards(t, "dst")
							for i := range srcCopy {
								if math.Float32bits(srcCopy[i]) != math.Float32bits(src.full[i]) {
									t.Fatalf("src modified at %d", i-guard)
								}
							}
							same(t, dst.s, want)
						})
					}
				}
			}
			gemm.SetThreads(old)
		}
	})
}

func TestConv2D(t *testing.T) {
	cs := []struct {
		name string
		s    ConvShape
	}{
		{"3x3_s1_p1", ConvShape{C: 3, H: 13, W: 17, M: 8, KH: 3, KW: 3, StrideH: 1, StrideW: 1, DilH: 1, DilW: 1, PadT: 1, PadL: 1, PadB: 1, PadR: 1, Groups: 1}},
		{"3x3_s2_p1_first_layer", ConvShape{C: 3, H: 32, W: 30, M: 16, KH: 3, KW: 3, StrideH: 2, StrideW: 2, DilH: 1, DilW: 1, PadT: 1, PadL: 1, PadB: 1, PadR: 1, Groups: 1}},
		{"1x1_pointwise", ConvShape{C: 24, H: 11, W: 11, M: 48, KH: 1, KW: 1, StrideH: 1, StrideW: 1, DilH: 1, DilW: 1, Groups: 1}},
		{"1x1_stride2", ConvShape{C: 8, H: 10, W: 9, M: 4, KH: 1, KW: 1, StrideH: 2, StrideW: 2, DilH: 1, DilW: 1, Groups: 1}},
		{"grouped", ConvShape{C: 8, H: 9, W: 9, M: 6, KH: 3, KW: 3, StrideH: 1, StrideW: 1, DilH: 1, DilW: 1, PadT: 1, PadL: 1, PadB: 1, PadR: 1, Groups: 2}},
		{"depthwise_s1", ConvShape{C: 6, H: 12, W: 19, M: 6, KH: 3, KW: 3, StrideH: 1, StrideW: 1, DilH: 1, DilW: 1, PadT: 1, PadL: 1, PadB: 1, PadR: 1, Groups: 6}},
		{"depthwise_s2", ConvShape{C: 6, H: 12, W: 19, M: 6, KH: 3, KW: 3, StrideH: 2, StrideW: 2, DilH: 1, DilW: 1, PadT: 1, PadL: 1, PadB: 1, PadR: 1, Groups: 6}},
		{"depthwise_5x5_generic", ConvShape{C: 4, H: 10, W: 10, M: 4, KH: 5, KW: 5, StrideH: 1, StrideW: 1, DilH: 1, DilW: 1, PadT: 2, PadL: 2, PadB: 2, PadR: 2, Groups: 4}},
		{"dilated", ConvShape{C: 2, H: 12, W: 12, M: 3, KH: 3, KW: 3, StrideH: 1, StrideW: 1, DilH: 2, DilW: 2, PadT: 2, PadL: 2, PadB: 2, PadR: 2, Groups: 1}},
		{"large_first_layer_parallel_passes", ConvShape{C: 3, H: 130, W: 131, M: 16, KH: 3, KW: 3, StrideH: 2, StrideW: 2, DilH: 1, DilW: 1, PadT: 1, PadL: 1, PadB: 1, PadR: 1, Groups: 1}},
		{"asymmetric_pads", ConvShape{C: 2, H: 7, W: 8, M: 3, KH: 2, KW: 3, StrideH: 1, StrideW: 2, DilH: 1, DilW: 1, PadT: 0, PadL: 1, PadB: 1, PadR: 0, Groups: 1}},
	}
	acts := []Activation{{Kind: ActNone}, {Kind: ActReLU}, {Kind: ActLeaky, Alpha: 0.1}, {Kind: ActSiLU}}
	forEachPath(t, func(t *testing.T) {
		for _, tc := range cs {
			for ai, a := range acts {
				t.Run(tc.name+"/"+a.String(), func(t *testing.T) {
					s := tc.s
					rng := rand.New(rand.NewPCG(uint64(s.C*s.M), uint64(s.H)))
					src := randBuf(rng, s.C*s.H*s.W)
					wt := randBuf(rng, s.M*s.C/s.Groups*s.KH*s.KW)
					var bias []float32
					if ai%2 == 1 {
						bias = randBuf(rng, s.M).s
					}
					n := s.M * s.OutH() * s.OutW()
					dst := newBuf(n)
					work := newBuf(ConvWorkSize(s))
					want := make([]float32, n)
					Conv2DRef(want, src.s, wt.s, bias, s, a)
					Conv2D(dst.s, src.s, wt.s, bias, s, a, work.s)
					dst.checkGuards(t, "dst")
					work.checkGuards(t, "work")
					same(t, dst.s, want)
				})
			}
		}
	})
}

func TestIm2col(t *testing.T) {
	cs := []ConvShape{
		{C: 2, H: 5, W: 7, KH: 3, KW: 3, StrideH: 1, StrideW: 1, DilH: 1, DilW: 1, PadT: 1, PadL: 1, PadB: 1, PadR: 1},
		{C: 3, H: 8, W: 9, KH: 3, KW: 3, StrideH: 2, StrideW: 2, DilH: 1, DilW: 1, PadT: 1, PadL: 1, PadB: 1, PadR: 1},
		{C: 1, H: 4, W: 4, KH: 5, KW: 5, StrideH: 1, StrideW: 1, DilH: 1, DilW: 1, PadT: 2, PadL: 2, PadB: 2, PadR: 2},
		{C: 1, H: 6, W: 3, KH: 3, KW: 2, StrideH: 3, StrideW: 1, DilH: 2, DilW: 2, PadT: 2, PadL: 0, PadB: 0, PadR: 3},
		{C: 3, H: 9, W: 71, KH: 3, KW: 3, StrideH: 2, StrideW: 2, DilH: 1, DilW: 1, PadT: 1, PadL: 1, PadB: 1, PadR: 1},
		{C: 2, H: 5, W: 66, KH: 3, KW: 3, StrideH: 2, StrideW: 2, DilH: 1, DilW: 1, PadT: 1, PadL: 1, PadB: 1, PadR: 1},
		{C: 1, H: 4, W: 64, KH: 1, KW: 1, StrideH: 2, StrideW: 2, DilH: 1, DilW: 1},
		{C: 2, H: 6, W: 9, KH: 3, KW: 3, StrideH: 1, StrideW: 1, DilH: 2, DilW: 2, PadT: 2, PadL: 2, PadB: 2, PadR: 2},
		{C: 2, H: 5, W: 8, KH: 3, KW: 3, StrideH: 1, StrideW: 1, DilH: 1, DilW: 1, PadT: 0, PadL: 0, PadB: 2, PadR: 2},
		{C: 1, H: 3, W: 4, KH: 5, KW: 5, StrideH: 1, StrideW: 1, DilH: 1, DilW: 1, PadT: 4, PadL: 3, PadB: 0, PadR: 1},
		{C: 3, H: 22, W: 22, KH: 3, KW: 3, StrideH: 1, StrideW: 1, DilH: 1, DilW: 1, PadT: 1, PadL: 1, PadB: 1, PadR: 1},
	}
	forEachPath(t, func(t *testing.T) { testIm2col(t, cs) })
}

func testIm2col(t *testing.T, cs []ConvShape) {
	for i, s := range cs {
		t.Run(fmt.Sprintf("case%d", i), func(t *testing.T) {
			s.M, s.Groups = 1, 1
			if err := s.Validate(); err != nil {
				t.Fatal(err)
			}
			rng := rand.New(rand.NewPCG(uint64(i), 9))
			src := randBuf(rng, s.C*s.H*s.W)
			n := s.C * s.KH * s.KW * s.OutH() * s.OutW()
			dst := newBuf(n)
			want := make([]float32, n)
			Im2colRef(want, src.s, s)
			Im2col(dst.s, src.s, s)
			dst.checkGuards(t, "dst")
			for j := range want {
				if math.Float32bits(dst.s[j]) != math.Float32bits(want[j]) {
					t.Fatalf("element %d: got %v, reference %v", j, dst.s[j], want[j])
				}
			}
		})
	}
}

func TestConvValidate(t *testing.T) {
	ok := ConvShape{C: 2, H: 4, W: 4, M: 2, KH: 3, KW: 3, StrideH: 1, StrideW: 1, DilH: 1, DilW: 1, Groups: 1}
	cs := []struct {
		name string
		edit func(*ConvShape)
	}{
		{"zero_stride", func(s *ConvShape) { s.StrideH = 0 }},
		{"groups_not_dividing", func(s *ConvShape) { s.Groups = 3 }},
		{"negative_pad", func(s *ConvShape) { s.PadL = -1 }},
		{"kernel_larger_than_input", func(s *ConvShape) { s.KH = 9 }},
	}
	if err := ok.Validate(); err != nil {
		t.Fatalf("valid shape rejected: %v", err)
	}
	for _, tc := range cs {
		t.Run(tc.name, func(t *testing.T) {
			s := ok
			tc.edit(&s)
			if err := s.Validate(); err == nil {
				t.Fatalf("%+v accepted", s)
			}
		})
	}
}

func TestPool(t *testing.T) { forEachPath(t, testPool) }

func testPool(t *testing.T) {
	cs := []struct {
		name string
		h, w int
		p    PoolShape
		max  bool
	}{
		{"max_2x2_s2_even", 8, 10, PoolShape{KH: 2, KW: 2, StrideH: 2, StrideW: 2}, true},
		{"max_2x2_s2_odd_padded", 7, 9, PoolShape{KH: 2, KW: 2, StrideH: 2, StrideW: 2, PadB: 1, PadR: 1}, true},
		{"max_3x3_s2_p1", 11, 13, PoolShape{KH: 3, KW: 3, StrideH: 2, StrideW: 2, PadT: 1, PadL: 1, PadB: 1, PadR: 1}, true},
		{"max_darknet_2x2_s1", 13, 13, PoolShape{KH: 2, KW: 2, StrideH: 1, StrideW: 1, PadB: 1, PadR: 1}, true},
		{"max_5x5_s1_p2_spp", 10, 10, PoolShape{KH: 5, KW: 5, StrideH: 1, StrideW: 1, PadT: 2, PadL: 2, PadB: 2, PadR: 2}, true},
		{"max_3x3_s2_p1_wide", 88, 90, PoolShape{KH: 3, KW: 3, StrideH: 2, StrideW: 2, PadT: 1, PadL: 1, PadB: 1, PadR: 1}, true},
		{"max_2x2_s2_wide", 64, 66, PoolShape{KH: 2, KW: 2, StrideH: 2, StrideW: 2}, true},
		{"max_5x5_s1_p2_wide", 20, 37, PoolShape{KH: 5, KW: 5, StrideH: 1, StrideW: 1, PadT: 2, PadL: 2, PadB: 2, PadR: 2}, true},
		{"max_13x13_s1_p6_spp", 19, 21, PoolShape{KH: 13, KW: 13, StrideH: 1, StrideW: 1, PadT: 6, PadL: 6, PadB: 6, PadR: 6}, true},
		{"max_3x3_s3_scalar", 10, 11, PoolShape{KH: 3, KW: 3, StrideH: 3, StrideW: 3}, true},
		{"avg_2x2_s2", 8, 8, PoolShape{KH: 2, KW: 2, StrideH: 2, StrideW: 2}, false},
		{"avg_3x3_p1_exclude_pad", 9, 7, PoolShape{KH: 3, KW: 3, StrideH: 1, StrideW: 1, PadT: 1, PadL: 1, PadB: 1, PadR: 1}, false},
		{"avg_3x3_p1_include_pad", 9, 7, PoolShape{KH: 3, KW: 3, StrideH: 1, StrideW: 1, PadT: 1, PadL: 1, PadB: 1, PadR: 1, CountIncludePad: true}, false},
		{"avg_3x3_s2_p1_wide", 40, 41, PoolShape{KH: 3, KW: 3, StrideH: 2, StrideW: 2, PadT: 1, PadL: 1, PadB: 1, PadR: 1}, false},
		{"avg_5x5_s1_p2_wide_exclude_pad", 23, 37, PoolShape{KH: 5, KW: 5, StrideH: 1, StrideW: 1, PadT: 2, PadL: 2, PadB: 2, PadR: 2}, false},
		{"avg_5x5_s1_p2_include_pad", 23, 37, PoolShape{KH: 5, KW: 5, StrideH: 1, StrideW: 1, PadT: 2, PadL: 2, PadB: 2, PadR: 2, CountIncludePad: true}, false},
		{"avg_global_scalar", 9, 11, PoolShape{KH: 9, KW: 11, StrideH: 1, StrideW: 1}, false},
		{"avg_2x2_s2_odd_wide", 33, 35, PoolShape{KH: 2, KW: 2, StrideH: 2, StrideW: 2, PadB: 1, PadR: 1}, false},
		// tall enough (and large enough) to be split by rows on 2 and 3 threads
		{"max_2x2_s2_tall", 70, 41, PoolShape{KH: 2, KW: 2, StrideH: 2, StrideW: 2}, true},
		{"max_3x3_s2_p1_tall", 75, 40, PoolShape{KH: 3, KW: 3, StrideH: 2, StrideW: 2, PadT: 1, PadL: 1, PadB: 1, PadR: 1}, true},
		{"avg_3x3_s2_p1_tall", 69, 41, PoolShape{KH: 3, KW: 3, StrideH: 2, StrideW: 2, PadT: 1, PadL: 1, PadB: 1, PadR: 1}, false},
		{"avg_5x5_s1_p2_tall_exclude_pad", 45, 61, PoolShape{KH: 5, KW: 5, StrideH: 1, StrideW: 1, PadT: 2, PadL: 2, PadB: 2, PadR: 2}, false},
	}
	for _, threads := range []int{1, 2, 3} {
		old := gemm.Threads()
		gemm.SetThreads(threads)
		defer gemm.SetThreads(old)
		for _, tc := range cs {
			testPoolCase(t, threads, tc.name, tc.h, tc.w, tc.p, tc.max)
		}
	}
}

func testPoolCase(t *testing.T, threads int, name string, h, w int, p PoolShape, isMax bool) {
	tc := struct {
		h, w int
		p    PoolShape
		max  bool
	}{h, w, p, isMax}
	t.Run(fmt.Sprintf("t%d/%s", threads, name), func(t *testing.T) {
		c := 3
		rng := rand.New(rand.NewPCG(uint64(tc.h), uint64(tc.w)))
		src := randBuf(rng, c*tc.h*tc.w)
		oh, ow := tc.p.PoolOut(tc.h, tc.w)
		dst := newBuf(c * oh * ow)
		want := make([]float32, c*oh*ow)
		Pool2DRef(want, src.s, c, tc.h, tc.w, tc.p, tc.max)
		if tc.max {
			MaxPool2D(dst.s, src.s, c, tc.h, tc.w, tc.p)
		} else {
			AvgPool2D(dst.s, src.s, c, tc.h, tc.w, tc.p)
		}
		dst.checkGuards(t, "dst")
		same(t, dst.s, want)
	})
}

func TestUpsample(t *testing.T) {
	t.Run("nearest", func(t *testing.T) {
		for _, f := range [][2]int{{2, 2}, {3, 1}, {1, 3}} {
			t.Run(fmt.Sprintf("%dx%d", f[0], f[1]), func(t *testing.T) {
				c, h, w := 2, 5, 7
				rng := rand.New(rand.NewPCG(1, uint64(f[0])))
				src := randBuf(rng, c*h*w)
				dst := newBuf(c * h * f[0] * w * f[1])
				want := make([]float32, len(dst.s))
				UpsampleNearestRef(want, src.s, c, h, w, f[0], f[1])
				UpsampleNearest(dst.s, src.s, c, h, w, f[0], f[1])
				dst.checkGuards(t, "dst")
				same(t, dst.s, want)
			})
		}
	})
	t.Run("bilinear", func(t *testing.T) {
		for _, tc := range []struct {
			h, w, oh, ow int
			align        bool
		}{{5, 7, 10, 14, false}, {5, 7, 10, 14, true}, {4, 4, 7, 3, false}, {1, 3, 2, 9, true}} {
			t.Run(fmt.Sprintf("%dx%d_to_%dx%d_align%v", tc.h, tc.w, tc.oh, tc.ow, tc.align), func(t *testing.T) {
				c := 2
				rng := rand.New(rand.NewPCG(uint64(tc.h), uint64(tc.ow)))
				src := randBuf(rng, c*tc.h*tc.w)
				dst := newBuf(c * tc.oh * tc.ow)
				want := make([]float32, len(dst.s))
				UpsampleBilinearRef(want, src.s, c, tc.h, tc.w, tc.oh, tc.ow, tc.align)
				UpsampleBilinear(dst.s, src.s, c, tc.h, tc.w, tc.oh, tc.ow, tc.align, make([]int, tc.ow), make([]int, tc.ow), make([]float32, tc.ow))
				dst.checkGuards(t, "dst")
				same(t, dst.s, want)
			})
		}
	})
}

func TestNoAllocs(t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		s := ConvShape{C: 16, H: 22, W: 22, M: 16, KH: 3, KW: 3, StrideH: 1, StrideW: 1, DilH: 1, DilW: 1, PadT: 1, PadL: 1, PadB: 1, PadR: 1, Groups: 1}
		src := make([]float32, s.C*s.H*s.W)
		wt := make([]float32, s.M*s.C*9)
		dst := make([]float32, s.M*s.OutH()*s.OutW())
		work := make([]float32, ConvWorkSize(s))
		relu := Activation{Kind: ActReLU}
		// a first layer big enough for the parallel im2col and epilogue
		big := ConvShape{C: 3, H: 160, W: 160, M: 16, KH: 3, KW: 3, StrideH: 2, StrideW: 2, DilH: 1, DilW: 1, PadT: 1, PadL: 1, PadB: 1, PadR: 1, Groups: 1}
		bigSrc := make([]float32, big.C*big.H*big.W)
		bigW := make([]float32, big.M*big.C*9)
		bigDst := make([]float32, big.M*big.OutH()*big.OutW())
		bigWork := make([]float32, ConvWorkSize(big))
		dw5 := ConvShape{C: 16, H: 22, W: 22, M: 16, KH: 5, KW: 5, StrideH: 1, StrideW: 1, DilH: 1, DilW: 1, PadT: 2, PadL: 2, PadB: 2, PadR: 2, Groups: 16}
		pool := PoolShape{KH: 3, KW: 3, StrideH: 2, StrideW: 2, PadT: 1, PadL: 1, PadB: 1, PadR: 1}
		silu := Activation{Kind: ActSiLU}
		run := func() {
			Conv2D(dst, src, wt, nil, s, relu, work)
			DepthwiseConv3x3(dst, src, wt, nil, s.C, s.H, s.W, 1, relu)
			DepthwiseConv2D(dst, src, wt, nil, dw5, silu)
			MaxPool2D(dst, src, s.C, s.H, s.W, pool)
			AvgPool2D(dst, src, s.C, s.H, s.W, pool)
			Conv2D(bigDst, bigSrc, bigW, nil, big, silu, bigWork)
		}
		run()
		if n := testing.AllocsPerRun(20, run); n != 0 {
			t.Fatalf("%.1f allocations per round of kernels after warm-up, want 0", n)
		}
	})
}

func TestLSTMCell(t *testing.T) {
	for _, hidden := range []int{1, 7, 16, 64, 129} {
		t.Run(fmt.Sprintf("hidden%d", hidden), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(hidden), 5))
			gates := randBuf(rng, 4*hidden)
			for i := range gates.s {
				gates.s[i] *= 4 // reach the saturated ends of sigmoid and tanh
			}
			c := randBuf(rng, hidden)
			h := newBuf(hidden)
			wantC := append([]float32(nil), c.s...)
			wantH := make([]float32, hidden)
			LSTMCellRef(wantH, wantC, gates.s, hidden)
			LSTMCell(h.s, c.s, gates.s, hidden)
			h.checkGuards(t, "h")
			c.checkGuards(t, "c")
			same(t, c.s, wantC)
			same(t, h.s, wantH)
		})
	}
}

func TestDepthwiseConv2D(t *testing.T) {
	dw := func(c, h, w, k, s, pt, pl, pb, pr int) ConvShape {
		return ConvShape{C: c, H: h, W: w, M: c, KH: k, KW: k, StrideH: s, StrideW: s, DilH: 1, DilW: 1,
			PadT: pt, PadL: pl, PadB: pb, PadR: pr, Groups: c}
	}
	cs := []struct {
		name string
		s    ConvShape
	}{
		{"5x5_s1_p2_narrow", dw(3, 11, 11, 5, 1, 2, 2, 2, 2)},
		{"5x5_s1_p2_wide", dw(4, 22, 40, 5, 1, 2, 2, 2, 2)},
		{"5x5_s2_p2", dw(3, 44, 45, 5, 2, 2, 2, 2, 2)},
		{"5x5_s1_asymmetric", dw(2, 9, 19, 5, 1, 0, 1, 2, 3)},
		{"5x5_s1_no_pad_16_wide", dw(3, 8, 20, 5, 1, 0, 0, 0, 0)},
		{"3x3_s1_no_pad", dw(2, 20, 35, 3, 1, 0, 0, 0, 0)},
		{"3x3_s2_asymmetric", dw(2, 21, 40, 3, 2, 0, 0, 1, 1)},
		{"7x7_s1_p3", dw(2, 15, 33, 7, 1, 3, 3, 3, 3)},
		{"1x1_s2", dw(3, 9, 40, 1, 2, 0, 0, 0, 0)},
		{"4x4_s2_p1", dw(2, 17, 36, 4, 2, 1, 1, 1, 1)},
		// tall enough (and large enough) to be split by rows on 2 and 3 threads
		{"5x5_s1_p2_tall", dw(5, 50, 40, 5, 1, 2, 2, 2, 2)},
		{"5x5_s2_p2_tall", dw(4, 71, 45, 5, 2, 2, 2, 2, 2)},
		{"7x7_s1_p3_tall", dw(3, 61, 48, 7, 1, 3, 3, 3, 3)},
		{"3x3_s2_asymmetric_tall", dw(3, 67, 41, 3, 2, 0, 0, 1, 1)},
		{"3x3_s1_no_pad_tall", dw(3, 70, 40, 3, 1, 0, 0, 0, 0)},
	}
	acts := []Activation{{Kind: ActNone}, {Kind: ActReLU}, {Kind: ActLeaky, Alpha: 0.1}, {Kind: ActSiLU}}
	forEachPath(t, func(t *testing.T) {
		for _, threads := range []int{1, 2, 3} {
			old := gemm.Threads()
			gemm.SetThreads(threads)
			defer gemm.SetThreads(old)
			testDepthwise2D(t, threads, cs, acts)
		}
	})
}

func testDepthwise2D(t *testing.T, threads int, cs []struct {
	name string
	s    ConvShape
}, acts []Activation) {
	for _, tc := range cs {
		for ai, a := range acts {
			t.Run(fmt.Sprintf("t%d/%s/%s", threads, tc.name, a), func(t *testing.T) {
				s := tc.s
				rng := rand.New(rand.NewPCG(uint64(s.C*s.KH), uint64(s.W)))
				src := randBuf(rng, s.C*s.H*s.W)
				wt := randBuf(rng, s.C*s.KH*s.KW)
				var bias []float32
				if ai%2 == 0 {
					bias = randBuf(rng, s.C).s
				}
				n := s.C * s.OutH() * s.OutW()
				dst := newBuf(n)
				want := make([]float32, n)
				Conv2DRef(want, src.s, wt.s, bias, s, a)
				DepthwiseConv2D(dst.s, src.s, wt.s, bias, s, a)
				dst.checkGuards(t, "dst")
				same(t, dst.s, want)
			})
		}
	}
}

func TestActivateTo(t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		for _, a := range testActs {
			for _, n := range []int{1, 15, 16, 17, 100, 1000} {
				t.Run(fmt.Sprintf("%s/n%d", a, n), func(t *testing.T) {
					rng := rand.New(rand.NewPCG(uint64(n), 3))
					src := randBuf(rng, n)
					srcCopy := append([]float32(nil), src.s...)
					dst := newBuf(n)
					want := append([]float32(nil), src.s...)
					ActivateRef(want, a)
					ActivateTo(dst.s, src.s, a)
					dst.checkGuards(t, "dst")
					src.checkGuards(t, "src")
					for i := range srcCopy {
						if math.Float32bits(srcCopy[i]) != math.Float32bits(src.s[i]) {
							t.Fatalf("src modified at %d", i)
						}
					}
					same(t, dst.s, want)
					Activate(src.s, a) // in place
					same(t, src.s, want)
				})
			}
		}
	})
}

// TestPlaneScratchReuse runs max pooling (padding -Inf) and depthwise
// convolution (padding 0) of one geometry in turn: both reuse the same
// pooled scratch plane, whose border is written once per call, so a border
// left from the other kind of call would show in the result.
func TestPlaneScratchReuse(t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		s := ConvShape{C: 3, H: 13, W: 37, M: 3, KH: 3, KW: 3, StrideH: 1, StrideW: 1, DilH: 1, DilW: 1,
			PadT: 1, PadL: 1, PadB: 1, PadR: 1, Groups: 3}
		ps := PoolShape{KH: 3, KW: 3, StrideH: 1, StrideW: 1, PadT: 1, PadL: 1, PadB: 1, PadR: 1}
		for _, stride := range []int{1, 2} {
			s.StrideH, s.StrideW, ps.StrideH, ps.StrideW = stride, stride, stride, stride
			rng := rand.New(rand.NewPCG(7, uint64(stride)))
			src := randBuf(rng, s.C*s.H*s.W)
			wt := randBuf(rng, s.C*9)
			oh, ow := ps.PoolOut(s.H, s.W)
			pool := newBuf(s.C * oh * ow)
			wantPool := make([]float32, len(pool.s))
			Pool2DRef(wantPool, src.s, s.C, s.H, s.W, ps, true)
			dst := newBuf(s.C * s.OutH() * s.OutW())
			want := make([]float32, len(dst.s))
			Conv2DRef(want, src.s, wt.s, nil, s, Activation{})
			for round := 0; round < 2; round++ {
				MaxPool2D(pool.s, src.s, s.C, s.H, s.W, ps)
				same(t, pool.s, wantPool)
				DepthwiseConv2D(dst.s, src.s, wt.s, nil, s, Activation{})
				same(t, dst.s, want)
			}
			pool.checkGuards(t, "pool")
			dst.checkGuards(t, "dst")
		}
	})
}
