//go:build openblas && cgo

package gemm

// Side-by-side comparison with OpenBLAS (Debian libopenblas-dev):
//
//	OPENBLAS_CORETYPE=SkylakeX go test -tags openblas -run XX -bench VsOpenBLAS ./nn/gemm/
//
// Each iteration of the benchmark loop is one round: a block of our Sgemm
// calls and a block of cblas_sgemm calls on the same operands (which goes
// first alternates from round to round), each preceded by a pause so that
// neither side's idle threads steal the cores of the other: OpenBLAS keeps
// its workers spinning after a call (by default for about 2^28 cycles, tens
// of milliseconds; OPENBLAS_THREAD_TIMEOUT shortens it), while Go parks idle
// workers at once. The medians over the rounds and their ratio are
// reported, so both sides see the same machine load, and the median of the
// per-round ratios (paired-ratio). One iteration is roundsPerIter rounds;
// run with -benchtime Nx for N times as many.

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/avstack/avstack/nn/gemm/internal/openblas"
)

// roundsPerIter is the rounds one benchmark iteration runs, so that even the
// default -benchtime (one iteration: a round takes over 300 ms) gives a
// median over several; even, so each side goes first equally often.
const roundsPerIter = 6

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
				var ours, theirs, paired []float64
				for b.Loop() {
					for round := 0; round < roundsPerIter; round++ {
						var o, t float64
						// The side that goes first alternates, so neither
						// is favoured by what the machine did just before.
						if round%2 == 0 {
							o = timeBlock(reps, flops, func() { Sgemm(false, false, s.m, s.n, s.k, 1, a, s.k, bb, s.n, 0, c, s.n) })
							t = timeBlock(reps, flops, func() { openblas.Sgemm(s.m, s.n, s.k, a, bb, c2) })
						} else {
							t = timeBlock(reps, flops, func() { openblas.Sgemm(s.m, s.n, s.k, a, bb, c2) })
							o = timeBlock(reps, flops, func() { Sgemm(false, false, s.m, s.n, s.k, 1, a, s.k, bb, s.n, 0, c, s.n) })
						}
						ours, theirs, paired = append(ours, o), append(theirs, t), append(paired, o/t)
					}
				}
				slices.Sort(ours)
				slices.Sort(theirs)
				slices.Sort(paired)
				mo, mt := ours[len(ours)/2], theirs[len(theirs)/2]
				b.ReportMetric(mo, "GFLOP/s")
				b.ReportMetric(mt, "openblas-GFLOP/s")
				// paired-ratio: the median of the rounds' own ratios, less
				// sensitive to load that changes between rounds.
				b.ReportMetric(paired[len(paired)/2], "paired-ratio")
				b.ReportMetric(mo/mt, "ratio")
			})
		}
	}
}

// timeBlock pauses (see above), then times reps calls of f and returns the
// rate in GFLOP/s.
func timeBlock(reps int, flops float64, f func()) float64 {
	time.Sleep(150 * time.Millisecond)
	t0 := time.Now()
	for r := 0; r < reps; r++ {
		f()
	}
	return flops * float64(reps) / time.Since(t0).Seconds() / 1e9
}
