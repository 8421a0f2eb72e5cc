package gemm

import (
	"fmt"
	"slices"
	"time"
)

// BenchResult is one measured GEMM shape; its JSON form is the output of
// `avstack bench gemm --json`.
type BenchResult struct {
	M       int     `json:"m"`
	N       int     `json:"n"`
	K       int     `json:"k"`
	Threads int     `json:"threads"`
	GFLOPS  float64 `json:"gflops"` // median over Runs timed calls
	Kernel  string  `json:"kernel"`
	Runs    int     `json:"runs"`
}

// Bench times C = A*B (row-major, no transposes, m x k times k x n) with the
// given thread count and returns the median GFLOP/s over runs calls, after
// one untimed warm-up call. Operands hold a fixed pseudo-random pattern. The
// thread setting is restored afterwards.
func Bench(m, n, k, threads, runs int) (BenchResult, error) {
	if m < 1 || n < 1 || k < 1 {
		return BenchResult{}, fmt.Errorf("gemm: bench shape m=%d n=%d k=%d must be positive", m, n, k)
	}
	if threads < 1 {
		return BenchResult{}, fmt.Errorf("gemm: bench threads=%d must be at least 1", threads)
	}
	if runs < 1 {
		return BenchResult{}, fmt.Errorf("gemm: bench runs=%d must be at least 1", runs)
	}
	a := make([]float32, m*k)
	b := make([]float32, k*n)
	c := make([]float32, m*n)
	for i := range a {
		a[i] = float32((i*2654435761)%1000) / 1000
	}
	for i := range b {
		b[i] = float32((i*40503)%1000) / 1000
	}
	old := Threads()
	SetThreads(threads)
	defer SetThreads(old)
	Sgemm(false, false, m, n, k, 1, a, k, b, n, 0, c, n)
	flops := 2 * float64(m) * float64(n) * float64(k)
	rates := make([]float64, runs)
	for r := range rates {
		t0 := time.Now()
		Sgemm(false, false, m, n, k, 1, a, k, b, n, 0, c, n)
		rates[r] = flops / time.Since(t0).Seconds() / 1e9
	}
	slices.Sort(rates)
	return BenchResult{M: m, N: n, K: k, Threads: threads, GFLOPS: rates[runs/2], Kernel: Kernel(), Runs: runs}, nil
}
