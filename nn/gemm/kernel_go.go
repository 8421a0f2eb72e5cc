package gemm

import "unsafe"

// kernGo is the portable 4x4 micro-kernel (the "go" path): same contract as
// the assembly kernels, with 16 scalar accumulators.
func kernGo(k int, ap, bp *float32, ldb int, cp *float32, ldc int, alpha, beta float32, rows, cols int) {
	a := unsafe.Slice(ap, 4*k)
	b := unsafe.Slice(bp, (k-1)*ldb+4)
	var c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33 float32
	for p := 0; p < k; p++ {
		av := a[p*4 : p*4+4 : p*4+4]
		bv := b[p*ldb : p*ldb+4 : p*ldb+4]
		a0, a1, a2, a3 := av[0], av[1], av[2], av[3]
		b0, b1, b2, b3 := bv[0], bv[1], bv[2], bv[3]
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c03 += a0 * b3
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
		c13 += a1 * b3
		c20 += a2 * b0
		c21 += a2 * b1
		c22 += a2 * b2
		c23 += a2 * b3
		c30 += a3 * b0
		c31 += a3 * b1
		c32 += a3 * b2
		c33 += a3 * b3
	}
	acc := [4][4]float32{
		{c00, c01, c02, c03},
		{c10, c11, c12, c13},
		{c20, c21, c22, c23},
		{c30, c31, c32, c33},
	}
	c := unsafe.Slice(cp, (rows-1)*ldc+cols)
	for i := 0; i < rows; i++ {
		row := c[i*ldc : i*ldc+cols]
		for j := range row {
			if beta == 0 {
				row[j] = alpha * acc[i][j]
			} else {
				row[j] = alpha*acc[i][j] + beta*row[j]
			}
		}
	}
}
