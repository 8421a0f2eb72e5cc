package sim

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/avstack/avstack/config"
	"github.com/avstack/avstack/geom"
	"github.com/avstack/avstack/msg/av"
	"github.com/avstack/avstack/sim/dynamics"
	"github.com/avstack/avstack/sim/metrics"
	"github.com/avstack/avstack/sim/roadmap"
	"github.com/avstack/avstack/sim/scenario"
	"github.com/avstack/avstack/sim/traffic"
)

// TickPeriod is the physics step: 100 Hz.
const TickPeriod = 0.01

// TickNs is TickPeriod in nanoseconds.
const TickNs int64 = 10_000_000

type routeStop struct {
	sl       *roadmap.StopLine
	pathS    float64
	stopped  bool // the ego stood still within 5 m before it
	passed   bool
	stopTime float64
}

// World is one scenario's state: map, route, ego, traffic, metrics. It has no bus; Run wraps it.
type World struct {
	Scenario *scenario.Scenario
	Vehicle  *config.Vehicle
	Map      *roadmap.Map
	Route    *roadmap.RoutePath
	Ego      *dynamics.Bicycle
	Traffic  *traffic.World
	Metrics  *metrics.Recorder
	Seed     uint64

	// Tick is the number of steps taken; Time = Tick * TickPeriod.
	Tick uint64
	// RouteS is the ego's (rear axle's) arc length on the route path; GoalS the goal's.
	RouteS, GoalS float64
	startS        float64
	stops         []routeStop
	lastCmd       dynamics.Command
	sensorRand    *rand.Rand
	stopHold      float64
	driver        builtinState
	objBuf        []metrics.Object
	lateral       float64
}

// NewWorld builds a scenario's world. The seed drives traffic, noise and sensors.
func NewWorld(sc *scenario.Scenario, v *config.Vehicle, seed uint64) (*World, error) {
	if sc.RoadMap == nil {
		return nil, fmt.Errorf("sim: scenario %s has no map loaded (use scenario.Load)", sc.Name)
	}
	m := sc.RoadMap
	lane, _ := m.Lane(sc.Ego.Lane)
	route, err := m.BuildRoutePath(sc.Route, sc.Ego.S, 60)
	if err != nil {
		return nil, fmt.Errorf("sim: scenario %s: %w", sc.Name, err)
	}
	// The ego's rear axle starts so that the vehicle's centre is at the scenario's (s, d).
	d := v.Dynamics
	centreOff := (d.FrontOverhang - d.RearOverhang) / 2
	p := lane.Pose(sc.Ego.S-centreOff, sc.Ego.D)
	w := &World{Scenario: sc, Vehicle: v, Map: m, Route: route, Seed: seed,
		Ego:        dynamics.New(d, dynamics.State{X: p.X, Y: p.Y, Yaw: p.Yaw, V: sc.Ego.Speed}, nil),
		Traffic:    traffic.NewWorld(m, seed),
		Metrics:    metrics.New(TickPeriod),
		sensorRand: rand.New(rand.NewPCG(seed, 0x73656e736f72)),
	}
	w.RouteS, _, _ = route.Project(geom.Vec2{X: p.X, Y: p.Y})
	w.startS = w.RouteS
	w.GoalS = route.Length()
	if g := sc.Ego.Goal; g != nil {
		for _, seg := range route.Segments {
			if seg.Lane == g.Lane {
				w.GoalS = math.Min(route.Length(), seg.From+g.S-seg.LaneS)
			}
		}
	}
	for _, seg := range route.Segments {
		for _, sl := range m.StopLinesOn(seg.Lane) {
			ps := seg.From + sl.S - seg.LaneS
			if ps > w.startS && ps <= seg.To+0.5 {
				w.stops = append(w.stops, routeStop{sl: sl, pathS: ps})
			}
		}
	}
	if n := sc.Ego.ActuatorNoise; n != nil {
		w.Ego.Noise = &dynamics.Noise{Accel: n.Accel, Steer: n.Steer, Rand: rand.New(rand.NewPCG(seed, 0x6e6f697365))}
	}
	if err := w.Traffic.FromScenario(sc, geom.Vec2{X: p.X, Y: p.Y}); err != nil {
		return nil, err
	}
	return w, nil
}

// Time is the sim time in seconds.
func (w *World) Time() float64 { return float64(w.Tick) * TickPeriod }

