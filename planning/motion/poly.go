package motion

import "math"

// Poly is a polynomial c0 + c1 t + ... in time, valid on [0, T]; beyond T it continues with
// the constant end velocity (zero acceleration) unless Tail is set.
type Poly struct {
	C [6]float64
	T float64
}

// Quintic fits x(0)=x0, x'(0)=v0, x”(0)=a0, x(T)=xT, x'(T)=vT, x”(T)=aT.
func Quintic(x0, v0, a0, xT, vT, aT, T float64) Poly {
	p := Poly{T: T}
	p.C[0], p.C[1], p.C[2] = x0, v0, a0/2
	T2, T3 := T*T, T*T*T
	T4, T5 := T3*T, T3*T2
	// Solve the 3x3 system for c3, c4, c5.
	b0 := xT - (x0 + v0*T + a0/2*T2)
	b1 := vT - (v0 + a0*T)
	b2 := aT - a0
	// [T3 T4 T5; 3T2 4T3 5T4; 6T 12T2 20T3] c = b
	p.C[3] = (10*b0 - 4*b1*T + 0.5*b2*T2) / T3
	p.C[4] = (-15*b0 + 7*b1*T - b2*T2) / T4
	p.C[5] = (6*b0 - 3*b1*T + 0.5*b2*T2) / T5
	return p
}

// Quartic fits x(0)=x0, x'(0)=v0, x”(0)=a0, x'(T)=vT, x”(T)=aT (free end position).
func Quartic(x0, v0, a0, vT, aT, T float64) Poly {
	p := Poly{T: T}
	p.C[0], p.C[1], p.C[2] = x0, v0, a0/2
	b1 := vT - (v0 + a0*T)
	b2 := aT - a0
	// [3T2 4T3; 6T 12T2] [c3 c4] = [b1 b2]
	p.C[3] = (3*b1 - b2*T) / (3 * T * T)
	p.C[4] = (-2*b1 + b2*T) / (4 * T * T * T)
	return p
}

// Eval returns position, velocity, acceleration and jerk at t (t >= 0). Beyond T the motion
// continues at the end velocity with zero acceleration.
func (p Poly) Eval(t float64) (x, v, a, j float64) {
	if t > p.T {
		x, v, _, _ = p.Eval(p.T)
		return x + v*(t-p.T), v, 0, 0
	}
	c := p.C
	x = c[0] + t*(c[1]+t*(c[2]+t*(c[3]+t*(c[4]+t*c[5]))))
	v = c[1] + t*(2*c[2]+t*(3*c[3]+t*(4*c[4]+t*5*c[5])))
	a = 2*c[2] + t*(6*c[3]+t*(12*c[4]+t*20*c[5]))
	j = 6*c[3] + t*(24*c[4]+t*60*c[5])
	return
}

// JerkSquared integrates j(t)^2 over [0, T] numerically (Simpson, 20 intervals).
func (p Poly) JerkSquared() float64 {
	const n = 20
	h := p.T / n
	sum := 0.0
	for i := 0; i <= n; i++ {
		_, _, _, j := p.Eval(float64(i) * h)
		w := 2.0
		if i == 0 || i == n {
			w = 1
		} else if i%2 == 1 {
			w = 4
		}
		sum += w * j * j
	}
	return sum * h / 3
}

var _ = math.Abs
