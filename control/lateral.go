package control

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/avstack/avstack/geom"
)

// Vehicle is what the lateral controllers need of the car.
type Vehicle struct {
	Wheelbase float64
	MaxSteer  float64
	// First-order steering lag, s (0 = none).
	SteerTau float64
}

// Tracking is the state of the vehicle relative to the path, computed once per step.
type Tracking struct {
	Pose  geom.Pose2 // rear axle, map frame
	V     float64
	Steer float64 // measured front-wheel angle
	// Projection of the rear axle: arc length, lateral error (left positive), heading error
	// (vehicle minus path) and path curvature.
	S, Ey, Eyaw, Kappa float64
	Path               *Path
}

// Lateral computes a front-wheel steering angle (rad, left positive).
type Lateral interface {
	Name() string
	Steer(tr Tracking, dt float64) float64
}

// NewLateral returns the named controller with default gains.
func NewLateral(name string, v Vehicle) (Lateral, error) {
	switch name {
	case "pure_pursuit":
		return &PurePursuit{Veh: v, Gain: 0.6, MinLookahead: 4, MaxLookahead: 30}, nil
	case "stanley":
		return &Stanley{Veh: v, K: 1.5, Soft: 2.0, KYawDamp: 0.1}, nil
	case "lqr", "":
		return NewLQR(v, 1.0, 1.5, 0.1, 6.0), nil
	}
	return nil, fmt.Errorf("control: unknown lateral controller %q (have pure_pursuit, stanley, lqr)", name)
}

// PurePursuit steers the rear axle onto a circle through a point Lookahead ahead on the path
// (Coulter 1992). The lookahead grows with speed.
type PurePursuit struct {
	Veh                        Vehicle
	Gain                       float64 // s: lookahead = Gain * v, clamped
	MinLookahead, MaxLookahead float64 // m
}

// Name implements Lateral.
func (*PurePursuit) Name() string { return "pure_pursuit" }

// Steer implements Lateral.
func (c *PurePursuit) Steer(tr Tracking, _ float64) float64 {
	ld := math.Max(c.MinLookahead, math.Min(c.MaxLookahead, c.Gain*tr.V))
	// The target is ld along the path from the projection, measured as a chord from the axle.
	target := tr.Path.PointAt(tr.S + math.Sqrt(math.Max(ld*ld-tr.Ey*tr.Ey, 0.25*ld*ld)))
	local := tr.Pose.Inverse().Apply(target)
	d2 := local.X*local.X + local.Y*local.Y
	if d2 < 1e-6 {
		return 0
	}
	return math.Atan(2 * c.Veh.Wheelbase * local.Y / d2)
}

// Stanley is the front-axle controller of Stanford's Stanley (Thrun et al. 2006): heading error
// plus atan(k e / (soft + v)), with yaw-rate damping.
type Stanley struct {
	Veh      Vehicle
	K        float64 // 1/s
	Soft     float64 // m/s
	KYawDamp float64
	prevYaw  float64
	have     bool
}

// Name implements Lateral.
func (*Stanley) Name() string { return "stanley" }

// Steer implements Lateral.
func (c *Stanley) Steer(tr Tracking, dt float64) float64 {
	L := c.Veh.Wheelbase
	front := tr.Pose.Apply(geom.Vec2{X: L})
	_, e, pathYaw, kappa := tr.Path.Project(front)
	he := geom.NormalizeAngle(pathYaw - tr.Pose.Yaw)
	// No curvature feed-forward: with the front axle on the path the heading error at the front
	// already equals the steady-state steering angle of the kinematic bicycle.
	delta := he - math.Atan2(c.K*e, c.Soft+tr.V)
	// Damp the yaw rate's departure from the path's (trajectory yaw rate v*kappa).
	if c.have && dt > 0 {
		yawRate := geom.NormalizeAngle(tr.Pose.Yaw-c.prevYaw) / dt
		delta -= c.KYawDamp * (yawRate - tr.V*kappa)
	}
	c.prevYaw, c.have = tr.Pose.Yaw, true
	return delta
}

