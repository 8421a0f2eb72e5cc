package dynamics

import (
	"math"
	"math/rand/v2"

	"github.com/avstack/avstack/config"
	"github.com/avstack/avstack/geom"
)

// State is the ego's state. X, Y are the rear-axle centre in the map frame.
type State struct {
	X, Y, Yaw float64
	// V is the longitudinal speed (never negative: the model does not reverse).
	V float64
	// Steer is the front-wheel angle (positive left), Accel the actuator's acceleration
	// command after its lag; ALong is the realised longitudinal acceleration (dv/dt), ALat
	// the lateral acceleration (v * yaw rate), Jerk = dALong/dt.
	Steer, Accel  float64
	ALong, ALat   float64
	YawRate, Jerk float64
}

// Command is the demanded steering angle and acceleration.
type Command struct {
	Steer, Accel float64
}

// Noise perturbs the realised acceleration and steering (1 sigma, per step).
type Noise struct {
	Accel float64
	Steer float64
	Rand  *rand.Rand
}

// Bicycle is the kinematic bicycle.
type Bicycle struct {
	P     config.Dynamics
	S     State
	Noise *Noise
}

// New returns a bicycle at state s. noise may be nil.
func New(p config.Dynamics, s State, noise *Noise) *Bicycle {
	return &Bicycle{P: p, S: s, Noise: noise}
}

func clamp(v, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, v)) }

// lag moves x towards target with time constant tau over dt, at most rate*dt.
func lag(x, target, tau, rate, dt float64) float64 {
	d := target - x
	if tau > 0 {
		d *= 1 - math.Exp(-dt/tau)
	}
	lim := rate * dt
	return x + clamp(d, -lim, lim)
}

// Step advances the model by dt seconds under cmd.
func (b *Bicycle) Step(cmd Command, dt float64) {
	p := &b.P
	s := &b.S
	steerCmd := clamp(cmd.Steer, -p.MaxSteer, p.MaxSteer)
	accCmd := clamp(cmd.Accel, -p.MaxDecel, p.MaxAccel)
	if math.IsNaN(steerCmd) {
		steerCmd = s.Steer
	}
	if math.IsNaN(accCmd) {
		accCmd = s.Accel
	}
	s.Steer = clamp(lag(s.Steer, steerCmd, p.SteerTau, p.MaxSteerRate, dt), -p.MaxSteer, p.MaxSteer)
	s.Accel = lag(s.Accel, accCmd, p.AccelTau, p.MaxJerk, dt)
	a, steer := s.Accel, s.Steer
	if n := b.Noise; n != nil && n.Rand != nil {
		a += n.Accel * n.Rand.NormFloat64()
		steer += n.Steer * n.Rand.NormFloat64()
	}
	v0 := s.V
	v1 := clamp(v0+a*dt, 0, p.MaxSpeed)
	vm := (v0 + v1) / 2
	yawRate := vm * math.Tan(steer) / p.Wheelbase
	ym := s.Yaw + yawRate*dt/2
	s.X += vm * math.Cos(ym) * dt
	s.Y += vm * math.Sin(ym) * dt
	s.Yaw = geom.NormalizeAngle(s.Yaw + yawRate*dt)
	along := (v1 - v0) / dt
	s.Jerk = (along - s.ALong) / dt
	s.ALong = along
	s.V = v1
	s.YawRate = yawRate
	s.ALat = v1 * yawRate
}

// Box returns the vehicle's footprint box (centre between the bumpers) in the map frame.
func (b *Bicycle) Box() geom.Box {
	return Footprint(b.P, geom.Pose2{X: b.S.X, Y: b.S.Y, Yaw: b.S.Yaw})
}

// Footprint returns the box of a vehicle whose rear axle is at pose p.
func Footprint(p config.Dynamics, pose geom.Pose2) geom.Box {
	off := (p.FrontOverhang - p.RearOverhang) / 2
	c := pose.Apply(geom.Vec2{X: off})
	length := p.FrontOverhang + p.RearOverhang
	if length <= 0 {
		length = p.Length
	}
	return geom.Box{X: c.X, Y: c.Y, Z: p.Height / 2, Length: length, Width: p.Width, Height: p.Height, Yaw: pose.Yaw}
}
