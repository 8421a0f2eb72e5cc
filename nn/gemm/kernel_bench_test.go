package gemm

import (
	"fmt"
	"testing"
)

// BenchmarkMicroKernel runs the active micro-kernel on L1-resident slivers:
// the ceiling the driver's blocking can reach.
func BenchmarkMicroKernel(b *testing.B) {
	for _, name := range Kernels() {
		p := impls[name]
		for _, kc := range []int{128, 256, 384} {
			b.Run(fmt.Sprintf("%s/kc%d", name, kc), func(b *testing.B) {
				a := grow(nil, p.mr*kc)
				bb := grow(nil, p.nr*kc)
				c := grow(nil, p.mr*p.nr)
				for i := range a {
					a[i] = float32(i%7) * 0.25
				}
				for i := range bb {
					bb[i] = float32(i%5) * 0.5
				}
				for b.Loop() {
					p.kern(kc, &a[0], &bb[0], p.nr, &c[0], p.nr, 1, 1, p.mr, p.nr)
				}
				b.ReportMetric(2*float64(p.mr*p.nr*kc)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}
