package cpu

import (
	"github.com/avstack/avstack/nn"
	"github.com/avstack/avstack/nn/gemm"
)

// convGeom is a convolution normalised to three spatial axes.
type convGeom struct {
	n, c, m, g     int
	in, k, out     [3]int
	st, dil, pb    [3]int
	inSz, kSz, oSz int
}

func newConvGeom(x, w, y *nn.Tensor, p nn.ConvParams, transposed bool) convGeom {
	xs, ws, ys := x.Shape(), w.Shape(), y.Shape()
	r := len(xs) - 2
	var g convGeom
	g.n, g.c, g.m = xs[0], xs[1], ys[1]
	g.g = p.Group
	if g.g <= 0 {
		g.g = 1
	}
	g.in = spatial3(xs[2:])
	g.k = spatial3(ws[2:])
	g.out = spatial3(ys[2:])
	g.st = params3(p.Strides, r, 1)
	g.dil = params3(p.Dilations, r, 1)
	g.pb, _ = pads3(p.Pads, r)
	g.inSz = g.in[0] * g.in[1] * g.in[2]
	g.kSz = g.k[0] * g.k[1] * g.k[2]
	g.oSz = g.out[0] * g.out[1] * g.out[2]
	if transposed {
		// For the col2im of a transposed conv, "in" is the small side.
		g.in, g.out = g.out, g.in
		g.inSz, g.oSz = g.oSz, g.inSz
	}
	return g
}

// im2col fills col [(cn*kSz) x oSz] from x (cn channels of g.inSz each).
func im2col(col, x []float32, cn int, g *convGeom) {
	O := g.oSz
	row := 0
	for c := 0; c < cn; c++ {
		xc := x[c*g.inSz : (c+1)*g.inSz]
		for kd := 0; kd < g.k[0]; kd++ {
			for kh := 0; kh < g.k[1]; kh++ {
				for kw := 0; kw < g.k[2]; kw++ {
					dst := col[row*O : (row+1)*O]
					row++
					j := 0
					for od := 0; od < g.out[0]; od++ {
						id := od*g.st[0] - g.pb[0] + kd*g.dil[0]
						if id < 0 || id >= g.in[0] {
							for q := 0; q < g.out[1]*g.out[2]; q++ {
								dst[j] = 0
								j++
							}
							continue
						}
						for oh := 0; oh < g.out[1]; oh++ {
							ih := oh*g.st[1] - g.pb[1] + kh*g.dil[1]
							if ih < 0 || ih >= g.in[1] {
								for q := 0; q < g.out[2]; q++ {
									dst[j] = 0
									j++
								}
								continue
							}
							xr := xc[(id*g.in[1]+ih)*g.in[2]:]
							iw := -g.pb[2] + kw*g.dil[2]
							for ow := 0; ow < g.out[2]; ow++ {
								if iw >= 0 && iw < g.in[2] {
									dst[j] = xr[iw]
								} else {
									dst[j] = 0
								}
								j++
								iw += g.st[2]
							}
						}
					}
				}
			}
		}
	}
}

// col2im accumulates col [(cn*kSz) x oSz] into x (the inverse scatter of im2col).
func col2im(x, col []float32, cn int, g *convGeom) {
	O := g.oSz
	row := 0
	for c := 0; c < cn; c++ {
		xc := x[c*g.inSz : (c+1)*g.inSz]
		for kd := 0; kd < g.k[0]; kd++ {
			for kh := 0; kh < g.k[1]; kh++ {
				for kw := 0; kw < g.k[2]; kw++ {
					src := col[row*O : (row+1)*O]
					row++
					j := 0
					for od := 0; od < g.out[0]; od++ {
						id := od*g.st[0] - g.pb[0] + kd*g.dil[0]
						for oh := 0; oh < g.out[1]; oh++ {
							ih := oh*g.st[1] - g.pb[1] + kh*g.dil[1]
							iw := -g.pb[2] + kw*g.dil[2]
							okRow := id >= 0 && id < g.in[0] && ih >= 0 && ih < g.in[1]
							for ow := 0; ow < g.out[2]; ow++ {
								if okRow && iw >= 0 && iw < g.in[2] {
									xc[(id*g.in[1]+ih)*g.in[2]+iw] += src[j]
								}
								j++
								iw += g.st[2]
							}
						}
					}
				}
			}
		}
	}
}

func (g *convGeom) isPointwise() bool {
	return g.kSz == 1 && g.st == [3]int{1, 1, 1} && g.pb == [3]int{} && g.in == g.out
}

// scratch is a grow-only buffer reused across calls.
type scratch struct{ buf []float32 }

func (s *scratch) get(n int) []float32 {
	if cap(s.buf) < n {
		s.buf = make([]float32, n)
	}
	return s.buf[:n]
}

