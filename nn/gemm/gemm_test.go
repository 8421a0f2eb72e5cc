package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"testing"
)

// testKernels are the dispatch paths the tests exercise: the one forced with
// AVSTACK_CPU, else every path this CPU and build can run.
func testKernels(t testing.TB) []string {
	if f := os.Getenv("AVSTACK_CPU"); f != "" {
		return []string{f}
	}
	return Kernels()
}

// withKernel runs f with the given path active and restores the old one.
func withKernel(t testing.TB, name string, f func()) {
	old := Kernel()
	if err := SetKernel(name); err != nil {
		t.Fatal(err)
	}
	defer SetKernel(old)
	f()
}

const guard = 37 // elements of NaN before and after every buffer

// guarded returns a buffer of rows x ld (row stride ld >= cols) whose
// elements outside the cols x rows matrix, and in a guard band around it,
// are NaN; the matrix itself is random in [-1, 1).
func guarded(rng *rand.Rand, rows, cols, ld int) (full, mat []float32) {
	n := 0
	if rows > 0 {
		n = (rows-1)*ld + cols
	}
	full = make([]float32, n+2*guard)
	for i := range full {
		full[i] = float32(math.NaN())
	}
	mat = full[guard : guard+n]
	for r := 0; r < rows; r++ {
		for c := 0; c < cols; c++ {
			mat[r*ld+c] = rng.Float32()*2 - 1
		}
	}
	return full, mat
}

type gemmCase struct {
	name           string
	transA, transB bool
	m, n, k        int
	alpha, beta    float32
	pad            int // extra stride on every operand
}

func gemmCases() []gemmCase {
	var cs []gemmCase
	dims := [][3]int{
		{1, 1, 1}, {1, 3, 17}, {3, 1, 17}, {17, 17, 17}, {12, 32, 5}, {6, 16, 9},
		{63, 65, 127}, {65, 63, 3}, {127, 129, 64}, {13, 33, 1}, {1, 1000, 7},
		{100, 1, 300}, {1, 512, 128}, {1, 37, 2000}, {300, 1, 1500}, {1, 1, 70}, {24, 484, 27}, {96, 121, 432}, {250, 70, 600}, {37, 4200, 3},
		{1000, 37, 513},
	}
	for _, d := range dims {
		for _, ta := range []bool{false, true} {
			for _, tb := range []bool{false, true} {
				cs = append(cs, gemmCase{
					name:   fmt.Sprintf("m%d_n%d_k%d_tA%v_tB%v", d[0], d[1], d[2], ta, tb),
					transA: ta, transB: tb, m: d[0], n: d[1], k: d[2], alpha: 1, beta: 0,
				})
			}
		}
	}
	cs = append(cs,
		gemmCase{name: "alpha_beta", m: 33, n: 47, k: 70, alpha: -0.5, beta: 2},
		gemmCase{name: "alpha_beta_trans_padded", transA: true, transB: true, m: 65, n: 70, k: 300, alpha: 1.5, beta: -1, pad: 5},
		gemmCase{name: "beta_one_multi_kblock", m: 40, n: 100, k: 700, alpha: 1, beta: 1, pad: 3},
		gemmCase{name: "padded_strides", m: 29, n: 31, k: 33, alpha: 1, beta: 0, pad: 11},
		gemmCase{name: "alpha_zero", m: 20, n: 20, k: 20, alpha: 0, beta: 0.5},
		gemmCase{name: "k_zero", m: 20, n: 20, k: 0, alpha: 1, beta: 3},
		gemmCase{name: "m_zero", m: 0, n: 20, k: 5, alpha: 1, beta: 3},
		gemmCase{name: "square_1000", m: 1000, n: 1000, k: 64, alpha: 1, beta: 0},
		// Several n panels (nc is 4096 at most) and k panels (kc 256), so
		// the threaded path reuses its double-buffered B; ragged last sliver.
		gemmCase{name: "multi_panel_direct_b", m: 30, n: 4133, k: 530, alpha: 1, beta: 0.5, pad: 2},
		gemmCase{name: "multi_panel_packed_b", transB: true, m: 60, n: 4133, k: 530, alpha: -1, beta: 1, pad: 1},
	)
	// Matrix-vector shapes with strides (gemv.go), every transpose.
	for _, ta := range []bool{false, true} {
		for _, tb := range []bool{false, true} {
			cs = append(cs,
				gemmCase{name: fmt.Sprintf("gemv_row_padded_tA%v_tB%v", ta, tb), transA: ta, transB: tb, m: 1, n: 50, k: 70, alpha: 0.5, beta: 1.5, pad: 3},
				gemmCase{name: fmt.Sprintf("gemv_col_padded_tA%v_tB%v", ta, tb), transA: ta, transB: tb, m: 60, n: 1, k: 40, alpha: -1, beta: 0, pad: 2},
				gemmCase{name: fmt.Sprintf("gemv_col_long_k_tA%v_tB%v", ta, tb), transA: ta, transB: tb, m: 9, n: 1, k: 1500, alpha: 1, beta: 2, pad: 1},
			)
		}
	}
	return cs
}