// TimeNs is the sim time in nanoseconds.
func (w *World) TimeNs() int64 { return int64(w.Tick) * TickNs }

// Done reports whether the run is over: the duration has passed or the route is complete.
func (w *World) Done() bool {
	return w.Time() >= w.Scenario.DurationS-1e-9 || w.RouteFrac() >= 1
}

// RouteFrac is the route completion 0..1.
func (w *World) RouteFrac() float64 {
	total := w.GoalS - w.startS
	if total <= 0 {
		return 1
	}
	front := w.RouteS + w.Vehicle.Dynamics.FrontOverhang
	return math.Max(0, math.Min(1, (front-w.startS)/total))
}

// EgoBox is the ego's 3D box in the map frame.
func (w *World) EgoBox() geom.Box { return w.Ego.Box() }

// EgoPose is the ego's rear-axle pose.
func (w *World) EgoPose() geom.Pose2 {
	return geom.Pose2{X: w.Ego.S.X, Y: w.Ego.S.Y, Yaw: w.Ego.S.Yaw}
}

// Step applies a command for one tick: traffic, ego, metrics.
func (w *World) Step(cmd dynamics.Command) {
	w.lastCmd = cmd
	ego := traffic.Ego{Box: w.EgoBox(), V: w.Ego.S.V}
	w.Traffic.Step(TickPeriod, ego)
	w.Ego.Step(cmd, TickPeriod)
	w.Tick++
	pos := geom.Vec2{X: w.Ego.S.X, Y: w.Ego.S.Y}
	s, d, _ := w.Route.ProjectRange(pos, w.RouteS-5, w.RouteS+10)
	if s > w.RouteS {
		w.RouteS = s
	}
	w.lateral = d
	w.checkStops()
	w.Metrics.Tick(w.sample())
}

func (w *World) checkStops() {
	front := w.RouteS + w.Vehicle.Dynamics.FrontOverhang
	for i := range w.stops {
		st := &w.stops[i]
		if st.passed {
			continue
		}
		if front > st.pathS-5 && front <= st.pathS+0.5 && w.Ego.S.V < 0.1 {
			st.stopped = true
		}
		if front > st.pathS+0.5 {
			st.passed = true
			switch st.sl.Control {
			case roadmap.Signal:
				if st.sl.LightAt(w.Time()) == roadmap.Red {
					w.Metrics.Violate(metrics.RedLight, st.sl.ID, w.Time())
				}
			case roadmap.StopSign:
				if !st.stopped {
					w.Metrics.Violate(metrics.StopSign, st.sl.ID, w.Time())
				}
			}
		}
	}
}

// Objects returns the other road users within 200 m as metric objects, in creation order.
func (w *World) Objects() []metrics.Object {
	out := w.objBuf[:0]
	for _, a := range w.Traffic.Agents {
		if a.Done {
			continue
		}
		b := a.Box()
		if math.Abs(b.X-w.Ego.S.X) > 200 || math.Abs(b.Y-w.Ego.S.Y) > 200 {
			continue
		}
		v := a.Velocity()
		out = append(out, metrics.Object{Name: a.ID, Class: a.Shape.Class, Box: b, Vx: v.X, Vy: v.Y})
	}
	w.objBuf = out
	return out
}

func (w *World) sample() metrics.Sample {
	box := w.EgoBox()
	offroad, offLane := false, false
	for _, c := range box.Corners2() {
		if !w.Map.Drivable(c) {
			offroad = true
		}
		_, d, _ := w.Route.ProjectRange(c, w.RouteS-10, w.RouteS+15)
		lane, _ := w.Route.LaneAt(w.RouteS)
		if l, ok := w.Map.Lane(lane); ok && math.Abs(d) > l.Width/2 {
			offLane = true
		}
	}
	return metrics.Sample{Time: w.Time(), EgoBox: box, EgoYaw: w.Ego.S.Yaw, EgoV: w.Ego.S.V, ALong: w.Ego.S.ALong, ALat: w.Ego.S.ALat,
		Offroad: offroad, OffLane: offLane, Lateral: w.lateral, RouteFrac: w.RouteFrac(), Objects: w.Objects()}
}

