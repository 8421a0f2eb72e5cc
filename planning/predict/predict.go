package predict

import (
	"fmt"
	"math"

	"github.com/avstack/avstack/geom"
	"github.com/avstack/avstack/msg/av"
	"github.com/avstack/avstack/planning/route"
)

// State is one predicted state of an object, T seconds after the prediction time.
type State struct {
	T, X, Y, Yaw, V float64
}

// Path is one possible future with its probability.
type Path struct {
	Probability float64
	States      []State
}

// Prediction is the future of one object: its box now and its possible paths.
type Prediction struct {
	ID    uint64
	Class av.ObjectClass
	Box   geom.Box
	Paths []Path
}

// At interpolates a path's state at time t (held constant after the last state).
func (p Path) At(t float64) State {
	st := p.States
	if len(st) == 0 {
		return State{}
	}
	if t <= st[0].T {
		return st[0]
	}
	dt := st[1%len(st)].T - st[0].T
	if dt <= 0 {
		return st[0]
	}
	i := int((t - st[0].T) / dt)
	if i >= len(st)-1 {
		return st[len(st)-1]
	}
	a, b := st[i], st[i+1]
	u := (t - a.T) / (b.T - a.T)
	return State{T: t, X: a.X + u*(b.X-a.X), Y: a.Y + u*(b.Y-a.Y), Yaw: a.Yaw + u*geom.NormalizeAngle(b.Yaw-a.Yaw), V: a.V + u*(b.V-a.V)}
}

// BoxAt is the object's box moved along the path to time t.
func (p Prediction) BoxAt(path int, t float64) geom.Box {
	s := p.Paths[path].At(t)
	b := p.Box
	b.X, b.Y, b.Yaw = s.X, s.Y, s.Yaw
	return b
}

// Predictor predicts every object of a list. Implementations may keep per-track history between
// calls (a learned predictor needs it), so calls must come in time order. The route may be nil.
type Predictor interface {
	Name() string
	Predict(objs *av.ObjectList, rt *route.Route, now int64) []Prediction
}

// Options shared by the predictors.
type Options struct {
	Horizon float64 // s
	Dt      float64 // s
}

// DefaultOptions: 5 s at 0.1 s.
func DefaultOptions() Options { return Options{Horizon: 5, Dt: 0.1} }

// Validate names the bad field.
func (o Options) Validate() error {
	if !(o.Dt > 0 && o.Dt <= 1) {
		return fmt.Errorf("predict: dt %g: want (0, 1] s", o.Dt)
	}
	if !(o.Horizon >= o.Dt && o.Horizon <= 20) {
		return fmt.Errorf("predict: horizon %g: want [dt, 20] s", o.Horizon)
	}
	return nil
}

func (o Options) steps() int { return int(math.Round(o.Horizon/o.Dt)) + 1 }

func boxOf(o *av.Object) geom.Box {
	b := o.GetBox()
	return geom.Box{X: b.GetX(), Y: b.GetY(), Z: b.GetZ(), Length: b.GetLength(), Width: b.GetWidth(), Height: b.GetHeight(), Yaw: b.GetYaw()}
}

// ConstantVelocity moves every object in a straight line at its current velocity (the
// baseline, and the fallback for objects that follow no lane).
type ConstantVelocity struct{ Opt Options }

// Name implements Predictor.
func (ConstantVelocity) Name() string { return "constant_velocity" }

// Predict implements Predictor.
func (c ConstantVelocity) Predict(objs *av.ObjectList, _ *route.Route, _ int64) []Prediction {
	out := make([]Prediction, 0, len(objs.GetObjects()))
	for _, o := range objs.GetObjects() {
		out = append(out, Prediction{ID: o.GetId(), Class: o.GetClass(), Box: boxOf(o), Paths: []Path{c.path(o, 1)}})
	}
	return out
}

func (c ConstantVelocity) path(o *av.Object, prob float64) Path {
	b := o.GetBox()
	vx, vy := o.GetVx(), o.GetVy()
	v := math.Hypot(vx, vy)
	yaw := b.GetYaw()
	if v > 0.5 {
		yaw = math.Atan2(vy, vx)
	}
	n := c.Opt.steps()
	st := make([]State, n)
	for i := range st {
		t := float64(i) * c.Opt.Dt
		st[i] = State{T: t, X: b.GetX() + vx*t, Y: b.GetY() + vy*t, Yaw: yaw, V: v}
	}
	return Path{Probability: prob, States: st}
}

