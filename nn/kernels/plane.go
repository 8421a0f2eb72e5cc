package kernels

import (
	"sync"

	"github.com/avstack/avstack/nn/gemm"
	"github.com/avstack/avstack/nn/parallel"
)

// Window kernels (depthwise convolution, max pooling) share one scheme: each
// channel is copied once into a padded scratch plane whose fill value is the
// padding (0 for convolution, -Inf for max), laid out so that every tap
// (dy, dx) of a KHxKW window is a contiguous run that starts at a fixed
// offset and advances by lds per output row. For stride 2 each padded row is
// split into its even columns E then its odd columns O, so tap dx of output
// x reads E[x+dx/2] (dx even) or O[x+dx/2] (dx odd). An assembly plane kernel
// then combines nine taps per call over the whole plane; larger windows take
// several accumulating calls. Stride-1 5x5 convolution takes one dw5Plane
// call, and stride-2 3x3 convolution on AVX-512 keeps the plane unsplit
// (flat) for dwS2Plane3, which splits the columns in registers. The
// padding is written once per call (border); per channel, fill copies only
// the input rows.

// planeGeom is the layout of one channel's padded plane.
type planeGeom struct {
	h, w, oh, ow   int
	kh, kw, s      int
	padT, padL     int
	n              int // outputs computed per row: ow, or rounded up to a vector
	rs, eLen, rows int // padded row length, stride-2 E length, padded rows
	// flat: a stride-2 plane kept unsplit (padded rows as for stride 1,
	// at least 2n+2 long), for the dwS2Plane3 kernel
	flat bool
}

func newGeom(h, w, oh, ow, kh, kw, s, padT, padL, n int, flat bool) planeGeom {
	g := planeGeom{h: h, w: w, oh: oh, ow: ow, kh: kh, kw: kw, s: s, padT: padT, padL: padL, n: n, flat: flat}
	g.rows = (oh-1)*s + kh
	switch {
	case s == 1:
		g.rs = n + kw - 1 // >= w + padL since n >= ow = w + padL + padR - kw + 1
	case flat:
		g.rs = max(2*n+2, padL+w)
	default:
		g.eLen = n + (kw-1)/2
		g.rs = 2 * g.eLen
	}
	return g
}

// border sets the whole plane to the padding value pad. The plane's
// layout is the same for every channel of a call, so this runs once per
// call and part; fill then rewrites only the cells that hold the input.
func (g *planeGeom) border(plane []float32, pad float32) {
	fillValue(plane[:g.rows*g.rs], pad)
}

// fill writes channel in (h x w) into a plane whose padding cells border
// has already set (and which no one but fill writes since).
func (g *planeGeom) fill(plane, in []float32, p *path) {
	r0 := max(g.padT, 0)
	r1 := min(g.rows, g.padT+g.h)
	for r := r0; r < r1; r++ {
		row := plane[r*g.rs : (r+1)*g.rs]
		iy := r - g.padT
		sr := in[iy*g.w : (iy+1)*g.w]
		if g.s == 1 || g.flat {
			copy(row[g.padL:], sr)
			continue
		}
		gatherStride2(row[:g.eLen], sr, -g.padL, p)
		gatherStride2(row[g.eLen:], sr, 1-g.padL, p)
	}
}

// tap returns the offset in the plane of tap (dy, dx) for output (0, 0).
func (g *planeGeom) tap(dy, dx int) int {
	if g.s == 1 {
		return dy*g.rs + dx
	}
	if dx%2 == 0 {
		return dy*g.rs + dx/2
	}
	return dy*g.rs + g.eLen + dx/2
}

func fillValue(s []float32, v float32) {
	if v == 0 {
		clear(s)
		return
	}
	for i := range s {
		s[i] = v
	}
}

// gatherStride2 sets dst[j] = src[start+2j] where that index is inside src;
// the other cells keep the padding border wrote.
func gatherStride2(dst, src []float32, start int, p *path) {
	j0 := 0
	if start < 0 {
		j0 = (-start + 1) / 2
	}
	j1 := 0
	if len(src)-start > 0 {
		j1 = min(len(dst), (len(src)-start+1)/2)
	}
	j0 = min(j0, len(dst))
	j1 = max(j1, j0)
	j := j0
	// The vector gather of cnt outputs reads 2*cnt elements from
	// start+2*j0; a ragged end is one more vector overlapping the last
	// full one, which leaves at most one output (whose odd partner lies
	// past src) to the scalar loop.
	if cnt := min(j1-j0, (len(src)-start-2*j0)/2); cnt >= p.lanes {
		full := cnt / p.lanes * p.lanes
		p.evens(&dst[j0], &src[start+2*j0], full)
		if full < cnt {
			k := j0 + cnt - p.lanes
			p.evens(&dst[k], &src[start+2*k], p.lanes)
		}
		j += cnt
	}
	for ; j < j1; j++ {
		dst[j] = src[start+2*j]
	}
}