// Conv computes dst = act(conv(x, w) + b): x [N, C, in...], w [M, C/group,
// k...], b [M] or nil, dst [N, M, out...].
func (bk *Backend) Conv(dst, x, w, b *nn.Tensor, p nn.ConvParams, act nn.Activation) {
	g := newConvGeom(x, w, dst, p, false)
	xd, wd, yd := x.Data(), w.Data(), dst.Data()
	cg, mg := g.c/g.g, g.m/g.g
	kk := cg * g.kSz
	var col []float32
	if !g.isPointwise() {
		col = bk.col.get(kk * g.oSz)
	}
	for n := 0; n < g.n; n++ {
		for gi := 0; gi < g.g; gi++ {
			xg := xd[(n*g.c+gi*cg)*g.inSz : (n*g.c+(gi+1)*cg)*g.inSz]
			src := xg
			if col != nil {
				im2col(col, xg, cg, &g)
				src = col
			}
			yg := yd[(n*g.m+gi*mg)*g.oSz : (n*g.m+(gi+1)*mg)*g.oSz]
			gemm.Sgemm(false, false, mg, g.oSz, kk, 1, wd[gi*mg*kk:], kk, src, g.oSz, 0, yg, g.oSz)
		}
		for m := 0; m < g.m; m++ {
			row := yd[(n*g.m+m)*g.oSz : (n*g.m+m+1)*g.oSz]
			if b != nil {
				bv := b.Data()[m]
				for j := range row {
					row[j] += bv
				}
			}
			applySlice(row, act)
		}
	}
}

// ConvTranspose computes dst = convT(x, w) + b: x [N, C, in...], w [C,
// M/group, k...], dst [N, M, out...] shaped by the caller (output_shape and
// output_padding already applied).
func (bk *Backend) ConvTranspose(dst, x, w, b *nn.Tensor, p nn.ConvParams) {
	g := newConvGeom(x, w, dst, p, true)
	// Here g.out is the input (small) side and g.in is the output side.
	xd, wd, yd := x.Data(), w.Data(), dst.Data()
	cg, mg := g.c/g.g, g.m/g.g
	kk := mg * g.kSz
	col := bk.col.get(kk * g.oSz)
	for k := range yd {
		yd[k] = 0
	}
	for n := 0; n < g.n; n++ {
		for gi := 0; gi < g.g; gi++ {
			xg := xd[(n*g.c+gi*cg)*g.oSz:]
			gemm.Sgemm(true, false, kk, g.oSz, cg, 1, wd[gi*cg*kk:], kk, xg, g.oSz, 0, col, g.oSz)
			col2im(yd[(n*g.m+gi*mg)*g.inSz:(n*g.m+(gi+1)*mg)*g.inSz], col, mg, &g)
		}
		if b != nil {
			for m := 0; m < g.m; m++ {
				bv := b.Data()[m]
				row := yd[(n*g.m+m)*g.inSz : (n*g.m+m+1)*g.inSz]
				for j := range row {
					row[j] += bv
				}
			}
		}
	}
}

// ConvBackward accumulates the gradients of Conv (without activation) with
// respect to x, w and b given dy; any destination may be nil.
func (*Backend) ConvBackward(dx, dw, db, dy, x, w *nn.Tensor, p nn.ConvParams) {
	g := newConvGeom(x, w, dy, p, false)
	xd, wd, gd := x.Data(), w.Data(), dy.Data()
	cg, mg := g.c/g.g, g.m/g.g
	kk := cg * g.kSz
	col := make([]float32, kk*g.oSz)
	for n := 0; n < g.n; n++ {
		for gi := 0; gi < g.g; gi++ {
			gy := gd[(n*g.m+gi*mg)*g.oSz : (n*g.m+(gi+1)*mg)*g.oSz]
			if dw != nil {
				xg := xd[(n*g.c+gi*cg)*g.inSz : (n*g.c+(gi+1)*cg)*g.inSz]
				im2col(col, xg, cg, &g)
				gemm.Sgemm(false, true, mg, kk, g.oSz, 1, gy, g.oSz, col, g.oSz, 1, dw.Data()[gi*mg*kk:], kk)
			}
			if dx != nil {
				gemm.Sgemm(true, false, kk, g.oSz, mg, 1, wd[gi*mg*kk:], kk, gy, g.oSz, 0, col, g.oSz)
				col2im(dx.Data()[(n*g.c+gi*cg)*g.inSz:(n*g.c+(gi+1)*cg)*g.inSz], col, cg, &g)
			}
		}
		if db != nil {
			bd := db.Data()
			for m := 0; m < g.m; m++ {
				var s float32
				for _, v := range gd[(n*g.m+m)*g.oSz : (n*g.m+m+1)*g.oSz] {
					s += v
				}
				bd[m] += s
			}
		}
	}
}
