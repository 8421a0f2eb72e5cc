package graph

import (
	"fmt"
	"math"

	"github.com/avstack/avstack/nn"
)

// ResizeOp is ONNX Resize (opset 10: scales at input 1; 11+: roi, scales,
// sizes at inputs 1, 2, 3) and Upsample (Scales attribute or input 1).
type ResizeOp struct {
	P          nn.ResizeParams
	Opset10    bool      // scales at input 1
	Scales     []float32 // Upsample-7 attribute
	Axes       []int     // opset 18
	KeepAspect string    // "stretch", "not_larger", "not_smaller"
	sc, roi    []float32
	sz         []int
	shp        []int
	full       []float32
}

func (o *ResizeOp) Run(be nn.Backend, in, out []*nn.Tensor) error {
	x := in[0]
	xs := x.Shape()
	r := len(xs)
	o.sc, o.roi, o.sz = o.sc[:0], o.roi[:0], o.sz[:0]
	switch {
	case len(o.Scales) > 0:
		o.sc = append(o.sc, o.Scales...)
	case o.Opset10:
		o.sc = readFloats(o.sc, in[1])
	default:
		if len(in) > 1 && in[1] != nil {
			o.roi = readFloats(o.roi, in[1])
		}
		if len(in) > 2 && in[2] != nil {
			o.sc = readFloats(o.sc, in[2])
		}
		if len(in) > 3 && in[3] != nil {
			o.sz = readInts(o.sz, in[3])
		}
	}
	axes := o.Axes
	na := r
	if len(axes) > 0 {
		na = len(axes)
	}
	o.full = o.full[:0]
	for k := 0; k < r; k++ {
		o.full = append(o.full, 1)
	}
	o.shp = append(o.shp[:0], xs...)
	axis := func(k int) int {
		if len(axes) > 0 {
			a := axes[k]
			if a < 0 {
				a += r
			}
			return a
		}
		return k
	}
	switch {
	case len(o.sz) > 0:
		if len(o.sz) != na {
			return fmt.Errorf("%d sizes for %d axes", len(o.sz), na)
		}
		if o.KeepAspect == "not_larger" || o.KeepAspect == "not_smaller" {
			var s float32
			for k := 0; k < na; k++ {
				a := axis(k)
				v := float32(o.sz[k]) / float32(xs[a])
				if k == 0 || (o.KeepAspect == "not_larger" && v < s) || (o.KeepAspect == "not_smaller" && v > s) {
					s = v
				}
			}
			for k := 0; k < na; k++ {
				a := axis(k)
				o.full[a] = s
				o.shp[a] = int(math.Round(float64(s) * float64(xs[a])))
			}
		} else {
			for k := 0; k < na; k++ {
				a := axis(k)
				o.shp[a] = o.sz[k]
				o.full[a] = float32(o.sz[k]) / float32(xs[a])
			}
		}
	case len(o.sc) > 0:
		if len(o.sc) != na {
			return fmt.Errorf("%d scales for %d axes", len(o.sc), na)
		}
		for k := 0; k < na; k++ {
			a := axis(k)
			if o.sc[k] <= 0 {
				return fmt.Errorf("scale %g on axis %d", o.sc[k], a)
			}
			o.full[a] = o.sc[k]
			o.shp[a] = int(math.Floor(float64(xs[a]) * float64(o.sc[k])))
		}
	default:
		return fmt.Errorf("neither scales nor sizes given")
	}
	o.P.Scales = o.full
	o.P.Roi = nil
	if o.P.Coord == "tf_crop_and_resize" && len(o.roi) > 0 {
		if len(axes) > 0 {
			full := make([]float32, 2*r)
			for k := 0; k < r; k++ {
				full[k], full[r+k] = 0, 1
			}
			for k := 0; k < na; k++ {
				a := axis(k)
				full[a], full[r+a] = o.roi[k], o.roi[na+k]
			}
			o.P.Roi = full
		} else {
			o.P.Roi = o.roi
		}
	}
	out[0].SetDType(nn.Float32)
	out[0].Resize(o.shp...)
	be.Resize(out[0], x, o.P)
	return nil
}