// runCase checks Sgemm against Reference for one case, including the guard
// bands and the read-only operands, and returns C for comparisons.
func runCase(t *testing.T, tc gemmCase) []float32 {
	rng := rand.New(rand.NewPCG(uint64(tc.m*7919+tc.n*31+tc.k), 1))
	ar, ac := tc.m, tc.k
	if tc.transA {
		ar, ac = tc.k, tc.m
	}
	br, bc := tc.k, tc.n
	if tc.transB {
		br, bc = tc.n, tc.k
	}
	lda, ldb, ldc := ac+tc.pad, bc+tc.pad, tc.n+tc.pad
	aFull, a := guarded(rng, ar, ac, lda)
	bFull, b := guarded(rng, br, bc, ldb)
	cFull, c := guarded(rng, tc.m, tc.n, ldc)
	aCopy := append([]float32(nil), aFull...)
	bCopy := append([]float32(nil), bFull...)
	if tc.beta == 0 {
		// C must not be read: poison it.
		for i := 0; i < tc.m; i++ {
			for j := 0; j < tc.n; j++ {
				c[i*ldc+j] = float32(math.NaN())
			}
		}
	}
	want := append([]float32(nil), cFull...)
	wantC := want[guard : guard+len(c)]
	Reference(tc.transA, tc.transB, tc.m, tc.n, tc.k, tc.alpha, a, lda, b, ldb, tc.beta, wantC, ldc)
	// Error bound: tol * (|alpha| sum|a||b| + |beta c|).
	absA := make([]float32, len(a))
	absB := make([]float32, len(b))
	for i := range a {
		absA[i] = float32(math.Abs(float64(a[i])))
	}
	for i := range b {
		absB[i] = float32(math.Abs(float64(b[i])))
	}
	bound := make([]float32, len(c))
	Reference(tc.transA, tc.transB, tc.m, tc.n, tc.k, float32(math.Abs(float64(tc.alpha))), absA, lda, absB, ldb, 0, bound, ldc)

	Sgemm(tc.transA, tc.transB, tc.m, tc.n, tc.k, tc.alpha, a, lda, b, ldb, tc.beta, c, ldc)

	for i := range aFull {
		if math.Float32bits(aFull[i]) != math.Float32bits(aCopy[i]) {
			t.Fatalf("A modified at %d", i-guard)
		}
	}
	for i := range bFull {
		if math.Float32bits(bFull[i]) != math.Float32bits(bCopy[i]) {
			t.Fatalf("B modified at %d", i-guard)
		}
	}
	inside := func(idx int) (int, int, bool) {
		x := idx - guard
		if x < 0 || x >= len(c) {
			return 0, 0, false
		}
		i, j := x/ldc, x%ldc
		return i, j, j < tc.n
	}
	worst, wi, wj := 0.0, -1, -1
	for idx := range cFull {
		i, j, in := inside(idx)
		if !in {
			if !math.IsNaN(float64(cFull[idx])) {
				t.Fatalf("write outside C at offset %d (guard or row gap): %v", idx-guard, cFull[idx])
			}
			continue
		}
		got, ref := float64(cFull[idx]), float64(want[idx])
		tol := 1e-6 + 1e-5*(float64(bound[i*ldc+j])+math.Abs(float64(tc.beta)*float64(cCopyAt(want, cFull, idx))))
		d := math.Abs(got - ref)
		if math.IsNaN(got) || d > tol {
			t.Fatalf("C[%d][%d] = %v, reference %v (diff %g > tol %g)", i, j, got, ref, d, tol)
		}
		if d > worst {
			worst, wi, wj = d, i, j
		}
	}
	t.Logf("worst |diff| %.3g at [%d][%d]", worst, wi, wj)
	return c
}

