//go:build !noasm

package gemm

import "golang.org/x/sys/cpu"

// kernAVX512 is the 12x32 AVX-512 micro-kernel (24 zmm accumulators); see
// microKernel for the contract and kernGo for the same computation in Go.
// It stores only rows x cols of the tile (opmask stores).
//
//go:noescape
func kernAVX512(k int, a, b *float32, ldb int, c *float32, ldc int, alpha, beta float32, rows, cols int)

// kernAVX2 is the 6x16 AVX2+FMA micro-kernel (12 ymm accumulators). It
// stores only the first rows rows, always all 16 columns.
//
//go:noescape
func kernAVX2(k int, a, b *float32, ldb int, c *float32, ldc int, alpha, beta float32, rows, cols int)

// packRows4 transposes a 4 x 4*n4 block: dst[p*mr+i] = src[i*lda+p] for
// i < 4, p < 4*n4 (pack_amd64.s, AVX).
//
//go:noescape
func packRows4(dst *float32, mr int, src *float32, lda int, n4 int)

// sdotAVX512 and sdotAVX2 return sum_i x[i]*y[i], i < n, n a multiple of
// 16 (8); saxpy* set y[i] += alpha*x[i] (kernels_amd64.s).
//
//go:noescape
func sdotAVX512(x, y *float32, n int) float32

//go:noescape
func sdotAVX2(x, y *float32, n int) float32

//go:noescape
func saxpyAVX512(alpha float32, x, y *float32, n int)

//go:noescape
func saxpyAVX2(alpha float32, x, y *float32, n int)

func registerAsm() {
	if cpu.X86.HasAVX512F {
		register(&impl{name: "avx512", mr: 12, nr: 32, kc: 256, mc: 240, nc: 4096, kern: kernAVX512, pack4: packRows4, partialCols: true,
			lanes: 16, sdot: sdotAVX512, saxpy: saxpyAVX512})
	}
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		register(&impl{name: "avx2", mr: 6, nr: 16, kc: 256, mc: 192, nc: 2048, kern: kernAVX2, pack4: packRows4,
			lanes: 8, sdot: sdotAVX2, saxpy: saxpyAVX2})
	}
}
