package gemm

//go:generate go run gen_kernels.go

import (
	"fmt"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
)

// microKernel computes one mr x nr tile of C from a packed sliver of A
// (k steps of mr values) and k rows of nr values of B, ldb apart (ldb = nr
// for a packed sliver, the row stride for B used in place):
//
//	C[i*ldc+j] = alpha*sum_p a[p*mr+i]*b[p*ldb+j] + beta*C[i*ldc+j]
//
// for i < rows and j < cols (a kernel whose impl has partialCols false
// stores all nr columns and is given cols = nr). C is not read when
// beta == 0.
type microKernel func(k int, a, b *float32, ldb int, c *float32, ldc int, alpha, beta float32, rows, cols int)

// impl is one dispatch path: a micro-kernel and the cache blocking tuned for it.
type impl struct {
	name       string
	mr, nr     int
	kc, mc, nc int // k, m and n block sizes (mc a multiple of mr, nc of nr)
	kern       microKernel
	// partialCols: the kernel stores only cols columns, so ragged tiles at
	// the right edge need no scratch tile.
	partialCols bool
	// Vector dot product and axpy for matrix-vector shapes (gemv.go), on
	// multiples of lanes elements; nil on the go path.
	lanes int
	sdot  func(x, y *float32, n int) float32
	saxpy func(alpha float32, x, y *float32, n int)
	// pack4, when set, transposes 4 rows of A into a sliver
	// (dst[p*mr+i] = src[i*lda+p], i < 4, p < 4*n4); see packA.
	pack4 func(dst *float32, mr int, src *float32, lda int, n4 int)
}

var (
	impls   = map[string]*impl{}
	active  atomic.Pointer[impl]
	threads atomic.Int32
)

func register(p *impl) { impls[p.name] = p }

func init() {
	register(&impl{name: "go", mr: 4, nr: 4, kc: 256, mc: 128, nc: 1024, kern: kernGo, partialCols: true, lanes: 1})
	registerAsm()
	name, err := chooseKernel(os.Getenv("AVSTACK_CPU"))
	if err != nil {
		// A forced path the CPU cannot run is a configuration error the
		// operator must see; silently running another path would hide it.
		panic(err)
	}
	active.Store(impls[name])
	threads.Store(int32(runtime.GOMAXPROCS(0)))
}

// preference lists the paths from fastest to slowest.
var preference = []string{"avx512", "avx2", "go"}

// chooseKernel picks the fastest path the CPU supports, or the forced one.
func chooseKernel(force string) (string, error) {
	if force != "" {
		if _, ok := impls[force]; !ok {
			return "", fmt.Errorf("gemm: AVSTACK_CPU=%q is not available on this CPU/build (have %v)", force, Kernels())
		}
		return force, nil
	}
	for _, n := range preference {
		if _, ok := impls[n]; ok {
			return n, nil
		}
	}
	return "go", nil
}

// Kernel names the micro-kernel path in use: "avx512", "avx2" or "go".
func Kernel() string { return active.Load().name }

// Kernels lists the paths this CPU and build can run, fastest first.
func Kernels() []string {
	var out []string
	for _, n := range preference {
		if _, ok := impls[n]; ok {
			out = append(out, n)
		}
	}
	return out
}

// SetKernel switches the path Sgemm uses (for tests and benchmarks that
// compare paths in one process). It returns an error naming the path when
// the CPU or build cannot run it. Not safe to call while Sgemm runs.
func SetKernel(name string) error {
	p, ok := impls[name]
	if !ok {
		return fmt.Errorf("gemm: kernel %q is not available (have %v)", name, Kernels())
	}
	active.Store(p)
	return nil
}

// SetThreads sets how many goroutines one Sgemm call may use; n < 1 means
// GOMAXPROCS. The result does not depend on it: every element of C is
// computed by the same sequence of operations whatever the split.
func SetThreads(n int) {
	if n < 1 {
		n = runtime.GOMAXPROCS(0)
	}
	threads.Store(int32(n))
}

// Threads reports the thread count set by SetThreads (default GOMAXPROCS).
func Threads() int { return int(threads.Load()) }

// Sgemm computes C = alpha*op(A)*op(B) + beta*C for row-major matrices,
// op(X) = X or X^T; op(A) is m x k, op(B) is k x n, C is m x n with row
// stride ldc. When beta == 0, C is not read (NaN in C does not propagate).
// It panics when a slice is too short for its shape and stride.
func Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	checkArgs(transA, transB, m, n, k, a, lda, b, ldb, c, ldc)
	if m == 0 || n == 0 {
		return
	}
	if k == 0 || alpha == 0 {
		scaleC(m, n, beta, c, ldc)
		return
	}
	p := active.Load()
	if (m == 1 || n == 1) && gemv(p, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) {
		return
	}
	run(p, Threads(), transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// scaleC sets C = beta*C (C = 0 when beta == 0, without reading C).
func scaleC(m, n int, beta float32, c []float32, ldc int) {
	for i := 0; i < m; i++ {
		row := c[i*ldc : i*ldc+n]
		if beta == 0 {
			clear(row)
			continue
		}
		for j := range row {
			row[j] *= beta
		}
	}
}

func checkArgs(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	if m < 0 || n < 0 || k < 0 {
		panic(fmt.Sprintf("gemm: negative dimension m=%d n=%d k=%d", m, n, k))
	}
	ar, ac := m, k
	if transA {
		ar, ac = k, m
	}
	br, bc := k, n
	if transB {
		br, bc = n, k
	}
	check := func(name string, s []float32, rows, cols, ld int) {
		if rows == 0 || cols == 0 {
			return
		}
		if ld < cols {
			panic(fmt.Sprintf("gemm: ld%s=%d < %d columns", name, ld, cols))
		}
		if need := (rows-1)*ld + cols; len(s) < need {
			panic(fmt.Sprintf("gemm: len(%s)=%d < %d needed for %dx%d with ld %d", name, len(s), need, rows, cols, ld))
		}
	}
	if m > 0 && n > 0 && k > 0 {
		check("a", a, ar, ac, lda)
		check("b", b, br, bc, ldb)
	}
	check("c", c, m, n, ldc)
}

// Reference is the specification of Sgemm: a plain triple loop. Fast paths are
// tested against it.
func Reference(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s float32
			for p := 0; p < k; p++ {
				var av, bv float32
				if transA {
					av = a[p*lda+i]
				} else {
					av = a[i*lda+p]
				}
				if transB {
					bv = b[j*ldb+p]
				} else {
					bv = b[p*ldb+j]
				}
				s += av * bv
			}
			if beta == 0 {
				c[i*ldc+j] = alpha * s
			} else {
				c[i*ldc+j] = alpha*s + beta*c[i*ldc+j]
			}
		}
	}
}

// ctxFree holds reusable per-call state so that Sgemm allocates nothing
// after warm-up. It is a plain free list rather than a sync.Pool so that a
// garbage collection does not drop the (large) packing buffers.
var (
	ctxMu   sync.Mutex
	ctxFree []*callCtx
)

func getCtx() *callCtx {
	ctxMu.Lock()
	defer ctxMu.Unlock()
	if k := len(ctxFree); k > 0 {
		c := ctxFree[k-1]
		ctxFree = ctxFree[:k-1]
		return c
	}
	return &callCtx{}
}

func putCtx(c *callCtx) {
	ctxMu.Lock()
	ctxFree = append(ctxFree, c)
	ctxMu.Unlock()
}
