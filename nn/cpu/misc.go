package cpu

import (
	"fmt"
	"math"

	"github.com/avstack/avstack/nn"
	"github.com/avstack/avstack/nn/gemm"
)

// Softmax computes softmax (or log-softmax) of x along axis into dst.
func (*Backend) Softmax(dst, x *nn.Tensor, axis int, log bool) {
	s := x.Shape()
	if axis < 0 {
		axis += len(s)
	}
	outer := nn.Numel(s[:axis])
	n := s[axis]
	inner := nn.Numel(s[axis+1:])
	xd, yd := x.Data(), dst.Data()
	for o := 0; o < outer; o++ {
		for i := 0; i < inner; i++ {
			base := o*n*inner + i
			m := float32(math.Inf(-1))
			for j := 0; j < n; j++ {
				if v := xd[base+j*inner]; v > m {
					m = v
				}
			}
			var sum float64
			for j := 0; j < n; j++ {
				e := math.Exp(float64(xd[base+j*inner] - m))
				sum += e
				if !log {
					yd[base+j*inner] = float32(e)
				}
			}
			if log {
				ls := float32(math.Log(sum))
				for j := 0; j < n; j++ {
					yd[base+j*inner] = xd[base+j*inner] - m - ls
				}
			} else {
				inv := float32(1 / sum)
				for j := 0; j < n; j++ {
					yd[base+j*inner] *= inv
				}
			}
		}
	}
}

// BatchNorm applies inference-mode batch normalisation over axis 1.
func (*Backend) BatchNorm(dst, x, scale, bias, mean, variance *nn.Tensor, eps float32) {
	s := x.Shape()
	c := 1
	if len(s) > 1 {
		c = s[1]
	}
	inner := nn.Numel(s) / (s[0] * c)
	xd, yd := x.Data(), dst.Data()
	sc, bi, me, va := scale.Data(), bias.Data(), mean.Data(), variance.Data()
	for n := 0; n < s[0]; n++ {
		for ch := 0; ch < c; ch++ {
			a := sc[ch] / float32(math.Sqrt(float64(va[ch]+eps)))
			b := bi[ch] - me[ch]*a
			base := (n*c + ch) * inner
			for j := 0; j < inner; j++ {
				yd[base+j] = xd[base+j]*a + b
			}
		}
	}
}

// Gemm computes dst = act(alpha*op(a)*op(b) + beta*c) with a and b 2-d and
// c (may be nil) broadcastable to dst [M, N].
func (*Backend) Gemm(dst, a, b, c *nn.Tensor, transA, transB bool, alpha, beta float32, act nn.Activation) {
	ds := dst.Shape()
	m, n := ds[0], ds[1]
	as := a.Shape()
	k := as[1]
	if transA {
		k = as[0]
	}
	yd := dst.Data()
	cb := float32(0)
	if c != nil && beta != 0 {
		fillBroadcast(dst, c)
		cb = beta
	}
	gemm.Sgemm(transA, transB, m, n, k, alpha, a.Data(), as[1], b.Data(), b.Shape()[1], cb, yd, n)
	applySlice(yd, act)
}

// fillBroadcast copies src broadcast to dst's shape into dst.
func fillBroadcast(dst, src *nn.Tensor) {
	yd := dst.Data()
	sd := src.Data()
	if len(sd) == len(yd) {
		copy(yd, sd)
		return
	}
	out := dst.Shape()
	r := len(out)
	st := broadcastStrides(src, out)
	var idx [8]int
	for o := range yd {
		p := 0
		for k := 0; k < r; k++ {
			p += idx[k] * st[k]
		}
		yd[o] = sd[p]
		for k := r - 1; k >= 0; k-- {
			idx[k]++
			if idx[k] < out[k] {
				break
			}
			idx[k] = 0
		}
	}
}

