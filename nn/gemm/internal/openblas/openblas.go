//go:build openblas && cgo

// Package openblas calls Debian's libopenblas for the side-by-side benchmark
// of nn/gemm (build tag openblas). It is not part of the engine; Go refuses
// cgo in a package with Go assembly, hence the separate package.
package openblas

/*
#cgo LDFLAGS: -lopenblas
#include <cblas.h>
void openblas_set_num_threads(int);
static void ob_sgemm(int m, int n, int k, float *a, float *b, float *c) {
	cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0f, a, k, b, n, 0.0f, c, n);
}
*/
import "C"

// Sgemm is C = A*B (row-major, no transposes) through cblas_sgemm.
func Sgemm(m, n, k int, a, b, c []float32) {
	C.ob_sgemm(C.int(m), C.int(n), C.int(k), (*C.float)(&a[0]), (*C.float)(&b[0]), (*C.float)(&c[0]))
}

// SetThreads sets OpenBLAS's thread count.
func SetThreads(n int) { C.openblas_set_num_threads(C.int(n)) }
