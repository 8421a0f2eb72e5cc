package cpu

import (
	"math"

	"github.com/avstack/avstack/nn"
)

// tap is one input index and its weight for one output coordinate.
type tap struct {
	i int
	w float32
}

// resizeTaps returns, for each output index of one axis, the input taps.
// It implements the ONNX Resize coordinate transforms and the nearest,
// linear and cubic kernels (with antialiasing for downscaling).
func resizeTaps(in, out int, scale float32, axis int, p *nn.ResizeParams, rank int) ([][]tap, []bool) {
	taps := make([][]tap, out)
	extra := make([]bool, out) // true: output uses the extrapolation value
	sc := float64(scale)
	outLen := sc * float64(in) // ONNX uses the unrounded resized length
	for o := 0; o < out; o++ {
		var x float64
		fo := float64(o)
		switch p.Coord {
		case "", "half_pixel":
			x = (fo+0.5)/sc - 0.5
		case "half_pixel_symmetric":
			adj := float64(out) / outLen
			center := float64(in) / 2
			off := center * (1 - adj)
			x = off + (fo+0.5)/sc - 0.5
		case "pytorch_half_pixel":
			if outLen > 1 {
				x = (fo+0.5)/sc - 0.5
			} else {
				x = 0
			}
		case "align_corners":
			if outLen > 1 {
				x = fo * float64(in-1) / (outLen - 1)
			} else {
				x = 0
			}
		case "asymmetric":
			x = fo / sc
		case "tf_crop_and_resize":
			s, e := 0.0, 1.0
			if len(p.Roi) == 2*rank {
				s, e = float64(p.Roi[axis]), float64(p.Roi[rank+axis])
			}
			if outLen > 1 {
				x = s*float64(in-1) + fo*(e-s)*float64(in-1)/(outLen-1)
			} else {
				x = 0.5 * (s + e) * float64(in-1)
			}
			if x < 0 || x > float64(in-1) {
				extra[o] = true
				continue
			}
		}
		switch p.Mode {
		case nn.ResizeNearest:
			var i int
			switch p.Nearest {
			case "", "round_prefer_floor":
				if x == math.Floor(x)+0.5 {
					i = int(math.Floor(x))
				} else {
					i = int(math.Round(x))
				}
			case "round_prefer_ceil":
				i = int(math.Round(x))
			case "floor":
				i = int(math.Floor(x))
			case "ceil":
				i = int(math.Ceil(x))
			}
			if i < 0 {
				i = 0
			}
			if i >= in {
				i = in - 1
			}
			taps[o] = []tap{{i, 1}}
		case nn.ResizeLinear, nn.ResizeCubic:
			taps[o] = filterTaps(x, in, sc, p)
		}
	}
	return taps, extra
}

func cubicWeight(t, a float64) float64 {
	t = math.Abs(t)
	switch {
	case t <= 1:
		return ((a+2)*t-(a+3))*t*t + 1
	case t < 2:
		return ((a*t-5*a)*t+8*a)*t - 4*a
	}
	return 0
}

// filterTaps returns the linear or cubic taps around x, following the ONNX
// reference: the left pixel is preferred (ratio in (0, 1]), samples outside
// the input take the edge value, antialiasing widens the filter by 1/scale
// when downscaling, and exclude_outside drops outside taps and renormalises.
func filterTaps(x float64, in int, sc float64, p *nn.ResizeParams) []tap {
	xi := math.Floor(x)
	ratio := x - xi
	if ratio == 0 {
		ratio = 1
		xi--
	}
	aa := p.Antialias && sc < 1
	var start, end int
	var weight func(j int) float64
	switch {
	case p.Mode == nn.ResizeLinear && !aa:
		start, end = 0, 2
		weight = func(j int) float64 {
			if j == 0 {
				return 1 - ratio
			}
			return ratio
		}
	case p.Mode == nn.ResizeLinear:
		start = int(math.Floor(-1/sc) + 1)
		end = 2 - start
		weight = func(j int) float64 {
			return math.Max(0, math.Min(1, 1-math.Abs((float64(j)-ratio)*sc)))
		}
	case !aa:
		start, end = -1, 3
		weight = func(j int) float64 { return cubicWeight(float64(j)-ratio, float64(p.CubicA)) }
	default:
		start = int(math.Floor(-2/sc) + 1)
		end = 2 - start
		weight = func(j int) float64 { return cubicWeight(sc*(float64(j)-ratio), float64(p.CubicA)) }
	}
	ts := make([]tap, 0, end-start)
	ws := make([]float64, 0, end-start)
	var sum float64
	for j := start; j < end; j++ {
		i := int(xi) + j
		w := weight(j)
		if p.ExcludeOut && (i < 0 || i >= in) {
			w = 0
		}
		i = max(0, min(i, in-1))
		ts = append(ts, tap{i: i})
		ws = append(ws, w)
		sum += w
	}
	norm := aa || p.ExcludeOut
	for k := range ts {
		w := ws[k]
		if norm && sum != 0 {
			w /= sum
		}
		ts[k].w = float32(w)
	}
	return ts
}

