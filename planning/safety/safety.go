package safety

import (
	"math"

	"github.com/avstack/avstack/geom"
)

// Inflate grows a box by dl in length and dw in width (total, both sides).
func Inflate(b geom.Box, dl, dw float64) geom.Box {
	b.Length += dl
	b.Width += dw
	return b
}

// TTC is the time to collision of a follower closing on a leader along a line: gap is the
// bumper-to-bumper distance, vRear and vFront the speeds, aRear and aFront the accelerations
// (held constant until a braking vehicle stops; it then stays stopped). It returns +Inf when they
// do not meet within 20 s, and 0 when the gap is already <= 0.
func TTC(gap, vRear, vFront, aRear, aFront float64) float64 {
	if gap <= 0 {
		return 0
	}
	if aRear == 0 && aFront == 0 {
		if vRear > vFront {
			return gap / (vRear - vFront)
		}
		return math.Inf(1)
	}
	const dt, horizon = 0.005, 20.0
	vr, vf := math.Max(vRear, 0), math.Max(vFront, 0)
	for t := 0.0; t < horizon; t += dt {
		nvr, nvf := math.Max(0, vr+aRear*dt), math.Max(0, vf+aFront*dt)
		step := (vr+nvr)/2*dt - (vf+nvf)/2*dt
		if step >= gap {
			return t + dt*gap/step
		}
		gap -= step
		vr, vf = nvr, nvf
		if vr <= vf && aRear <= aFront && (vr == 0 || aRear <= 0 && aFront >= 0) {
			return math.Inf(1) // no longer closing and never will
		}
	}
	return math.Inf(1)
}

// RSS holds the parameters of the Responsibility-Sensitive Safety distances (Shalev-Shwartz et
// al., 2017): response time, the worst acceleration of the rear car during it, the least braking
// the rear car then applies, and the hardest braking the front car may apply.
type RSS struct {
	Rho         float64 // s
	AccelMax    float64 // m/s^2, rear car during rho
	BrakeMin    float64 // m/s^2, rear car's guaranteed braking
	BrakeMax    float64 // m/s^2, front car's hardest braking
	LatAccelMax float64 // m/s^2, lateral during rho
	LatBrakeMin float64 // m/s^2, lateral braking after rho
	LatMargin   float64 // m, mu
}

// DefaultRSS are moderate values for a passenger car in a simulator.
func DefaultRSS() RSS {
	return RSS{Rho: 0.5, AccelMax: 2.0, BrakeMin: 4.0, BrakeMax: 8.0, LatAccelMax: 0.2, LatBrakeMin: 0.8, LatMargin: 0.2}
}

// Longitudinal is the RSS safe longitudinal distance for a rear car at speed vr behind a front
// car at vf, both in the same direction:
//
//	d = [vr*rho + amax*rho^2/2 + (vr+rho*amax)^2/(2*bmin) - vf^2/(2*bmax)]+
func (r RSS) Longitudinal(vr, vf float64) float64 {
	vr, vf = math.Max(vr, 0), math.Max(vf, 0)
	v1 := vr + r.Rho*r.AccelMax
	d := vr*r.Rho + 0.5*r.AccelMax*r.Rho*r.Rho + v1*v1/(2*r.BrakeMin) - vf*vf/(2*r.BrakeMax)
	return math.Max(d, 0)
}

// Lateral is the RSS safe lateral distance between a car on the left moving right at v1 and a car
// on the right moving left at v2 (lateral speeds toward each other positive):
//
//	d = mu + [ (2 v1 + rho a)rho/2 + (v1 + rho a)^2/(2 b) - ((2 v2 - rho a)rho/2 - (v2 - rho a)^2/(2 b)) ]+
//
// written here for both cars closing (the formula of the paper with v2 negated).
func (r RSS) Lateral(v1, v2 float64) float64 {
	a, b, rho := r.LatAccelMax, r.LatBrakeMin, r.Rho
	v1r := v1 + rho*a
	v2r := v2 + rho*a
	d1 := (v1+v1r)/2*rho + sgnSq(v1r)/(2*b)
	d2 := (v2+v2r)/2*rho + sgnSq(v2r)/(2*b)
	return r.LatMargin + math.Max(d1+d2, 0)
}

func sgnSq(v float64) float64 { return v * math.Abs(v) }
