package cpu

import (
	"math"

	"github.com/avstack/avstack/nn"
)

type poolGeom struct {
	nc                 int
	in, out, k, st, dl [3]int
	pb, pe             [3]int
	inSz, oSz          int
}

func newPoolGeom(x, y *nn.Tensor, p nn.PoolParams) poolGeom {
	xs, ys := x.Shape(), y.Shape()
	r := len(xs) - 2
	var g poolGeom
	g.nc = xs[0] * xs[1]
	g.in = spatial3(xs[2:])
	g.out = spatial3(ys[2:])
	g.k = params3(p.Kernel, r, 1)
	g.st = params3(p.Strides, r, 1)
	g.dl = params3(p.Dilations, r, 1)
	g.pb, g.pe = pads3(p.Pads, r)
	g.inSz = g.in[0] * g.in[1] * g.in[2]
	g.oSz = g.out[0] * g.out[1] * g.out[2]
	return g
}

// window calls f with the flat input index of every in-bounds element of
// the window of output position (od, oh, ow), and returns the number of
// window positions inside the padded extent.
func (g *poolGeom) window(od, oh, ow int, f func(i int)) (padded int) {
	for kd := 0; kd < g.k[0]; kd++ {
		id := od*g.st[0] - g.pb[0] + kd*g.dl[0]
		if id < -g.pb[0] || id >= g.in[0]+g.pe[0] {
			continue
		}
		for kh := 0; kh < g.k[1]; kh++ {
			ih := oh*g.st[1] - g.pb[1] + kh*g.dl[1]
			if ih < -g.pb[1] || ih >= g.in[1]+g.pe[1] {
				continue
			}
			for kw := 0; kw < g.k[2]; kw++ {
				iw := ow*g.st[2] - g.pb[2] + kw*g.dl[2]
				if iw < -g.pb[2] || iw >= g.in[2]+g.pe[2] {
					continue
				}
				padded++
				if id >= 0 && id < g.in[0] && ih >= 0 && ih < g.in[1] && iw >= 0 && iw < g.in[2] {
					f((id*g.in[1]+ih)*g.in[2] + iw)
				}
			}
		}
	}
	return padded
}

// MaxPool computes the maximum over each window; padding never wins.
func (*Backend) MaxPool(dst, x *nn.Tensor, p nn.PoolParams) {
	g := newPoolGeom(x, dst, p)
	xd, yd := x.Data(), dst.Data()
	if g.k[0] == 1 && g.dl == [3]int{1, 1, 1} && g.st[0] == 1 {
		maxPool2D(yd, xd, &g)
		return
	}
	for c := 0; c < g.nc; c++ {
		xc := xd[c*g.inSz:]
		o := c * g.oSz
		for od := 0; od < g.out[0]; od++ {
			for oh := 0; oh < g.out[1]; oh++ {
				for ow := 0; ow < g.out[2]; ow++ {
					m := float32(math.Inf(-1))
					g.window(od, oh, ow, func(i int) {
						if xc[i] > m {
							m = xc[i]
						}
					})
					yd[o] = m
					o++
				}
			}
		}
	}
}

// maxPool2D is the closure-free loop for the common 2-d case.
func maxPool2D(yd, xd []float32, g *poolGeom) {
	H, W := g.in[1], g.in[2]
	for c := 0; c < g.nc; c++ {
		xc := xd[c*g.inSz : (c+1)*g.inSz]
		o := c * g.oSz
		for d := 0; d < g.out[0]; d++ {
			xs := xc[d*H*W:]
			for oh := 0; oh < g.out[1]; oh++ {
				h0 := oh*g.st[1] - g.pb[1]
				h1 := h0 + g.k[1]
				if h0 < 0 {
					h0 = 0
				}
				if h1 > H {
					h1 = H
				}
				for ow := 0; ow < g.out[2]; ow++ {
					w0 := ow*g.st[2] - g.pb[2]
					w1 := w0 + g.k[2]
					if w0 < 0 {
						w0 = 0
					}
					if w1 > W {
						w1 = W
					}
					m := float32(math.Inf(-1))
					for h := h0; h < h1; h++ {
						for _, v := range xs[h*W+w0 : h*W+w1] {
							if v > m {
								m = v
							}
						}
					}
					yd[o] = m
					o++
				}
			}
		}
	}
}

// AvgPool averages each window over its in-bounds elements, or over every
// position inside the padded extent when CountIncludePad.
func (*Backend) AvgPool(dst, x *nn.Tensor, p nn.PoolParams) {
	g := newPoolGeom(x, dst, p)
	xd, yd := x.Data(), dst.Data()
	for c := 0; c < g.nc; c++ {
		xc := xd[c*g.inSz:]
		o := c * g.oSz
		for od := 0; od < g.out[0]; od++ {
			for oh := 0; oh < g.out[1]; oh++ {
				for ow := 0; ow < g.out[2]; ow++ {
					var s float32
					n := 0
					padded := g.window(od, oh, ow, func(i int) {
						s += xc[i]
						n++
					})
					if p.CountIncludePad {
						n = padded
					}
					if n == 0 {
						yd[o] = 0
					} else {
						yd[o] = s / float32(n)
					}
					o++
				}
			}
		}
	}
}

// GlobalAvgPool averages every channel over all spatial positions.
func (*Backend) GlobalAvgPool(dst, x *nn.Tensor) {
	xs := x.Shape()
	sp := 1
	for _, d := range xs[2:] {
		sp *= d
	}
	xd, yd := x.Data(), dst.Data()
	for c := range yd {
		var s float32
		for _, v := range xd[c*sp : (c+1)*sp] {
			s += v
		}
		yd[c] = s / float32(sp)
	}
}

// MaxPoolBackward routes each dy to the first maximum of its window.
func (*Backend) MaxPoolBackward(dx, dy, x *nn.Tensor, p nn.PoolParams) {
	g := newPoolGeom(x, dy, p)
	xd, gd, dd := x.Data(), dy.Data(), dx.Data()
	for c := 0; c < g.nc; c++ {
		xc := xd[c*g.inSz:]
		o := c * g.oSz
		for od := 0; od < g.out[0]; od++ {
			for oh := 0; oh < g.out[1]; oh++ {
				for ow := 0; ow < g.out[2]; ow++ {
					m := float32(math.Inf(-1))
					arg := -1
					g.window(od, oh, ow, func(i int) {
						if xc[i] > m {
							m, arg = xc[i], i
						}
					})
					if arg >= 0 {
						dd[c*g.inSz+arg] += gd[o]
					}
					o++
				}
			}
		}
	}
}

// AvgPoolBackward spreads each dy evenly over its window.
func (*Backend) AvgPoolBackward(dx, dy *nn.Tensor, p nn.PoolParams) {
	g := newPoolGeom(dx, dy, p)
	gd, dd := dy.Data(), dx.Data()
	for c := 0; c < g.nc; c++ {
		o := c * g.oSz
		for od := 0; od < g.out[0]; od++ {
			for oh := 0; oh < g.out[1]; oh++ {
				for ow := 0; ow < g.out[2]; ow++ {
					n := 0
					padded := g.window(od, oh, ow, func(int) { n++ })
					if p.CountIncludePad {
						n = padded
					}
					if n > 0 {
						v := gd[o] / float32(n)
						g.window(od, oh, ow, func(i int) { dd[c*g.inSz+i] += v })
					}
					o++
				}
			}
		}
	}
}
