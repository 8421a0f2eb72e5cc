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

// BenchmarkPack times packing one k block of a 1024 x 1024 operand for the
// active kernel: B (non-transposed, all columns) and A (one mc block).
func BenchmarkPack(b *testing.B) {
	p := active.Load()
	const n = 1024
	src := make([]float32, n*n)
	for i := range src {
		src[i] = float32(i % 13)
	}
	for _, tr := range []bool{false, true} {
		pr := &problem{p: p, m: n, n: n, k: n, a: src, b: src, lda: n, ldb: n, transA: tr, transB: tr}
		b.Run(fmt.Sprintf("B/trans%v", tr), func(b *testing.B) {
			dst := grow(nil, n*p.kc)
			for b.Loop() {
				packB(pr, dst, p.nr, 0, p.kc, 0, n)
			}
			b.ReportMetric(float64(n*p.kc*4)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GB/s")
		})
		b.Run(fmt.Sprintf("A/trans%v", tr), func(b *testing.B) {
			dst := grow(nil, p.mc*p.kc)
			for b.Loop() {
				packA(pr, dst, p.mr, 0, p.mc, 0, p.kc)
			}
			b.ReportMetric(float64(p.mc*p.kc*4)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GB/s")
		})
	}
}
