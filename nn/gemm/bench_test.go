package gemm

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

type benchShape struct {
	name    string
	m, n, k int
}

// benchShapes are square sizes and the convolution GEMMs of the detectors
// (M = output channels, N = H*W, K = input channels * 9, or * 1 for 1x1).
func benchShapes() []benchShape {
	var s []benchShape
	for _, n := range []int{64, 128, 256, 512, 1024, 2048} {
		s = append(s, benchShape{fmt.Sprintf("square%d", n), n, n, n})
	}
	s = append(s,
		benchShape{"fastestdet_conv1_24x176x176_k27", 24, 176 * 176, 27},
		benchShape{"fastestdet_pw_48x44x44_k48", 48, 44 * 44, 48},
		benchShape{"fastestdet_pw_96x22x22_k96", 96, 22 * 22, 96},
		benchShape{"fastestdet_head_96x22x22_k864", 96, 22 * 22, 864},
		benchShape{"yolofastest_conv1_8x160x160_k27", 8, 160 * 160, 27},
		benchShape{"yolofastest_pw_48x40x40_k16", 48, 40 * 40, 16},
		benchShape{"yolofastest_pw_96x20x20_k96", 96, 20 * 20, 96},
		benchShape{"yolofastest_head_96x20x20_k864", 96, 20 * 20, 864},
		benchShape{"lstm_step_1x512x128", 1, 512, 128},
	)
	return s
}

func benchOperands(s benchShape) (a, b, c []float32) {
	rng := rand.New(rand.NewPCG(1, 2))
	a = make([]float32, s.m*s.k)
	b = make([]float32, s.k*s.n)
	c = make([]float32, s.m*s.n)
	for i := range a {
		a[i] = rng.Float32()
	}
	for i := range b {
		b[i] = rng.Float32()
	}
	return a, b, c
}

func reportGflops(b *testing.B, s benchShape) {
	flops := 2 * float64(s.m) * float64(s.n) * float64(s.k)
	b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

// BenchmarkSgemm runs every path at 1 and 2 threads with gonum's blas32 (pure
// Go, single-threaded) as the naive peer in the same table.
func BenchmarkSgemm(b *testing.B) {
	for _, s := range benchShapes() {
		a, bb, c := benchOperands(s)
		for _, kern := range testKernels(b) {
			for _, th := range []int{1, 2} {
				b.Run(fmt.Sprintf("%s/%s/threads%d", s.name, kern, th), func(b *testing.B) {
					withKernel(b, kern, func() {
						old := Threads()
						SetThreads(th)
						defer SetThreads(old)
						for b.Loop() {
							Sgemm(false, false, s.m, s.n, s.k, 1, a, s.k, bb, s.n, 0, c, s.n)
						}
						reportGflops(b, s)
					})
				})
			}
		}
		b.Run(fmt.Sprintf("%s/gonum/threads1", s.name), func(b *testing.B) {
			ga := blas32.General{Rows: s.m, Cols: s.k, Stride: s.k, Data: a}
			gb := blas32.General{Rows: s.k, Cols: s.n, Stride: s.n, Data: bb}
			gc := blas32.General{Rows: s.m, Cols: s.n, Stride: s.n, Data: c}
			for b.Loop() {
				blas32.Gemm(blas.NoTrans, blas.NoTrans, 1, ga, gb, 0, gc)
			}
			reportGflops(b, s)
		})
	}
}
