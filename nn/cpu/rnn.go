package cpu

import (
	"math"

	"github.com/avstack/avstack/nn"
	"github.com/avstack/avstack/nn/gemm"
)

func rnnAct(p nn.RNNParams, dir, k int, def nn.Activation) nn.Activation {
	n := len(p.Acts)
	per := n
	if p.Direction == "bidirectional" {
		per = n / 2
	}
	if per == 0 {
		return def
	}
	return p.Acts[dir*per+k]
}

func clipv(v, c float32) float32 {
	if c <= 0 {
		return v
	}
	if v > c {
		return c
	}
	if v < -c {
		return -c
	}
	return v
}

// rnnLayout returns seq, batch, input size and a function giving the offset
// of x[t, b, :] and of y[t, dir, b, :] for either layout.
type rnnLayout struct {
	seq, batch, in, hid, dirs int
	batchFirst                bool
}

func (l rnnLayout) xOff(t, b int) int {
	if l.batchFirst {
		return (b*l.seq + t) * l.in
	}
	return (t*l.batch + b) * l.in
}

func (l rnnLayout) yOff(t, d, b int) int {
	if l.batchFirst {
		return ((b*l.seq+t)*l.dirs + d) * l.hid
	}
	return ((t*l.dirs+d)*l.batch + b) * l.hid
}

func (l rnnLayout) hOff(d, b int) int {
	if l.batchFirst {
		return (b*l.dirs + d) * l.hid
	}
	return (d*l.batch + b) * l.hid
}

func newLayout(x *nn.Tensor, p nn.RNNParams) rnnLayout {
	s := x.Shape()
	l := rnnLayout{seq: s[0], batch: s[1], in: s[2], hid: p.Hidden, dirs: 1, batchFirst: p.BatchFirst}
	if p.BatchFirst {
		l.seq, l.batch = s[1], s[0]
	}
	if p.Direction == "bidirectional" {
		l.dirs = 2
	}
	return l
}

// LSTM runs an ONNX LSTM layer. y, yh, yc, b, h0, c0, peep and seqLens may
// be nil. Gate order i, o, f, c; peepholes P [dirs, 3*hidden] as i, o, f.
func (*Backend) LSTM(y, yh, yc, x, w, r, b, h0, c0, peep *nn.Tensor, seqLens []int, p nn.RNNParams) {
	l := newLayout(x, p)
	H := l.hid
	G := 4 * H
	xd, wd, rd := x.Data(), w.Data(), r.Data()
	if y != nil {
		clear(y.Data())
	}
	gates := make([]float32, G)
	h := make([]float32, H)
	c := make([]float32, H)
	for d := 0; d < l.dirs; d++ {
		fAct := rnnAct(p, d, 0, nn.Activation{Kind: nn.ActSigmoid})
		gAct := rnnAct(p, d, 1, nn.Activation{Kind: nn.ActTanh})
		hAct := rnnAct(p, d, 2, nn.Activation{Kind: nn.ActTanh})
		rev := p.Direction == "reverse" || d == 1
		wdd := wd[d*G*l.in : (d+1)*G*l.in]
		rdd := rd[d*G*H : (d+1)*G*H]
		for bi := 0; bi < l.batch; bi++ {
			T := l.seq
			if seqLens != nil {
				T = seqLens[bi]
			}
			clear(h)
			clear(c)
			if h0 != nil {
				copy(h, h0.Data()[l.hOff(d, bi):])
			}
			if c0 != nil {
				copy(c, c0.Data()[l.hOff(d, bi):])
			}
			for s := 0; s < T; s++ {
				t := s
				if rev {
					t = T - 1 - s
				}
				if b != nil {
					bd := b.Data()[d*2*G:]
					for j := 0; j < G; j++ {
						gates[j] = bd[j] + bd[G+j]
					}
				} else {
					clear(gates)
				}
				gemm.Sgemm(false, true, 1, G, l.in, 1, xd[l.xOff(t, bi):], l.in, wdd, l.in, 1, gates, G)
				gemm.Sgemm(false, true, 1, G, H, 1, h, H, rdd, H, 1, gates, G)
				for j := 0; j < H; j++ {
					gi, go_, gf, gc := gates[j], gates[H+j], gates[2*H+j], gates[3*H+j]
					if peep != nil {
						pd := peep.Data()[d*3*H:]
						gi += pd[j] * c[j]
						gf += pd[2*H+j] * c[j]
					}
					it := Apply(fAct, clipv(gi, p.Clip))
					ft := Apply(fAct, clipv(gf, p.Clip))
					ct := Apply(gAct, clipv(gc, p.Clip))
					c[j] = ft*c[j] + it*ct
					if peep != nil {
						go_ += peep.Data()[d*3*H+H+j] * c[j]
					}
					ot := Apply(fAct, clipv(go_, p.Clip))
					h[j] = ot * Apply(hAct, c[j])
				}
				if y != nil {
					copy(y.Data()[l.yOff(t, d, bi):l.yOff(t, d, bi)+H], h)
				}
			}
			if yh != nil {
				copy(yh.Data()[l.hOff(d, bi):l.hOff(d, bi)+H], h)
			}
			if yc != nil {
				copy(yc.Data()[l.hOff(d, bi):l.hOff(d, bi)+H], c)
			}
		}
	}
}

