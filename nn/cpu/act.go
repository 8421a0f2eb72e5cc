package cpu

import (
	"math"

	"github.com/avstack/avstack/nn"
)

// Apply returns act(v): the scalar definition of every activation.
func Apply(act nn.Activation, v float32) float32 {
	switch act.Kind {
	case nn.ActNone:
		return v
	case nn.ActRelu:
		if v < 0 {
			return 0
		}
		return v
	case nn.ActLeakyRelu:
		if v < 0 {
			return act.Alpha * v
		}
		return v
	case nn.ActSigmoid:
		return sigmoid(v)
	case nn.ActTanh:
		return float32(math.Tanh(float64(v)))
	case nn.ActHardSigmoid:
		return clampf(act.Alpha*v+act.Beta, 0, 1)
	case nn.ActHardSwish:
		return v * clampf(v/6+0.5, 0, 1)
	case nn.ActSiLU:
		return v * sigmoid(v)
	case nn.ActMish:
		sp := math.Log1p(math.Exp(float64(v)))
		if v > 20 {
			sp = float64(v)
		}
		return v * float32(math.Tanh(sp))
	case nn.ActClip:
		if v < act.Alpha {
			v = act.Alpha
		}
		if v > act.Beta {
			v = act.Beta
		}
		return v
	case nn.ActExp:
		return float32(math.Exp(float64(v)))
	case nn.ActNeg:
		return -v
	case nn.ActSqrt:
		return float32(math.Sqrt(float64(v)))
	case nn.ActReciprocal:
		return 1 / v
	case nn.ActAbs:
		if v < 0 {
			return -v
		}
		return v
	}
	panic("cpu: unknown activation " + act.Kind.String())
}

// Derivative returns d act(v)/dv given the input v and the output y = act(v).
func Derivative(act nn.Activation, v, y float32) float32 {
	switch act.Kind {
	case nn.ActNone:
		return 1
	case nn.ActRelu:
		if v > 0 {
			return 1
		}
		return 0
	case nn.ActLeakyRelu:
		if v > 0 {
			return 1
		}
		return act.Alpha
	case nn.ActSigmoid:
		return y * (1 - y)
	case nn.ActTanh:
		return 1 - y*y
	case nn.ActHardSigmoid:
		u := act.Alpha*v + act.Beta
		if u > 0 && u < 1 {
			return act.Alpha
		}
		return 0
	case nn.ActHardSwish:
		switch {
		case v < -3:
			return 0
		case v > 3:
			return 1
		}
		return v/3 + 0.5
	case nn.ActSiLU:
		s := sigmoid(v)
		return s + v*s*(1-s)
	case nn.ActMish:
		sp := math.Log1p(math.Exp(float64(v)))
		t := math.Tanh(sp)
		s := 1 / (1 + math.Exp(-float64(v)))
		return float32(t + float64(v)*(1-t*t)*s)
	case nn.ActClip:
		if v > act.Alpha && v < act.Beta {
			return 1
		}
		return 0
	case nn.ActExp:
		return y
	case nn.ActNeg:
		return -1
	case nn.ActSqrt:
		return 0.5 / y
	case nn.ActReciprocal:
		return -y * y
	case nn.ActAbs:
		if v < 0 {
			return -1
		}
		return 1
	}
	panic("cpu: unknown activation " + act.Kind.String())
}

func sigmoid(v float32) float32 {
	if v >= 0 {
		return float32(1 / (1 + math.Exp(-float64(v))))
	}
	e := math.Exp(float64(v))
	return float32(e / (1 + e))
}

func clampf(v, lo, hi float32) float32 {
	if v < lo {
		return lo
	}
	if v > hi {
		return hi
	}
	return v
}

func applySlice(d []float32, act nn.Activation) {
	switch act.Kind {
	case nn.ActNone:
	case nn.ActRelu:
		for k, v := range d {
			if v < 0 {
				d[k] = 0
			}
		}
	case nn.ActLeakyRelu:
		a := act.Alpha
		for k, v := range d {
			if v < 0 {
				d[k] = a * v
			}
		}
	default:
		for k, v := range d {
			d[k] = Apply(act, v)
		}
	}
}

// Activate computes dst = act(x) element-wise; dst may be x.
func (*Backend) Activate(dst, x *nn.Tensor, act nn.Activation) {
	xd, dd := x.Data(), dst.Data()
	if len(xd) != len(dd) {
		panic("cpu: Activate size mismatch")
	}
	if len(dd) == 0 {
		return
	}
	if &xd[0] != &dd[0] {
		copy(dd, xd)
	}
	applySlice(dd, act)
}