// MatMul computes dst = a @ b for a [..., M, K] and b [..., K, N] (rank >= 2)
// with broadcasting over the batch axes.
func (*Backend) MatMul(dst, a, b *nn.Tensor) {
	as, bs, ds := a.Shape(), b.Shape(), dst.Shape()
	m, k, n := as[len(as)-2], as[len(as)-1], bs[len(bs)-1]
	if bs[len(bs)-2] != k {
		panic(fmt.Sprintf("cpu: MatMul %v x %v", as, bs))
	}
	batch := ds[:len(ds)-2]
	nb := nn.Numel(batch)
	ad, bd, yd := a.Data(), b.Data(), dst.Data()
	r := len(batch)
	var idx [8]int
	for q := 0; q < nb; q++ {
		oa, ob := 0, 0
		sa, sb := 1, 1
		for j := r - 1; j >= 0; j-- {
			ja := j - (r - (len(as) - 2))
			if ja >= 0 {
				if as[ja] != 1 {
					oa += idx[j] * sa
				}
				sa *= as[ja]
			}
			jb := j - (r - (len(bs) - 2))
			if jb >= 0 {
				if bs[jb] != 1 {
					ob += idx[j] * sb
				}
				sb *= bs[jb]
			}
		}
		gemm.Sgemm(false, false, m, n, k, 1, ad[oa*m*k:], k, bd[ob*k*n:], n, 0, yd[q*m*n:], n)
		for j := r - 1; j >= 0; j-- {
			idx[j]++
			if idx[j] < batch[j] {
				break
			}
			idx[j] = 0
		}
	}
}

// Transpose writes x with its axes permuted into dst.
func (*Backend) Transpose(dst, x *nn.Tensor, perm []int) {
	xs := x.Shape()
	r := len(xs)
	var st [8]int
	s := 1
	for k := r - 1; k >= 0; k-- {
		st[k] = s
		s *= xs[k]
	}
	var ps [8]int
	for k, p := range perm {
		ps[k] = st[p]
	}
	out := dst.Shape()
	xd, yd := x.Data(), dst.Data()
	if len(yd) == 0 {
		return
	}
	var idx [8]int
	inner := out[r-1]
	is := ps[r-1]
	for o := 0; o < len(yd); o += inner {
		p := 0
		for k := 0; k < r-1; k++ {
			p += idx[k] * ps[k]
		}
		row := yd[o : o+inner]
		for j := range row {
			row[j] = xd[p+j*is]
		}
		for k := r - 2; k >= 0; k-- {
			idx[k]++
			if idx[k] < out[k] {
				break
			}
			idx[k] = 0
		}
	}
}

// Concat joins xs along axis into dst.
func (*Backend) Concat(dst *nn.Tensor, xs []*nn.Tensor, axis int) {
	ds := dst.Shape()
	if axis < 0 {
		axis += len(ds)
	}
	outer := nn.Numel(ds[:axis])
	inner := nn.Numel(ds[axis+1:])
	yd := dst.Data()
	row := ds[axis] * inner
	off := 0
	for _, x := range xs {
		xd := x.Data()
		w := x.Shape()[axis] * inner
		for o := 0; o < outer; o++ {
			copy(yd[o*row+off:o*row+off+w], xd[o*w:(o+1)*w])
		}
		off += w
	}
}

// Pad pads (or, with negative pads, crops) x into dst. pads is
// [begin_0..begin_r-1, end_0..end_r-1].
func (*Backend) Pad(dst, x *nn.Tensor, pads []int, mode nn.PadMode, value float32) {
	xs, out := x.Shape(), dst.Shape()
	r := len(xs)
	xd, yd := x.Data(), dst.Data()
	var st [8]int
	s := 1
	for k := r - 1; k >= 0; k-- {
		st[k] = s
		s *= xs[k]
	}
	var idx [8]int
	for o := range yd {
		p := 0
		inside := true
		for k := 0; k < r; k++ {
			i := idx[k] - pads[k]
			n := xs[k]
			if i < 0 || i >= n {
				switch mode {
				case nn.PadConstant:
					inside = false
				case nn.PadEdge:
					if i < 0 {
						i = 0
					} else {
						i = n - 1
					}
				case nn.PadReflect:
					if n == 1 {
						i = 0
					} else {
						per := 2 * (n - 1)
						i = ((i % per) + per) % per
						if i >= n {
							i = per - i
						}
					}
				case nn.PadWrap:
					i = ((i % n) + n) % n
				}
			}
			p += i * st[k]
		}
		if inside {
			yd[o] = xd[p]
		} else {
			yd[o] = value
		}
		for k := r - 1; k >= 0; k-- {
			idx[k]++
			if idx[k] < out[k] {
				break
			}
			idx[k] = 0
		}
	}
}
