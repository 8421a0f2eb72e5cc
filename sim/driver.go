package sim

import (
	"math"

	"github.com/avstack/avstack/geom"
	"github.com/avstack/avstack/sim/dynamics"
	"github.com/avstack/avstack/sim/roadmap"
)

type builtinState struct {
	stoppedAt map[string]float64 // stop sign id -> time the ego stood still at it
}

// Built-in driver parameters: pure pursuit on the route path, IDM towards the cruise speed
// (limited by the speed limit and 2.0 m/s^2 of lateral acceleration in bends) behind whatever
// is in the ego's corridor, stopping at red lights and stop signs.
const (
	bdAMax    = 1.5
	bdBComf   = 2.5
	bdTimeGap = 1.5
	bdMinGap  = 4.0
	bdLatAcc  = 2.0
)

// BuiltinCommand is the built-in lane follower's command for the current state: it lets every
// scenario run before (and without) the driving stack. It sees ground truth.
func (w *World) BuiltinCommand() dynamics.Command {
	e := w.Ego.S
	d := w.Vehicle.Dynamics
	v := e.V
	// Lateral: pure pursuit on the route path.
	ld := math.Max(6, math.Min(30, 3+0.8*v))
	target, _ := w.Route.At(w.RouteS + ld)
	pose := w.EgoPose()
	q := pose.Inverse().Apply(target)
	alpha := math.Atan2(q.Y, q.X)
	steer := math.Atan(2 * d.Wheelbase * math.Sin(alpha) / math.Max(q.Norm(), 1))

	// Longitudinal: desired speed from limits and curvature ahead.
	v0 := w.Scenario.Ego.CruiseSpeed
	lane, _ := w.Route.LaneAt(w.RouteS)
	if l, ok := w.Map.Lane(lane); ok && (v0 == 0 || l.SpeedLimit < v0) {
		v0 = l.SpeedLimit
	}
	for ds := 0.0; ds <= 60; ds += 5 {
		k := math.Abs(w.Route.Curvature(w.RouteS + ds))
		if k > 1e-4 {
			// Allow braking over the distance to the bend.
			vb := math.Sqrt(bdLatAcc/k + 2*bdBComf*0.5*ds)
			v0 = math.Min(v0, vb)
		}
	}
	gap, dv := w.corridorLeader()
	if g := w.stopGap(); g < gap {
		gap, dv = g, v
	}
	// Stop at the end of the route path (the goal lies before it; the run ends at the goal).
	if g := w.Route.Length() - (w.RouteS + d.FrontOverhang); g < gap {
		gap, dv = g, v
	}
	acc := bdAMax * (1 - math.Pow(v/math.Max(v0, 0.1), 4))
	if !math.IsInf(gap, 1) {
		ss := bdMinGap + math.Max(0, v*bdTimeGap+v*dv/(2*math.Sqrt(bdAMax*bdBComf)))
		g := math.Max(gap, 0.1)
		acc -= bdAMax * (ss / g) * (ss / g)
	}
	acc = math.Max(acc, -d.MaxDecel)
	if v < 0.05 && acc < 0 {
		acc = -0.5 // hold still
	}
	return dynamics.Command{Steer: steer, Accel: acc}
}

// corridorLeader returns the gap (front bumper to the object's nearest point along the path)
// and closing speed of the nearest object in the ego's corridor ahead, looking at where
// objects will be in up to 1.5 s.
func (w *World) corridorLeader() (gap, dv float64) {
	d := w.Vehicle.Dynamics
	gap, dv = math.Inf(1), 0
	front := w.RouteS + d.FrontOverhang
	for _, a := range w.Traffic.Active() {
		b := a.Box()
		dx, dy := b.X-w.Ego.S.X, b.Y-w.Ego.S.Y
		if math.Abs(dx) > 120 || math.Abs(dy) > 120 {
			continue
		}
		vel := a.Velocity()
		// Far behind the ego and not faster than it: cannot become a leader.
		if dx*math.Cos(w.Ego.S.Yaw)+dy*math.Sin(w.Ego.S.Yaw) < -15 {
			continue
		}
		horizons := []float64{0}
		if a.Lane == nil || a.Shape.Kind == "pedestrian" || a.Shape.Kind == "cyclist" {
			horizons = []float64{0, 0.75, 1.5}
		}
		for _, dt := range horizons {
			c := geom.Vec2{X: b.X + vel.X*dt, Y: b.Y + vel.Y*dt}
			s, off, _ := w.Route.ProjectRange(c, w.RouteS-10, w.RouteS+130)
			_, h := w.Route.At(s)
			rel := geom.NormalizeAngle(b.Yaw - h)
			halfW := (math.Abs(math.Sin(rel))*b.Length + math.Abs(math.Cos(rel))*b.Width) / 2
			half := (math.Abs(math.Cos(rel))*b.Length + math.Abs(math.Sin(rel))*b.Width) / 2
			if math.Abs(off) > halfW+d.Width/2+0.4 {
				continue
			}
			g := s - half - front
			if g < -half-d.Length {
				break // behind the ego
			}
			vAlong := math.Hypot(vel.X, vel.Y) * math.Cos(rel)
			if g < gap {
				gap, dv = g, w.Ego.S.V-vAlong
			}
			break
		}
	}
	return gap, dv
}

// stopGap is the gap to the next stop line the ego must stop at (red or yellow it cannot clear;
// a stop sign until it has stood still there for 1 s).
func (w *World) stopGap() float64 {
	if w.driver.stoppedAt == nil {
		w.driver.stoppedAt = map[string]float64{}
	}
	front := w.RouteS + w.Vehicle.Dynamics.FrontOverhang
	for i := range w.stops {
		st := &w.stops[i]
		if st.passed || st.pathS < front-0.5 {
			continue
		}
		g := st.pathS - front - 0.5
		switch st.sl.Control {
		case roadmap.Signal:
			light := st.sl.LightAt(w.Time())
			v := w.Ego.S.V
			if light == roadmap.Red || (light == roadmap.Yellow && v*v/(2*bdBComf) < g) {
				return g
			}
		case roadmap.StopSign:
			if w.Ego.S.V < 0.1 && g < bdMinGap+1 {
				if _, ok := w.driver.stoppedAt[st.sl.ID]; !ok {
					w.driver.stoppedAt[st.sl.ID] = w.Time()
				}
			}
			if t, ok := w.driver.stoppedAt[st.sl.ID]; !ok || w.Time()-t < 1 {
				return g
			}
		}
		return math.Inf(1)
	}
	return math.Inf(1)
}