// LSTMOp is an ONNX LSTM layer.
type LSTMOp struct {
	P    nn.RNNParams
	lens []int
	shp  []int
}

func rnnOutShapes(x *nn.Tensor, p nn.RNNParams) (seq, batch, dirs int) {
	s := x.Shape()
	seq, batch = s[0], s[1]
	if p.BatchFirst {
		seq, batch = s[1], s[0]
	}
	dirs = 1
	if p.Direction == "bidirectional" {
		dirs = 2
	}
	return
}

func (o *LSTMOp) Run(be nn.Backend, in, out []*nn.Tensor) error {
	x, w, r := in[0], in[1], in[2]
	get := func(k int) *nn.Tensor {
		if len(in) > k {
			return in[k]
		}
		return nil
	}
	if x.Rank() != 3 {
		return fmt.Errorf("X %v is not 3-d", x.Shape())
	}
	seq, batch, dirs := rnnOutShapes(x, o.P)
	H := o.P.Hidden
	if w.Rank() != 3 || w.Shape()[0] != dirs || w.Shape()[1] != 4*H || w.Shape()[2] != x.Shape()[2] {
		return fmt.Errorf("W %v for X %v, hidden %d, %d directions", w.Shape(), x.Shape(), H, dirs)
	}
	o.lens = o.lens[:0]
	if sl := get(4); sl != nil {
		o.lens = readInts(o.lens, sl)
	}
	var lens []int
	if len(o.lens) > 0 {
		lens = o.lens
	}
	y, yh, yc := out[0], outAt(out, 1), outAt(out, 2)
	if o.P.BatchFirst {
		y.Resize(batch, seq, dirs, H)
	} else {
		y.Resize(seq, dirs, batch, H)
	}
	for _, t := range []*nn.Tensor{yh, yc} {
		if t == nil {
			continue
		}
		if o.P.BatchFirst {
			t.Resize(batch, dirs, H)
		} else {
			t.Resize(dirs, batch, H)
		}
	}
	be.LSTM(y, yh, yc, x, w, r, get(3), get(5), get(6), get(7), lens, o.P)
	return nil
}

func outAt(out []*nn.Tensor, k int) *nn.Tensor {
	if len(out) > k {
		return out[k]
	}
	return nil
}

// GRUOp is an ONNX GRU layer.
type GRUOp struct {
	P    nn.RNNParams
	lens []int
}

func (o *GRUOp) Run(be nn.Backend, in, out []*nn.Tensor) error {
	x, w, r := in[0], in[1], in[2]
	get := func(k int) *nn.Tensor {
		if len(in) > k {
			return in[k]
		}
		return nil
	}
	if x.Rank() != 3 {
		return fmt.Errorf("X %v is not 3-d", x.Shape())
	}
	seq, batch, dirs := rnnOutShapes(x, o.P)
	H := o.P.Hidden
	if w.Rank() != 3 || w.Shape()[0] != dirs || w.Shape()[1] != 3*H || w.Shape()[2] != x.Shape()[2] {
		return fmt.Errorf("W %v for X %v, hidden %d, %d directions", w.Shape(), x.Shape(), H, dirs)
	}
	o.lens = o.lens[:0]
	if sl := get(4); sl != nil {
		o.lens = readInts(o.lens, sl)
	}
	var lens []int
	if len(o.lens) > 0 {
		lens = o.lens
	}
	y, yh := out[0], outAt(out, 1)
	if o.P.BatchFirst {
		y.Resize(batch, seq, dirs, H)
	} else {
		y.Resize(seq, dirs, batch, H)
	}
	if yh != nil {
		if o.P.BatchFirst {
			yh.Resize(batch, dirs, H)
		} else {
			yh.Resize(dirs, batch, H)
		}
	}
	be.GRU(y, yh, x, w, r, get(3), get(5), lens, o.P)
	return nil
}