// LQR is a discrete linear-quadratic regulator on the kinematic bicycle's path-error model with
// the steering actuator's first-order lag:
//
//	x = [e_y, e_yaw, delta - delta_ff],  u = delta_cmd - delta_ff,  delta_ff = atan(L kappa)
//	e_y' = v e_yaw,  e_yaw' = v/L (delta - delta_ff),  delta' = (delta_cmd - delta)/tau
//
// discretised exactly (zero-order hold) at the control period; the Riccati equation is solved
// by iteration, gains cached per 0.5 m/s speed bucket. The input weight R is scaled by
// max(1, (v/10 m/s)^2).
type LQR struct {
	Veh                Vehicle
	QEy, QEyaw, QDelta float64
	R                  float64
	gains              map[gainKey][3]float64
}

type gainKey struct {
	v  int
	dt int64
}

// NewLQR with weights on lateral error, heading error, steering offset and the input.
func NewLQR(v Vehicle, qEy, qEyaw, qDelta, r float64) *LQR {
	return &LQR{Veh: v, QEy: qEy, QEyaw: qEyaw, QDelta: qDelta, R: r, gains: map[gainKey][3]float64{}}
}

// Name implements Lateral.
func (*LQR) Name() string { return "lqr" }

// Gain returns the state-feedback gain K (u = -K x) for speed v and period dt.
func (c *LQR) Gain(v, dt float64) [3]float64 {
	key := gainKey{int(math.Round(math.Max(v, 1) / 0.5)), int64(math.Round(dt * 1e6))}
	if k, ok := c.gains[key]; ok {
		return k
	}
	vb := float64(key.v) * 0.5
	L, tau := c.Veh.Wheelbase, c.Veh.SteerTau
	if tau < 1e-3 {
		tau = 1e-3
	}
	// Continuous model, augmented with the input for the exact ZOH discretisation.
	m := mat.NewDense(4, 4, []float64{
		0, vb, 0, 0,
		0, 0, vb / L, 0,
		0, 0, -1 / tau, 1 / tau,
		0, 0, 0, 0,
	})
	m.Scale(dt, m)
	var e mat.Dense
	e.Exp(m)
	A := mat.DenseCopyOf(e.Slice(0, 3, 0, 3))
	B := mat.DenseCopyOf(e.Slice(0, 3, 3, 4))
	Q := mat.NewDiagDense(3, []float64{c.QEy, c.QEyaw, c.QDelta})
	// The input weight grows with the square of speed above 10 m/s: the same steering error
	// makes v^2 times the lateral acceleration, and measurement noise on e_y must not.
	r := c.R * math.Max(1, vb*vb/100)
	K := dare(A, B, Q, r)
	k := [3]float64{K.At(0, 0), K.At(0, 1), K.At(0, 2)}
	c.gains[key] = k
	return k
}

// dare iterates P = Q + A'PA - A'PB (R + B'PB)^-1 B'PA to convergence and returns
// K = (R + B'PB)^-1 B'PA (single input).
func dare(A, B *mat.Dense, Q mat.Matrix, r float64) *mat.Dense {
	P := mat.DenseCopyOf(Q)
	var K mat.Dense
	for it := 0; it < 5000; it++ {
		var PA, PB, BtPA, BtPB, AtPA, AtPB mat.Dense
		PA.Mul(P, A)
		PB.Mul(P, B)
		BtPA.Mul(B.T(), &PA)
		BtPB.Mul(B.T(), &PB)
		AtPA.Mul(A.T(), &PA)
		AtPB.Mul(A.T(), &PB)
		s := r + BtPB.At(0, 0)
		K.Scale(1/s, &BtPA)
		var corr, next mat.Dense
		corr.Mul(&AtPB, &K)
		next.Sub(&AtPA, &corr)
		next.Add(&next, Q)
		diff := 0.0
		rr, cc := next.Dims()
		for i := 0; i < rr; i++ {
			for j := 0; j < cc; j++ {
				diff = math.Max(diff, math.Abs(next.At(i, j)-P.At(i, j)))
			}
		}
		P = &next
		if diff < 1e-10*(1+mat.Norm(P, math.Inf(1))) {
			break
		}
	}
	return &K
}

// Steer implements Lateral.
func (c *LQR) Steer(tr Tracking, dt float64) float64 {
	if dt <= 0 {
		dt = 0.02
	}
	k := c.Gain(tr.V, dt)
	ff := math.Atan(c.Veh.Wheelbase * tr.Kappa)
	x := [3]float64{tr.Ey, tr.Eyaw, tr.Steer - ff}
	u := -(k[0]*x[0] + k[1]*x[1] + k[2]*x[2])
	return ff + u
}