// Truth returns the ground-truth object list (3D boxes in the map frame) at the current tick.
func (w *World) Truth() *av.ObjectList {
	ol := &av.ObjectList{Header: &av.Header{StampNs: w.TimeNs(), FrameId: "map", SourceStampNs: w.TimeNs()}}
	for _, a := range w.Traffic.Active() {
		b := a.Box()
		v := a.Velocity()
		ol.Objects = append(ol.Objects, &av.Object{Id: a.Num, Class: a.Shape.Class, Score: 1,
			Box: &av.Box3D{X: b.X, Y: b.Y, Z: b.Z, Length: b.Length, Width: b.Width, Height: b.Height, Yaw: b.Yaw},
			Vx:  v.X, Vy: v.Y, Sources: uint32(av.SourceMask_SOURCE_TRUTH), Ax: a.A * math.Cos(b.Yaw), Ay: a.A * math.Sin(b.Yaw)})
	}
	return ol
}

// VehicleState returns the ego odometry (with the scenario's odometry noise).
func (w *World) VehicleState() *av.VehicleState {
	s := w.Ego.S
	sn := w.Scenario.Sensors
	x, y, v := s.X, s.Y, s.V
	if sn.OdomPosNoise > 0 {
		x += sn.OdomPosNoise * w.sensorRand.NormFloat64()
		y += sn.OdomPosNoise * w.sensorRand.NormFloat64()
	}
	if sn.OdomSpeedNoise > 0 {
		v = math.Max(0, v+sn.OdomSpeedNoise*w.sensorRand.NormFloat64())
	}
	return &av.VehicleState{Header: &av.Header{StampNs: w.TimeNs(), FrameId: "map", SourceStampNs: w.TimeNs()},
		X: x, Y: y, Yaw: s.Yaw, V: v, A: s.ALong, ALat: s.ALat, YawRate: s.YawRate, Steering: s.Steer}
}

// Check evaluates the scenario's pass criteria on a summary.
func Check(p scenario.Pass, s metrics.Summary) []string {
	var f []string
	maxC := 0
	if p.MaxCollisions != nil {
		maxC = *p.MaxCollisions
	}
	if s.Collisions > maxC {
		with := ""
		for _, c := range s.CollisionEvents {
			with += fmt.Sprintf(" %s(%s) at %.1f s, %.1f m/s;", c.With, c.Class, c.TimeS, c.EgoSpeed)
		}
		f = append(f, fmt.Sprintf("collisions: %d > %d:%s", s.Collisions, maxC, with))
	}
	minRC := scenario.DefaultMinRouteCompletion
	if p.MinRouteCompletion != nil {
		minRC = *p.MinRouteCompletion
	}
	if s.RouteCompletion < minRC {
		f = append(f, fmt.Sprintf("route_completion: %.3f < %.3f", s.RouteCompletion, minRC))
	}
	maxOff := 0.0
	if p.MaxOffroadS != nil {
		maxOff = *p.MaxOffroadS
	}
	if s.OffroadS > maxOff+1e-9 {
		f = append(f, fmt.Sprintf("offroad_s: %.2f > %.2f", s.OffroadS, maxOff))
	}
	if p.MinTTCS != nil && s.MinTTCS != nil && *s.MinTTCS < *p.MinTTCS {
		f = append(f, fmt.Sprintf("min_ttc_s: %.2f < %.2f", *s.MinTTCS, *p.MinTTCS))
	}
	if p.Comfort && !s.Comfortable {
		f = append(f, fmt.Sprintf("comfort: long accel %.2f..%.2f (bounds %.2f..%.2f), |lat| %.2f (%.2f), |jerk| %.2f (%.2f)",
			s.MinLongAccel, s.MaxLongAccel, metrics.MinLongAccel, metrics.MaxLongAccel, s.MaxAbsLatAccel, metrics.MaxLatAccel, s.MaxAbsJerk, metrics.MaxJerk))
	}
	maxV := 0
	if p.MaxViolations != nil {
		maxV = *p.MaxViolations
	}
	if len(s.Violations) > maxV {
		f = append(f, fmt.Sprintf("violations: %d > %d (%v)", len(s.Violations), maxV, s.Violations))
	}
	if p.MinDrivingScore != nil && s.DrivingScore < *p.MinDrivingScore {
		f = append(f, fmt.Sprintf("driving_score: %.1f < %.1f", s.DrivingScore, *p.MinDrivingScore))
	}
	return f
}