// GRU runs an ONNX GRU layer. Gate order z, r, h.
func (*Backend) GRU(y, yh, x, w, r, b, h0 *nn.Tensor, seqLens []int, p nn.RNNParams) {
	l := newLayout(x, p)
	H := l.hid
	G := 3 * H
	xd, wd, rd := x.Data(), w.Data(), r.Data()
	if y != nil {
		clear(y.Data())
	}
	xg := make([]float32, G)
	hg := make([]float32, G)
	h := make([]float32, H)
	rh := make([]float32, H)
	for d := 0; d < l.dirs; d++ {
		fAct := rnnAct(p, d, 0, nn.Activation{Kind: nn.ActSigmoid})
		gAct := rnnAct(p, d, 1, nn.Activation{Kind: nn.ActTanh})
		rev := p.Direction == "reverse" || d == 1
		wdd := wd[d*G*l.in : (d+1)*G*l.in]
		rdd := rd[d*G*H : (d+1)*G*H]
		var wb, rb []float32
		if b != nil {
			wb = b.Data()[d*2*G : d*2*G+G]
			rb = b.Data()[d*2*G+G : d*2*G+2*G]
		}
		for bi := 0; bi < l.batch; bi++ {
			T := l.seq
			if seqLens != nil {
				T = seqLens[bi]
			}
			clear(h)
			if h0 != nil {
				copy(h, h0.Data()[l.hOff(d, bi):])
			}
			for s := 0; s < T; s++ {
				t := s
				if rev {
					t = T - 1 - s
				}
				clear(xg)
				clear(hg)
				if wb != nil {
					copy(xg, wb)
					copy(hg, rb)
				}
				gemm.Sgemm(false, true, 1, G, l.in, 1, xd[l.xOff(t, bi):], l.in, wdd, l.in, 1, xg, G)
				// z and r use h directly
				gemm.Sgemm(false, true, 1, 2*H, H, 1, h, H, rdd, H, 1, hg, G)
				for j := 0; j < H; j++ {
					hg[j] = Apply(fAct, clipv(xg[j]+hg[j], p.Clip))       // z
					hg[H+j] = Apply(fAct, clipv(xg[H+j]+hg[H+j], p.Clip)) // r
				}
				if p.LinearBeforeReset {
					// hg[2H:] = h*Rh^T + Rbh, then multiplied by r
					gemm.Sgemm(false, true, 1, H, H, 1, h, H, rdd[2*H*H:], H, 1, hg[2*H:], G)
					for j := 0; j < H; j++ {
						hg[2*H+j] *= hg[H+j]
					}
				} else {
					for j := 0; j < H; j++ {
						rh[j] = hg[H+j] * h[j]
					}
					gemm.Sgemm(false, true, 1, H, H, 1, rh, H, rdd[2*H*H:], H, 1, hg[2*H:], G)
				}
				for j := 0; j < H; j++ {
					ht := Apply(gAct, clipv(xg[2*H+j]+hg[2*H+j], p.Clip))
					zt := hg[j]
					h[j] = (1-zt)*ht + zt*h[j]
				}
				if y != nil {
					copy(y.Data()[l.yOff(t, d, bi):l.yOff(t, d, bi)+H], h)
				}
			}
			if yh != nil {
				copy(yh.Data()[l.hOff(d, bi):l.hOff(d, bi)+H], h)
			}
		}
	}
}

var _ = math.Abs
