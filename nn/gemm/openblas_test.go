//go:build openblas && cgo

package gemm

// Side-by-side comparison with OpenBLAS (Debian libopenblas-dev):
//
//	OPENBLAS_CORETYPE=SkylakeX go test -tags openblas -run XX -bench VsOpenBLAS ./nn/gemm/
//
// Each iteration of the benchmark loop is one round: a block of our Sgemm
// calls, then a block of cblas_sgemm calls on the same operands, each
// preceded by a pause so that neither side's idle threads steal the cores of
// the other: OpenBLAS keeps its workers spinning after a call (by default
// for about 2^28 cycles, tens of milliseconds; OPENBLAS_THREAD_TIMEOUT
// shortens it), while Go parks idle workers at once. The
// medians over the rounds and their ratio are reported, so both sides see
// the same machine load; run with -benchtime Nx for N rounds.

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/avstack/avstack/nn/gemm/internal/openblas"
)

func BenchmarkVsOpenBLAS(b *testing.B) {
	for _, s := range benchShapes() {
		if s.m*s.n*s.k > 1<<31 {
			continue
		}
		a, bb, c := benchOperands(s)
		c2 := make([]float32, len(c))
		flops := 2 * float64(s.m) * float64(s.n) * float64(s.k)
		reps := max(1, int(2e8/flops)) // calls per block: about 1 ms of work or more
		for _, th := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/%s/threads%d", s.name, Kernel(), th), func(b *testing.B) {
				old := Threads()
				SetThreads(th)
				defer SetThreads(old)
				openblas.SetThreads(th)
				Sgemm(false, false, s.m, s.n, s.k, 1, a, s.k, bb, s.n, 0, c, s.n)
				openblas.Sgemm(s.m, s.n, s.k, a, bb, c2)
				var ours, theirs []float64
				for b.Loop() {
					time.Sleep(150 * time.Millisecond)
					t0 := time.Now()
					for r := 0; r < reps; r++ {
						Sgemm(false, false, s.m, s.n, s.k, 1, a, s.k, bb, s.n, 0, c, s.n)
					}
					ours = append(ours, flops*float64(reps)/time.Since(t0).Seconds()/1e9)
					time.Sleep(150 * time.Millisecond)
					t0 = time.Now()
					for r := 0; r < reps; r++ {
						openblas.Sgemm(s.m, s.n, s.k, a, bb, c2)
					}
					theirs = append(theirs, flops*float64(reps)/time.Since(t0).Seconds()/1e9)
				}
				slices.Sort(ours)
				slices.Sort(theirs)
				mo, mt := ours[len(ours)/2], theirs[len(theirs)/2]
				b.ReportMetric(mo, "GFLOP/s")
				b.ReportMetric(mt, "openblas-GFLOP/s")
				b.ReportMetric(mo/mt, "ratio")
			})
		}
	}
}
