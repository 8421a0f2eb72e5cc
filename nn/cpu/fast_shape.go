package cpu

import (
	"math"

	"github.com/avstack/avstack/nn"
	"github.com/avstack/avstack/nn/gemm"
	"github.com/avstack/avstack/nn/parallel"
)

// Pad copies whole rows for constant padding with non-negative pads; other
// modes and crops run the reference.
func (f *Fast) Pad(dst, x *nn.Tensor, pads []int, mode nn.PadMode, value float32) {
	xs, ys := x.Shape(), dst.Shape()
	r := len(xs)
	ok := mode == nn.PadConstant && r >= 1 && r <= 8 && len(pads) == 2*r
	for k := 0; ok && k < 2*r; k++ {
		ok = pads[k] >= 0
	}
	if !ok {
		f.Backend.Pad(dst, x, pads, mode, value)
		return
	}
	xd, yd := x.Data(), dst.Data()
	if len(xd) == 0 {
		for k := range yd {
			yd[k] = value
		}
		return
	}
	var ys1 [8]int // contiguous strides of dst
	s := 1
	for k := r - 1; k >= 0; k-- {
		ys1[k] = s
		s *= ys[k]
	}
	if value == 0 {
		clear(yd)
	} else {
		for k := range yd {
			yd[k] = value
		}
	}
	inner := xs[r-1]
	var idx [8]int
	for o := 0; o < len(xd); o += inner {
		p := pads[r-1]
		for k := 0; k < r-1; k++ {
			p += (idx[k] + pads[k]) * ys1[k]
		}
		copy(yd[p:p+inner], xd[o:o+inner])
		for k := r - 2; k >= 0; k-- {
			idx[k]++
			if idx[k] < xs[k] {
				break
			}
			idx[k] = 0
		}
	}
}

// Transpose merges axes that stay adjacent, then copies whole rows when
// the last axis stays last; otherwise it gathers like the reference.
func (f *Fast) Transpose(dst, x *nn.Tensor, perm []int) {
	xs := x.Shape()
	r := len(xs)
	if r > 8 || r == 0 {
		f.Backend.Transpose(dst, x, perm)
		return
	}
	// Collapse runs of input axes that remain consecutive in perm, and
	// drop axes of size 1.
	var shp, pm [8]int // merged input shape, merged perm (over merged axes)
	var grp [8]int     // input axis -> merged axis (-1 dropped)
	var st [8]int      // input strides
	s := 1
	for k := r - 1; k >= 0; k-- {
		st[k] = s
		s *= xs[k]
	}
	// Walk output order; start a new merged axis unless this input axis
	// directly follows the previous kept one.
	n := 0
	prev := -2
	var first [8]int // merged axis -> first input axis
	for _, a := range perm {
		if xs[a] == 1 {
			grp[a] = -1
			continue
		}
		if a == prev+1 && n > 0 {
			grp[a] = n - 1
		} else {
			grp[a] = n
			first[n] = a
			n++
		}
		prev = a
	}
	if n == 0 {
		copy(dst.Data(), x.Data())
		return
	}
	// Merged axes in input order give the merged input shape and strides.
	var order [8]int // merged axes sorted by their first input axis
	for k := 0; k < n; k++ {
		order[k] = k
	}
	for i := 1; i < n; i++ {
		for j := i; j > 0 && first[order[j]] < first[order[j-1]]; j-- {
			order[j], order[j-1] = order[j-1], order[j]
		}
	}
	var pos [8]int // merged axis -> its index in merged input order
	for k := 0; k < n; k++ {
		pos[order[k]] = k
	}
	for k := 0; k < n; k++ {
		shp[k] = 1
	}
	for a := 0; a < r; a++ {
		if grp[a] >= 0 {
			shp[pos[grp[a]]] *= xs[a]
		}
	}
	for k := 0; k < n; k++ {
		pm[k] = pos[k] // output merged axis k is input merged axis pos[k]
	}
	var mst [8]int
	s = 1
	for k := n - 1; k >= 0; k-- {
		mst[k] = s
		s *= shp[k]
	}
	xd, yd := x.Data(), dst.Data()
	if len(yd) == 0 {
		return
	}
	var out, ps [8]int
	for k := 0; k < n; k++ {
		out[k] = shp[pm[k]]
		ps[k] = mst[pm[k]]
	}
	inner, is := out[n-1], ps[n-1]
	var idx [8]int
	for o := 0; o < len(yd); o += inner {
		p := 0
		for k := 0; k < n-1; k++ {
			p += idx[k] * ps[k]
		}
		row := yd[o : o+inner]
		if is == 1 {
			copy(row, xd[p:p+inner])
		} else {
			for j := range row {
				row[j] = xd[p+j*is]
			}
		}
		for k := n - 2; k >= 0; k-- {
			idx[k]++
			if idx[k] < out[k] {
				break
			}
			idx[k] = 0
		}
	}
}

