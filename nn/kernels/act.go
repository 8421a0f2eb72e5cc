package kernels

import (
	"fmt"
	"math"
)

// ActKind names an activation fused into a kernel's epilogue.
type ActKind int

const (
	ActNone      ActKind = iota // identity
	ActReLU                     // max(x, 0)
	ActLeaky                    // x if x > 0 else Alpha*x
	ActSigmoid                  // 1/(1+exp(-x))
	ActSiLU                     // x*sigmoid(x) (Swish)
	ActTanh                     // tanh(x)
	ActClip                     // min(max(x, Min), Max) (ReLU6 is Clip 0..6)
	ActHardSwish                // x*clip(x+3, 0, 6)/6
)

// Activation is an activation with its parameters.
type Activation struct {
	Kind     ActKind
	Alpha    float32 // ActLeaky slope
	Min, Max float32 // ActClip bounds
}

func (a Activation) String() string {
	names := [...]string{"none", "relu", "leaky", "sigmoid", "silu", "tanh", "clip", "hardswish"}
	if a.Kind >= 0 && int(a.Kind) < len(names) {
		return names[a.Kind]
	}
	return fmt.Sprintf("act(%d)", int(a.Kind))
}

// asmAct maps a to the kinds the assembly row kernels apply themselves;
// ok is false when the activation must be applied in a separate pass.
func (a Activation) asmAct() (kind int, alpha float32, ok bool) {
	switch a.Kind {
	case ActNone:
		return asmActNone, 0, true
	case ActReLU:
		return asmActReLU, 0, true
	case ActLeaky:
		if a.Alpha >= 0 && a.Alpha <= 1 {
			return asmActLeaky, a.Alpha, true
		}
	}
	return asmActNone, 0, false
}

// ActRef is the reference of one activation, in float64.
func ActRef(a Activation, v float32) float32 {
	x := float64(v)
	switch a.Kind {
	case ActNone:
		return v
	case ActReLU:
		return float32(math.Max(x, 0))
	case ActLeaky:
		if x > 0 {
			return v
		}
		return float32(float64(a.Alpha) * x)
	case ActSigmoid:
		return float32(1 / (1 + math.Exp(-x)))
	case ActSiLU:
		return float32(x / (1 + math.Exp(-x)))
	case ActTanh:
		return float32(math.Tanh(x))
	case ActClip:
		return float32(math.Min(math.Max(x, float64(a.Min)), float64(a.Max)))
	case ActHardSwish:
		return float32(x * math.Min(math.Max(x+3, 0), 6) / 6)
	}
	panic(fmt.Sprintf("kernels: unknown activation kind %d", int(a.Kind)))
}

// exp32 is exp(x) in float32 to about 2 ulp: x = n*ln2 + r, |r| <= ln2/2,
// exp(r) by a degree-6 polynomial, scaled by 2^n through the exponent bits.
func exp32(x float32) float32 {
	if x > 88.72 {
		return float32(math.Inf(1))
	}
	if x < -87.3 {
		return 0
	}
	n := float32(math.Round(float64(x * 1.44269504088896341)))
	r := x - n*0.693359375 + n*2.12194440e-4
	p := float32(1.9875691500e-4)
	p = p*r + 1.3981999507e-3
	p = p*r + 8.3334519073e-3
	p = p*r + 4.1665795894e-2
	p = p*r + 1.6666665459e-1
	p = p*r + 5.0000001201e-1
	p = p*r*r + r + 1
	return p * math.Float32frombits(uint32(int32(n)+127)<<23)
}

// act1 is the fast scalar activation (float32 arithmetic, exp32).
func act1(a Activation, v float32) float32 {
	switch a.Kind {
	case ActNone:
		return v
	case ActReLU:
		return max(v, 0)
	case ActLeaky:
		if v > 0 {
			return v
		}
		return a.Alpha * v
	case ActSigmoid:
		return 1 / (1 + exp32(-v))
	case ActSiLU:
		return v / (1 + exp32(-v))
	case ActTanh:
		if v > 9 {
			return 1
		}
		if v < -9 {
			return -1
		}
		if v > -0.1 && v < 0.1 {
			// near zero 2*sigmoid(2v)-1 cancels; the odd series is exact enough
			v2 := v * v
			return v * (1 + v2*(-1.0/3+v2*(2.0/15+v2*(-17.0/315+v2*(62.0/2835)))))
		}
		e := exp32(2 * v)
		return (e - 1) / (e + 1)
	case ActClip:
		return min(max(v, a.Min), a.Max)
	case ActHardSwish:
		return v * min(max(v+3, 0), 6) / 6
	}
	panic(fmt.Sprintf("kernels: unknown activation kind %d", int(a.Kind)))
}

// Activate applies a to every element of x in place.
func Activate(x []float32, a Activation) {
	biasActTo(x, x, 1, len(x), nil, a)
}

// ActivateTo sets dst[i] = act(src[i]) for i < len(src), in one pass (no
// copy first); dst may be src. It panics when dst is shorter than src.
func ActivateTo(dst, src []float32, a Activation) {
	if len(dst) < len(src) {
		panic(fmt.Sprintf("kernels: ActivateTo len(dst)=%d < len(src)=%d", len(dst), len(src)))
	}
	biasActTo(dst, src, 1, len(src), nil, a)
}

// ActivateRef is the reference of Activate.
func ActivateRef(x []float32, a Activation) {
	for i, v := range x {
		x[i] = ActRef(a, v)
	}
}

// BiasAct is the convolution epilogue on a [channels, plane] block (NCHW,
// one image): x[c*plane+i] = act(x[c*plane+i] + bias[c]). bias may be nil
// (no bias). It panics when x or bias is too short.
func BiasAct(x []float32, channels, plane int, bias []float32, a Activation) {
	if len(x) < channels*plane {
		panic(fmt.Sprintf("kernels: BiasAct len(x)=%d < %d channels * %d", len(x), channels, plane))
	}
	if bias != nil && len(bias) < channels {
		panic(fmt.Sprintf("kernels: BiasAct len(bias)=%d < %d channels", len(bias), channels))
	}
	if bias == nil && a.Kind == ActNone {
		return
	}
	biasActTo(x, x, channels, plane, bias, a)
}

// biasActTo is dst[c*plane+i] = act(src[c*plane+i] + bias[c]); the callers
// have checked the lengths.
func biasActTo(dst, src []float32, channels, plane int, bias []float32, a Activation) {
	p := current()
	kind, alpha, asmOK := a.asmAct()
	for c := 0; c < channels; c++ {
		in := src[c*plane : (c+1)*plane]
		out := dst[c*plane : (c+1)*plane]
		var b float32
		if bias != nil {
			b = bias[c]
		}
		if asmOK {
			nv := plane / p.lanes * p.lanes
			if nv > 0 {
				p.biasAct(&out[0], &in[0], nv, b, kind, alpha)
			}
			for i := nv; i < plane; i++ {
				out[i] = applyAsmAct(in[i]+b, kind, alpha)
			}
			continue
		}
		for i, v := range in {
			out[i] = act1(a, v+b)
		}
	}
}

// BiasActRef is the reference of BiasAct.
func BiasActRef(x []float32, channels, plane int, bias []float32, a Activation) {
	for c := 0; c < channels; c++ {
		for i := 0; i < plane; i++ {
			v := x[c*plane+i]
			if bias != nil {
				v += bias[c]
			}
			x[c*plane+i] = ActRef(a, v)
		}
	}
}