// LaneFollowing moves vehicles along the centre of the lane they are on at constant speed
// (their lateral offset decays to the centre over SettleTime), following successors; objects
// on no lane, pedestrians, and slow objects get the constant-velocity path. A lane-following
// path gets LaneProb and the constant-velocity alternative the rest.
type LaneFollowing struct {
	Opt        Options
	LaneProb   float64 // default 0.8
	SettleTime float64 // s, default 2
	MaxOffset  float64 // m from a lane centre to count as on it, default 2
	MaxAngle   float64 // rad between heading and lane, default 0.6
}

// Name implements Predictor.
func (LaneFollowing) Name() string { return "lane_following" }

func isVehicle(c av.ObjectClass) bool {
	switch c {
	case av.ObjectClass_OBJECT_CLASS_CAR, av.ObjectClass_OBJECT_CLASS_TRUCK, av.ObjectClass_OBJECT_CLASS_BUS,
		av.ObjectClass_OBJECT_CLASS_MOTORCYCLE, av.ObjectClass_OBJECT_CLASS_BICYCLE:
		return true
	}
	return false
}

// Predict implements Predictor.
func (l LaneFollowing) Predict(objs *av.ObjectList, rt *route.Route, _ int64) []Prediction {
	cv := ConstantVelocity{Opt: l.Opt}
	prob, settle, maxOff, maxAng := l.LaneProb, l.SettleTime, l.MaxOffset, l.MaxAngle
	if prob == 0 {
		prob = 0.8
	}
	if settle == 0 {
		settle = 2
	}
	if maxOff == 0 {
		maxOff = 2
	}
	if maxAng == 0 {
		maxAng = 0.6
	}
	out := make([]Prediction, 0, len(objs.GetObjects()))
	for _, o := range objs.GetObjects() {
		p := Prediction{ID: o.GetId(), Class: o.GetClass(), Box: boxOf(o)}
		v := math.Hypot(o.GetVx(), o.GetVy())
		var ln *route.Lane
		var s, d float64
		if rt != nil && isVehicle(o.GetClass()) && v > 1 {
			ln, s, d = rt.NearestLane(geom.Vec2{X: o.GetBox().GetX(), Y: o.GetBox().GetY()}, math.Atan2(o.GetVy(), o.GetVx()), maxOff, maxAng)
		}
		if ln == nil {
			p.Paths = []Path{cv.path(o, 1)}
			out = append(out, p)
			continue
		}
		// Speed along the lane: the velocity's component along the lane direction.
		ly := ln.Line.Yaw(s)
		vs := o.GetVx()*math.Cos(ly) + o.GetVy()*math.Sin(ly)
		if vs < 0 {
			vs = 0
		}
		n := l.Opt.steps()
		st := make([]State, n)
		cur, curS := ln, s
		for i := range st {
			t := float64(i) * l.Opt.Dt
			ss := curS + vs*t
			// Walk onto successors (first successor) past the lane end.
			for ss > cur.Line.Length() && len(cur.Successors) > 0 {
				curS -= cur.Line.Length()
				ss -= cur.Line.Length()
				cur = rt.Lanes[cur.Successors[0]]
			}
			dd := d * math.Max(0, 1-t/settle)
			pt, yaw, nrm := cur.Line.Frame(ss)
			q := pt.Add(nrm.Scale(dd))
			st[i] = State{T: t, X: q.X, Y: q.Y, Yaw: yaw, V: vs}
		}
		p.Paths = []Path{{Probability: prob, States: st}, cv.path(o, 1-prob)}
		out = append(out, p)
	}
	return out
}

// ToMsg converts predictions to their message.
func ToMsg(preds []Prediction, model string) *av.PredictionList {
	m := &av.PredictionList{Header: &av.Header{FrameId: "map"}, Model: model}
	for _, p := range preds {
		op := &av.ObjectPrediction{ObjectId: p.ID, Class: p.Class,
			Box: &av.Box3D{X: p.Box.X, Y: p.Box.Y, Z: p.Box.Z, Length: p.Box.Length, Width: p.Box.Width, Height: p.Box.Height, Yaw: p.Box.Yaw}}
		for _, path := range p.Paths {
			pp := &av.PredictedPath{Probability: path.Probability}
			for _, s := range path.States {
				pp.Points = append(pp.Points, &av.TrajectoryPoint{T: s.T, X: s.X, Y: s.Y, Yaw: s.Yaw, V: s.V})
			}
			op.Paths = append(op.Paths, pp)
		}
		m.Predictions = append(m.Predictions, op)
	}
	return m
}

// New returns the named predictor ("constant_velocity" or "lane_following").
func New(name string, o Options) (Predictor, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	switch name {
	case "constant_velocity":
		return ConstantVelocity{Opt: o}, nil
	case "lane_following", "":
		return LaneFollowing{Opt: o}, nil
	}
	return nil, fmt.Errorf("predict: unknown predictor %q (have constant_velocity, lane_following)", name)
}