// cCopyAt is a size for the beta term of the tolerance; the reference
// output is of the same magnitude as beta*C0.
func cCopyAt(want, _ []float32, idx int) float32 { return want[idx] }

func TestSgemmMatchesReference(t *testing.T) {
	for _, kern := range testKernels(t) {
		for _, th := range []int{1, 2, 3} {
			t.Run(fmt.Sprintf("%s/threads%d", kern, th), func(t *testing.T) {
				withKernel(t, kern, func() {
					old := Threads()
					SetThreads(th)
					defer SetThreads(old)
					for _, tc := range gemmCases() {
						t.Run(tc.name, func(t *testing.T) { runCase(t, tc) })
					}
				})
			})
		}
	}
}

// TestSgemmThreadsBitIdentical holds the determinism promise of SetThreads.
func TestSgemmThreadsBitIdentical(t *testing.T) {
	for _, kern := range testKernels(t) {
		t.Run(kern, func(t *testing.T) {
			withKernel(t, kern, func() {
				old := Threads()
				defer SetThreads(old)
				for _, d := range [][3]int{{150, 333, 520}, {40, 4133, 530}, {200, 4133, 530}, {300, 4133, 530}} {
					m, n, k := d[0], d[1], d[2]
					rng := rand.New(rand.NewPCG(3, 4))
					_, a := guarded(rng, m, k, k)
					_, b := guarded(rng, k, n, n)
					var first []float32
					for _, th := range []int{1, 2, 4} {
						SetThreads(th)
						c := make([]float32, m*n)
						Sgemm(false, false, m, n, k, 1, a, k, b, n, 0, c, n)
						if first == nil {
							first = c
							continue
						}
						for i := range c {
							if math.Float32bits(c[i]) != math.Float32bits(first[i]) {
								t.Fatalf("%dx%dx%d threads=%d: C[%d]=%v differs from threads=1 %v", m, n, k, th, i, c[i], first[i])
							}
						}
					}
				}
			})
		})
	}
}

func TestSgemmNoAllocs(t *testing.T) {
	for _, kern := range testKernels(t) {
		t.Run(kern, func(t *testing.T) {
			withKernel(t, kern, func() {
				m, n, k := 96, 300, 200
				a := make([]float32, m*k)
				b := make([]float32, k*n)
				c := make([]float32, m*n)
				Sgemm(false, false, m, n, k, 1, a, k, b, n, 0, c, n)
				allocs := testing.AllocsPerRun(50, func() {
					Sgemm(false, false, m, n, k, 1, a, k, b, n, 0, c, n)
				})
				if allocs != 0 {
					t.Fatalf("Sgemm allocates %.1f times per call after warm-up, want 0", allocs)
				}
			})
		})
	}
}

func TestSgemmPanicsOnShortSlice(t *testing.T) {
	cases := []struct {
		name    string
		a, b, c int
		lda     int
	}{
		{"short_a", 5, 6, 6, 2},
		{"short_b", 6, 3, 6, 2},
		{"short_c", 6, 6, 5, 2},
		{"lda_too_small", 6, 6, 6, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatal("no panic")
				}
			}()
			Sgemm(false, false, 3, 2, 2, 1, make([]float32, tc.a), tc.lda, make([]float32, tc.b), 2, 0, make([]float32, tc.c), 2)
		})
	}
}

func TestChooseKernelRejectsUnknown(t *testing.T) {
	if _, err := chooseKernel("sse9"); err == nil {
		t.Fatal("chooseKernel accepted an unknown path")
	}
	if n, err := chooseKernel("go"); err != nil || n != "go" {
		t.Fatalf("chooseKernel(go) = %q, %v", n, err)
	}
}
