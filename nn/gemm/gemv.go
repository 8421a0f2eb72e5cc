package gemm

// Matrix-vector products (m == 1 or n == 1: the LSTM and GRU steps of the
// RNN ops, a fully connected layer on one sample) are memory-bound; the
// tiled engine would pad them to a full micro-tile and pack the whole
// matrix on every call. They run here instead, as dot products along
// contiguous rows or as row updates (axpy), on the calling goroutine.
// Results follow the same path (and are identical) for every thread count.

// gemvScratch is the largest gathered vector kept on the stack; longer
// strided vectors go through the slower strided loops.
const gemvScratch = 1024

// dot is sum_i x[i]*y[i] over len(x) elements.
func (p *impl) dot(x, y []float32) float32 {
	n := len(x)
	y = y[:n]
	var s float32
	nv := 0
	if p.sdot != nil {
		nv = n / p.lanes * p.lanes
		if nv > 0 {
			s = p.sdot(&x[0], &y[0], nv)
		}
	}
	for i := nv; i < n; i++ {
		s += x[i] * y[i]
	}
	return s
}

// axpy is y += alpha*x over len(x) elements.
func (p *impl) axpy(alpha float32, x, y []float32) {
	n := len(x)
	y = y[:n]
	nv := 0
	if p.saxpy != nil {
		nv = n / p.lanes * p.lanes
		if nv > 0 {
			p.saxpy(alpha, &x[0], &y[0], nv)
		}
	}
	for i := nv; i < n; i++ {
		y[i] += alpha * x[i]
	}
}

// gemv handles m == 1 or n == 1; it reports false for other shapes.
func gemv(p *impl, transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) bool {
	switch {
	case m == 1:
		// c[0][j] = alpha * sum_p x[p] * op(B)[p][j] + beta*c[0][j], x = row 0 of op(A).
		x, xs := a, 1
		if transA {
			xs = lda
		}
		out := c[:n]
		if transB {
			// op(B)[p][j] = b[j*ldb+p]: a dot product with row j of b.
			if xs != 1 {
				if k > gemvScratch {
					return false
				}
				var buf [gemvScratch]float32
				for q := 0; q < k; q++ {
					buf[q] = x[q*xs]
				}
				return gemvDots(p, out, 1, n, buf[:k], b, ldb, alpha, beta)
			}
			return gemvDots(p, out, 1, n, x[:k], b, ldb, alpha, beta)
		}
		// op(B)[p][j] = b[p*ldb+j]: accumulate rows of b.
		return gemvAxpys(p, out, x, xs, k, b, ldb, alpha, beta)
	case n == 1:
		// c[i][0] = alpha * sum_p op(A)[i][p] * y[p] + beta*c[i][0], y = column 0 of op(B).
		y, ys := b, ldb
		if transB {
			ys = 1
		}
		if !transA {
			// op(A)[i][p] = a[i*lda+p]: a dot product with row i of a.
			if ys != 1 {
				if k > gemvScratch {
					return false
				}
				var buf [gemvScratch]float32
				for q := 0; q < k; q++ {
					buf[q] = y[q*ys]
				}
				return gemvDots(p, c, ldc, m, buf[:k], a, lda, alpha, beta)
			}
			return gemvDots(p, c, ldc, m, y[:k], a, lda, alpha, beta)
		}
		// op(A)[i][p] = a[p*lda+i]: accumulate rows of a.
		if ldc != 1 {
			return false
		}
		return gemvAxpys(p, c[:m], y, ys, k, a, lda, alpha, beta)
	}
	return false
}

// gemvDots sets out[j*os] = alpha*dot(x, mat[j*ld:]) + beta*out[j*os] for
// j < cnt.
func gemvDots(p *impl, out []float32, os, cnt int, x, mat []float32, ld int, alpha, beta float32) bool {
	k := len(x)
	for j := 0; j < cnt; j++ {
		s := alpha * p.dot(x, mat[j*ld:j*ld+k])
		if beta == 0 {
			out[j*os] = s
		} else {
			out[j*os] = s + beta*out[j*os]
		}
	}
	return true
}

// gemvAxpys sets out = beta*out + alpha * sum_q x[q*xs] * mat[q*ld : q*ld+len(out)].
func gemvAxpys(p *impl, out []float32, x []float32, xs, k int, mat []float32, ld int, alpha, beta float32) bool {
	n := len(out)
	if beta == 0 {
		clear(out)
	} else if beta != 1 {
		for j := range out {
			out[j] *= beta
		}
	}
	for q := 0; q < k; q++ {
		p.axpy(alpha*x[q*xs], mat[q*ld:q*ld+n], out)
	}
	return true
}
