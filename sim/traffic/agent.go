package traffic

import (
	"math"

	"github.com/avstack/avstack/geom"
	"github.com/avstack/avstack/msg/av"
	"github.com/avstack/avstack/sim/roadmap"
)

// Behavior of an agent.
type Behavior int

// Behaviours.
const (
	IDM Behavior = iota
	Stopped
	HardBrake
	CutIn
	WrongWay
	Cross
)

// Trigger starts a scripted behaviour when every condition set holds, after Delay.
type Trigger struct {
	Time        float64 // < 0: not used
	EgoDistance float64 // <= 0: not used
	Delay       float64
}

// Shape is an agent's kind for rendering and labels.
type Shape struct {
	Kind                  string
	Class                 av.ObjectClass
	Length, Width, Height float64
}

// Shapes by kind (sizes in metres).
var Shapes = map[string]Shape{
	"car":        {"car", av.ObjectClass_OBJECT_CLASS_CAR, 4.5, 1.8, 1.5},
	"suv":        {"suv", av.ObjectClass_OBJECT_CLASS_CAR, 4.8, 1.95, 1.75},
	"van":        {"van", av.ObjectClass_OBJECT_CLASS_CAR, 5.2, 2.0, 2.1},
	"truck":      {"truck", av.ObjectClass_OBJECT_CLASS_TRUCK, 9.0, 2.5, 3.4},
	"bus":        {"bus", av.ObjectClass_OBJECT_CLASS_BUS, 12.0, 2.55, 3.2},
	"motorcycle": {"motorcycle", av.ObjectClass_OBJECT_CLASS_MOTORCYCLE, 2.2, 0.8, 1.4},
	"cyclist":    {"cyclist", av.ObjectClass_OBJECT_CLASS_BICYCLE, 1.8, 0.6, 1.7},
	"pedestrian": {"pedestrian", av.ObjectClass_OBJECT_CLASS_PEDESTRIAN, 0.5, 0.6, 1.75},
	"barrier":    {"barrier", av.ObjectClass_OBJECT_CLASS_STATIC, 2.0, 0.5, 1.0},
}

// Agent is one road user. Lane agents (Lane != nil) move along their lane (S, D); free agents
// (pedestrians crossing, anything placed by position) move in the map frame (X, Y, Yaw).
type Agent struct {
	// Num is the agent's track id (1-based, in creation order).
	Num   uint64
	ID    string
	Shape Shape
	Color [3]uint8

	Lane *roadmap.Lane
	S, D float64
	// Next is the lane the agent enters at the end of Lane ("" = leaves the map there).
	Next string
	// Plan are the lanes to take after Next (scripted routes); empty = seeded choices.
	Plan []string

	X, Y, Yaw float64
	V, A      float64

	Behavior     Behavior
	DesiredSpeed float64
	LaneChange   bool
	Decel        float64
	ToSpeed      float64
	CutInLeft    bool
	Duration     float64
	Heading      float64
	Distance     float64
	Trigger      *Trigger

	// IDM parameters.
	AMax, BComf, TimeGap, MinGap float64

	triggered   bool
	triggerAt   float64
	walked      float64
	lc          *laneChange
	lastLC      float64
	mobilPhase  int
	leader      *occupant
	leaderLane  string
	leaderShift float64
	// Done agents have left the map; they are kept (ids stay stable) but not simulated.
	Done bool
}

type laneChange struct {
	from   *roadmap.Lane
	d0, t  float64
	dur    float64
	forced bool
}

// Pose returns the agent's centre pose in the map frame.
func (a *Agent) Pose() geom.Pose2 {
	if a.Lane == nil {
		return geom.Pose2{X: a.X, Y: a.Y, Yaw: a.Yaw}
	}
	p := a.Lane.Pose(a.S, a.D)
	if a.Behavior == WrongWay {
		p.Yaw = geom.NormalizeAngle(p.Yaw + math.Pi)
	}
	if lc := a.lc; lc != nil && a.V > 0.5 {
		// Heading follows the lateral motion of the lane change.
		dd := lateralRate(lc)
		p.Yaw = geom.NormalizeAngle(p.Yaw + math.Atan2(dd, a.V))
	}
	return p
}

// Box returns the agent's 3D box in the map frame (z = box centre).
func (a *Agent) Box() geom.Box {
	p := a.Pose()
	return geom.Box{X: p.X, Y: p.Y, Z: a.Shape.Height / 2, Length: a.Shape.Length, Width: a.Shape.Width, Height: a.Shape.Height, Yaw: p.Yaw}
}

// Velocity returns the velocity over ground in the map frame.
func (a *Agent) Velocity() geom.Vec2 {
	p := a.Pose()
	s, c := math.Sincos(p.Yaw)
	return geom.Vec2{X: a.V * c, Y: a.V * s}
}

// Triggered reports whether the scripted part has started.
func (a *Agent) Triggered() bool { return a.triggered }

func smooth(x float64) float64 {
	x = math.Max(0, math.Min(1, x))
	return x * x * x * (10 + x*(-15+6*x))
}

func smoothDeriv(x float64) float64 {
	if x <= 0 || x >= 1 {
		return 0
	}
	return 30 * x * x * (1 - x) * (1 - x)
}

func lateralRate(lc *laneChange) float64 {
	return -lc.d0 * smoothDeriv(lc.t/lc.dur) / lc.dur
}