// Resize resamples x into dst (whose shape is the output size), separably
// over every axis whose size or scale changes.
func (bk *Backend) Resize(dst, x *nn.Tensor, p nn.ResizeParams) {
	xs, ys := x.Shape(), dst.Shape()
	r := len(xs)
	if r > 8 {
		panic("cpu: Resize rank above 8")
	}
	xd, yd := x.Data(), dst.Data()
	fastNearest := p.Nearest == "floor" || ((p.Nearest == "" || p.Nearest == "round_prefer_floor") && ys[2] <= 2*xs[2] && ys[3] <= 2*xs[3])
	if p.Mode == nn.ResizeNearest && fastNearest && r == 4 && xs[0] == ys[0] && xs[1] == ys[1] && p.Coord == "asymmetric" && ys[2]%xs[2] == 0 && ys[3]%xs[3] == 0 && float32(ys[2]/xs[2]) == p.Scales[2] && float32(ys[3]/xs[3]) == p.Scales[3] && p.Roi == nil {
		upsampleInt(yd, xd, xs, ys)
		return
	}
	plan := bk.resizePlan(xs, ys, &p)
	taps, extra := plan.taps, plan.extra
	var st [8]int
	s := 1
	for k := r - 1; k >= 0; k-- {
		st[k] = s
		s *= xs[k]
	}
	var idx [8]int
	var sel [8]int
	for o := range yd {
		ex := false
		for k := 0; k < r; k++ {
			if extra[k][idx[k]] {
				ex = true
			}
			sel[k] = 0
		}
		if ex {
			yd[o] = p.Extrapolation
		} else {
			// sum over the cartesian product of the taps of every axis
			var sum float32
			for {
				w := float32(1)
				off := 0
				for k := 0; k < r; k++ {
					t := taps[k][idx[k]][sel[k]]
					w *= t.w
					off += t.i * st[k]
				}
				sum += w * xd[off]
				k := r - 1
				for ; k >= 0; k-- {
					sel[k]++
					if sel[k] < len(taps[k][idx[k]]) {
						break
					}
					sel[k] = 0
				}
				if k < 0 {
					break
				}
			}
			yd[o] = sum
		}
		for k := r - 1; k >= 0; k-- {
			idx[k]++
			if idx[k] < ys[k] {
				break
			}
			idx[k] = 0
		}
	}
}

// upsampleInt is nearest upsampling by integer factors (asymmetric
// coordinates), the Upsample of the detectors.
func upsampleInt(yd, xd []float32, xs, ys []int) {
	fh, fw := ys[2]/xs[2], ys[3]/xs[3]
	H, W := xs[2], xs[3]
	OW := ys[3]
	for c := 0; c < xs[0]*xs[1]; c++ {
		xc := xd[c*H*W:]
		yc := yd[c*ys[2]*OW:]
		for h := 0; h < ys[2]; h++ {
			row := yc[h*OW : (h+1)*OW]
			src := xc[(h/fh)*W:]
			for w := range row {
				row[w] = src[w/fw]
			}
		}
	}
}

// resizeKey identifies a resize plan: shapes and every parameter.
type resizeKey struct {
	in, out        [8]int
	mode           nn.ResizeMode
	coord, nearest string
	cubicA, extrap float32
	exclude, aa    bool
	scales         [8]float32
	roi            [16]float32
}

type resizePlan struct {
	taps  [][][]tap
	extra [][]bool
}

// resizePlan returns the (cached) taps of every axis.
func (bk *Backend) resizePlan(xs, ys []int, p *nn.ResizeParams) *resizePlan {
	var key resizeKey
	copy(key.in[:], xs)
	copy(key.out[:], ys)
	key.mode, key.coord, key.nearest = p.Mode, p.Coord, p.Nearest
	key.cubicA, key.extrap, key.exclude, key.aa = p.CubicA, p.Extrapolation, p.ExcludeOut, p.Antialias
	copy(key.scales[:], p.Scales)
	copy(key.roi[:], p.Roi)
	if pl, ok := bk.resize[key]; ok {
		return pl
	}
	r := len(xs)
	pl := &resizePlan{taps: make([][][]tap, r), extra: make([][]bool, r)}
	for k := 0; k < r; k++ {
		sc := float32(1)
		if k < len(p.Scales) && p.Scales[k] > 0 {
			sc = p.Scales[k]
		} else if xs[k] > 0 {
			sc = float32(ys[k]) / float32(xs[k])
		}
		if sc == 1 && xs[k] == ys[k] && p.Coord != "tf_crop_and_resize" {
			t := make([][]tap, ys[k])
			for o := range t {
				t[o] = []tap{{o, 1}}
			}
			pl.taps[k] = t
			pl.extra[k] = make([]bool, ys[k])
			continue
		}
		pl.taps[k], pl.extra[k] = resizeTaps(xs[k], ys[k], sc, k, p, r)
	}
	if bk.resize == nil {
		bk.resize = map[resizeKey]*resizePlan{}
	}
	if len(bk.resize) > 64 {
		clear(bk.resize) // bound the cache for shape-changing callers
	}
	bk.resize[key] = pl
	return pl
}
