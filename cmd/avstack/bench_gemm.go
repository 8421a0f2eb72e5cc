package main

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/avstack/avstack/nn/gemm"
)

func init() {
	var (
		size, m, n, k, threads, runs int
		kernel                       string
		asJSON                       bool
	)
	cmd := &cobra.Command{
		Use:   "gemm --size N",
		Short: "Measure float32 GEMM throughput (GFLOP/s) of nn/gemm",
		Long: `Times C = A*B with nn/gemm (row-major, m x k times k x n; --size N sets all three) and prints
the median GFLOP/s over --runs calls, the thread count and the micro-kernel path (avx512, avx2
or go; --kernel or AVSTACK_CPU forces a lower one).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if m == 0 {
				m = size
			}
			if n == 0 {
				n = size
			}
			if k == 0 {
				k = size
			}
			if m <= 0 || n <= 0 || k <= 0 {
				return exitCode(2, fmt.Errorf("bench gemm: need --size or all of --m --n --k positive (m=%d n=%d k=%d)", m, n, k))
			}
			if kernel != "" {
				if err := gemm.SetKernel(kernel); err != nil {
					return exitCode(2, err)
				}
			}
			r, err := gemm.Bench(m, n, k, threads, runs)
			if err != nil {
				return exitCode(2, err)
			}
			w := cmd.OutOrStdout()
			if asJSON {
				return json.NewEncoder(w).Encode(r)
			}
			fmt.Fprintf(w, "sgemm m=%d n=%d k=%d threads=%d kernel=%s: %.1f GFLOP/s (median of %d)\n",
				r.M, r.N, r.K, r.Threads, r.Kernel, r.GFLOPS, r.Runs)
			return nil
		},
	}
	f := cmd.Flags()
	f.IntVar(&size, "size", 1024, "m = n = k")
	f.IntVar(&m, "m", 0, "rows of A and C (overrides --size)")
	f.IntVar(&n, "n", 0, "columns of B and C (overrides --size)")
	f.IntVar(&k, "k", 0, "inner dimension (overrides --size)")
	f.IntVar(&threads, "threads", 1, "threads")
	f.IntVar(&runs, "runs", 20, "timed calls")
	f.StringVar(&kernel, "kernel", "", "force a path: avx512, avx2 or go (default: fastest this CPU runs)")
	f.BoolVar(&asJSON, "json", false, "print JSON")
	benchCmd.AddCommand(cmd)
}