type planeOp int

const (
	opConv planeOp = iota // depthwise convolution
	opMax                 // max pooling
	opAvg                 // average pooling: window sums, then scaled per output
)

// planeTask is one depthwise or max-pool call; part i does a contiguous
// range of channels with its own scratch.
type planeTask struct {
	op                     planeOp
	dst, src, weight, bias []float32
	c                      int
	geom                   planeGeom
	direct                 bool // write rows straight into dst (n == ow)
	// src3: stride-1 3x3 padding-1 convolution whose interior rows read
	// src directly (dwSrc3); only the first and last two input rows go
	// through the plane.
	src3     bool
	countPad bool // opAvg: divide by KH*KW everywhere
	act      Activation
	p        *path
	parts    int
	part     []planePart
}

// planePart is the scratch of one part. The tap pointers and weights live
// here rather than on the stack because they reach the kernel through a
// function value, which would make them escape (one allocation per call).
type planePart struct {
	scratch []float32
	srcs    [9]*float32
	wt      [9]float32
	wt25    [25]float32 // the 5x5 kernel's weights
}

var (
	planeMu   sync.Mutex
	planeFree []*planeTask
)

func getPlaneTask() *planeTask {
	planeMu.Lock()
	defer planeMu.Unlock()
	if k := len(planeFree); k > 0 {
		t := planeFree[k-1]
		planeFree = planeFree[:k-1]
		return t
	}
	return &planeTask{}
}

// run spreads the channels over gemm.Threads() and recycles t.
func (t *planeTask) run() {
	parts := min(gemm.Threads(), t.c)
	if t.c*t.geom.h*t.geom.w < 1<<13 {
		parts = 1 // waking a worker costs more than such a layer
	}
	t.parts = parts
	if len(t.part) < parts {
		t.part = append(t.part, make([]planePart, parts-len(t.part))...)
	}
	parallel.Default.Run(parts, t)
	t.dst, t.src, t.weight, t.bias, t.p = nil, nil, nil, nil, nil
	t.src3 = false
	planeMu.Lock()
	planeFree = append(planeFree, t)
	planeMu.Unlock()
}

// dwSrc3 is the stride-1 3x3 padding-1 convolution of one channel (in is
// h x w, out the same, w >= lanes+2, h >= 3, pt.wt its weights): output
// rows 1..h-2 at columns 1..w-2 in one dwPlane call reading in itself
// (lds = w), their first and last columns in Go, and output rows 0 and
// h-1 by dwPlane from plane rows 0-2 and h-1..h+1, of which fill-like
// copies set only rows 1, 2, h-1 and h (the rest is border). Activation
// kinds as dwPlane; others follow in Run.
func (t *planeTask) dwSrc3(out, in, plane []float32, pt *planePart, b float32, kind int, alpha float32) {
	g, p := &t.geom, t.p
	h, w, rs := g.h, g.w, g.rs
	for _, r := range [4]int{1, 2, h - 1, h} {
		copy(plane[r*rs+1:r*rs+1+w], in[(r-1)*w:r*w])
	}
	srcs, k := &pt.srcs, &pt.wt
	for _, y := range [2]int{0, h - 1} {
		for tp := range srcs {
			srcs[tp] = &plane[(y+tp/3)*rs+tp%3]
		}
		p.dwPlane(&out[y*w], w, srcs, rs, k, 1, w, b, kind, alpha, 0)
	}
	for tp := range srcs {
		srcs[tp] = &in[(tp/3)*w+tp%3]
	}
	p.dwPlane(&out[w+1], w, srcs, w, k, h-2, w-2, b, kind, alpha, 0)
	for y := 1; y < h-1; y++ {
		r0 := in[(y-1)*w : y*w]
		r1 := in[y*w : (y+1)*w]
		r2 := in[(y+1)*w : (y+2)*w]
		o := out[y*w : (y+1)*w]
		l := b + (k[1]*r0[0] + k[2]*r0[1]) + (k[4]*r1[0] + k[5]*r1[1]) + (k[7]*r2[0] + k[8]*r2[1])
		o[0] = applyAsmAct(l, kind, alpha)
		e := w - 2
		r := b + (k[0]*r0[e] + k[1]*r0[e+1]) + (k[3]*r1[e] + k[4]*r1[e+1]) + (k[6]*r2[e] + k[7]*r2[e+1])
		o[w-1] = applyAsmAct(r, kind, alpha)
	}
}