// Softmax normalises along axis with a float32 exp (expf, a few ulp),
// walking the contiguous inner axis so that it streams through memory.
func (f *Fast) Softmax(dst, x *nn.Tensor, axis int, log bool) {
	s := x.Shape()
	if axis < 0 {
		axis += len(s)
	}
	if log {
		f.Backend.Softmax(dst, x, axis, log)
		return
	}
	outer := nn.Numel(s[:axis])
	n := s[axis]
	inner := nn.Numel(s[axis+1:])
	xd, yd := x.Data(), dst.Data()
	if inner == 1 {
		for o := 0; o < outer; o++ {
			softmaxRow(yd[o*n:(o+1)*n], xd[o*n:(o+1)*n])
		}
		return
	}
	if cap(f.softBuf) < 2*inner {
		f.softBuf = make([]float32, 2*inner)
	}
	t := &f.soft
	t.xd, t.yd, t.m, t.sum, t.outer, t.n, t.inner = xd, yd, f.softBuf[:inner], f.softBuf[inner:2*inner], outer, n, inner
	t.parts = 1
	if outer*n*inner >= 1<<14 {
		t.parts = max(1, min(gemm.Threads(), inner/64))
	}
	if t.parts == 1 {
		t.Run(0)
	} else {
		parallel.Default.Run(t.parts, t)
	}
	t.xd, t.yd = nil, nil
}

// softmaxInner is a softmax over the middle axis of [outer, n, inner],
// split over the inner axis into parts (each with its own stretch of the
// max and sum scratch).
type softmaxInner struct {
	xd, yd, m, sum         []float32
	outer, n, inner, parts int
}

func (t *softmaxInner) Run(part int) {
	n, inner := t.n, t.inner
	i0, i1 := part*inner/t.parts, (part+1)*inner/t.parts
	m, sum := t.m[i0:i1], t.sum[i0:i1]
	for o := 0; o < t.outer; o++ {
		xo, yo := t.xd[o*n*inner:(o+1)*n*inner], t.yd[o*n*inner:(o+1)*n*inner]
		copy(m, xo[i0:i1])
		for j := 1; j < n; j++ {
			for i, v := range xo[j*inner+i0 : j*inner+i1] {
				m[i] = max(m[i], v)
			}
		}
		clear(sum)
		for j := 0; j < n; j++ {
			row := yo[j*inner+i0 : j*inner+i1]
			for i, v := range xo[j*inner+i0 : j*inner+i1] {
				e := expf(v - m[i])
				row[i] = e
				sum[i] += e
			}
		}
		for i := range sum {
			sum[i] = 1 / sum[i]
		}
		for j := 0; j < n; j++ {
			row := yo[j*inner+i0 : j*inner+i1]
			for i := range row {
				row[i] *= sum[i]
			}
		}
	}
}

func softmaxRow(y, x []float32) {
	m := float32(math.Inf(-1))
	for _, v := range x {
		m = max(m, v)
	}
	var sum float32
	for i, v := range x {
		e := expf(v - m)
		y[i] = e
		sum += e
	}
	inv := 1 / sum
	for i := range y {
		y[i] *= inv
	}
}

// expf is e^x in float32 (Cephes expf: round x/ln 2 to an integer k with
// the 1.5*2^23 trick, reduce by ln 2 in two parts, a degree-6 polynomial,
// scale by 2^k through the exponent bits), within a few ulp of math.Exp.
// Below -87.34 it flushes to 0; above 88.376 (where 2^k would overflow the
// exponent) it gives +Inf, slightly early: softmax only calls it on x <= 0.
func expf(x float32) float32 {
	if x < -87.33654 {
		return 0
	}
	if x > 88.37626 {
		return float32(math.Inf(1))
	}
	const magic = 12582912.0 // 1.5 * 2^23: adding it rounds to an integer
	t := x*1.44269504088896341 + magic
	k := t - magic
	r := x - k*0.693359375 - k*-2.12194440e-4
	p := ((((float32(1.9875691500e-4)*r+1.3981999507e-3)*r+8.3334519073e-3)*r+4.1665795894e-2)*r+1.6666665459e-1)*r + 5.0000001201e-1
	y := p*(r*r) + r + 1
	return y * math.Float32frombits(uint32(int32(math.Float32bits(t))-0x4B400000+127)<<23)
}
