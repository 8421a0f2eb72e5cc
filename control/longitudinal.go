package control

import "math"

// Longitudinal is a PID on speed error with feed-forward of the trajectory's acceleration and a
// proportional term on the station (arc length) error:
//
//	a = Kff a_ref + Kp (v_ref - v) + Ki integral(v_ref - v) + Kd d/dt(v_ref - v) + Ks (s_ref - s)
type Longitudinal struct {
	Kp, Ki, Kd, Kff, Ks float64
	// Anti-windup bound of the integral term (m/s^2).
	IMax float64
	// Braking held at standstill when the reference stands still (m/s^2, positive).
	HoldBrake float64
	integ     float64
	prevErr   float64
	have      bool
}

// DefaultLongitudinal gains.
func DefaultLongitudinal() *Longitudinal {
	return &Longitudinal{Kp: 0.8, Ki: 0.1, Kd: 0.0, Kff: 1.0, Ks: 0.15, IMax: 1.0, HoldBrake: 1.5}
}

// Reset clears the integrator.
func (l *Longitudinal) Reset() { l.integ, l.have = 0, false }

// Accel returns the demanded acceleration.
func (l *Longitudinal) Accel(vRef, aRef, sErr, v, dt float64) float64 {
	if vRef < 0.05 && v < 0.1 && aRef <= 0 {
		l.integ = 0
		return -l.HoldBrake
	}
	e := vRef - v
	if dt > 0 {
		l.integ += l.Ki * e * dt
		l.integ = math.Max(-l.IMax, math.Min(l.IMax, l.integ))
	}
	d := 0.0
	if l.have && dt > 0 {
		d = l.Kd * (e - l.prevErr) / dt
	}
	l.prevErr, l.have = e, true
	sErr = math.Max(-5, math.Min(5, sErr))
	return l.Kff*aRef + l.Kp*e + l.integ + d + l.Ks*sErr
}

// RateLimiter limits a signal's rate of change and its range.
type RateLimiter struct {
	Min, Max float64
	Rate     float64 // per second
	last     float64
	have     bool
}

// Step moves toward target by at most rate*dt and clamps to [Min, Max].
func (r *RateLimiter) Step(target, rate, dt float64) float64 {
	target = math.Max(r.Min, math.Min(r.Max, target))
	if !r.have {
		r.last, r.have = target, true
		return target
	}
	d := rate * dt
	r.last += math.Max(-d, math.Min(d, target-r.last))
	return r.last
}

// Reset sets the limiter's state (e.g. to the measured actuator position).
func (r *RateLimiter) Reset(v float64) { r.last, r.have = v, true }

// Last is the previous output.
func (r *RateLimiter) Last() float64 { return r.last }