// five reports whether t is a stride-1 5x5 depthwise convolution, which
// takes one dw5Plane call per channel instead of three accumulating passes.
func (t *planeTask) five() bool {
	return t.op == opConv && t.geom.s == 1 && t.geom.kh == 5 && t.geom.kw == 5
}

func (t *planeTask) Run(i int) {
	c0 := t.c * i / t.parts
	c1 := t.c * (i + 1) / t.parts
	g, p := &t.geom, t.p
	oh, ow, n := g.oh, g.ow, g.n
	need := g.rows*g.rs + oh*n
	pt := &t.part[i]
	if cap(pt.scratch) < need {
		pt.scratch = make([]float32, need)
	}
	buf := pt.scratch[:need]
	plane, tmp := buf[:g.rows*g.rs], buf[g.rows*g.rs:]
	srcs, wt := &pt.srcs, &pt.wt
	defer clear(srcs[:])
	pad := float32(0)
	if t.op == opMax {
		pad = negInf
	}
	g.border(plane, pad)
	kind, alpha, asmOK := t.act.asmAct()
	taps := g.kh * g.kw
	passes := (taps + 8) / 9
	for ch := c0; ch < c1; ch++ {
		in := t.src[ch*g.h*g.w : (ch+1)*g.h*g.w]
		if !t.src3 {
			g.fill(plane, in, p)
		}
		out := t.dst[ch*oh*ow : (ch+1)*oh*ow]
		dp, ldo := &tmp[0], n
		if t.direct {
			dp, ldo = &out[0], ow
		}
		var b float32
		if t.bias != nil {
			b = t.bias[ch]
		}
		switch {
		case t.src3:
			copy(wt[:], t.weight[ch*9:(ch+1)*9])
			t.dwSrc3(out, in, plane, pt, b, kind, alpha)
		case t.five():
			copy(pt.wt25[:], t.weight[ch*25:(ch+1)*25])
			p.dw5Plane(dp, ldo, &plane[0], g.rs, &pt.wt25, oh, n, b, kind, alpha)
		case g.flat:
			copy(wt[:], t.weight[ch*9:(ch+1)*9])
			p.dwS2Plane3(dp, ldo, &plane[0], g.rs, wt, oh, n, b, kind, alpha)
		}
		for pass := 0; pass < passes && !t.src3 && !t.five() && !g.flat; pass++ {
			first := pass * 9
			for k := 0; k < 9; k++ {
				tp := first + k
				if tp >= taps {
					// Unused slot: repeat the pass's first tap with weight 0
					// (max is unchanged by a repeat).
					srcs[k], wt[k] = srcs[0], 0
					continue
				}
				srcs[k] = &plane[g.tap(tp/g.kw, tp%g.kw)]
				switch t.op {
				case opConv:
					wt[k] = t.weight[ch*taps+tp]
				case opAvg:
					wt[k] = 1
				}
			}
			accum := 0
			if pass > 0 {
				accum = 1
			}
			if t.op == opMax {
				p.maxPlane(dp, ldo, srcs, g.s*g.rs, oh, n, accum)
				continue
			}
			pb, pk := b, kind
			if pass > 0 {
				pb = 0
			}
			if pass < passes-1 {
				pk = asmActNone
			}
			p.dwPlane(dp, ldo, srcs, g.s*g.rs, wt, oh, n, pb, pk, alpha, accum)
		}
		if !t.direct {
			for y := 0; y < oh; y++ {
				copy(out[y*ow:(y+1)*ow], tmp[y*n:y*n+ow])
			}
		}
		if t.op == opConv && !asmOK {
			for x, v := range out {
				out[x] = act1(t.act, v)
			}
		}
		if t.op == opAvg {
			// The divisor is separable: valid rows of the window times
			// valid columns (or KH*KW when padding counts).
			for y := 0; y < oh; y++ {
				ry := float32(g.kh)
				if !t.countPad {
					y0 := y*g.s - g.padT
					ry = float32(min(y0+g.kh, g.h) - max(y0, 0))
				}
				o := out[y*ow : (y+1)*ow]
				for x := range o {
					cx := float32(g.kw)
					if !t.countPad {
						x0 := x*g.s - g.padL
						cx = float32(min(x0+g.kw, g.w) - max(x0, 0))
					}
					o[x] /= ry * cx
				}
			}
		}
	}
}
