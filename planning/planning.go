package planning

import (
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/avstack/avstack/config"
	"github.com/avstack/avstack/geom"
	"github.com/avstack/avstack/msg"
	"github.com/avstack/avstack/msg/av"
	"github.com/avstack/avstack/node"
	"github.com/avstack/avstack/planning/behavior"
	"github.com/avstack/avstack/planning/motion"
	"github.com/avstack/avstack/planning/predict"
	"github.com/avstack/avstack/planning/route"
	"github.com/avstack/avstack/planning/safety"
)

// SubjectRoute carries the route (av.Route), published by the simulator or a mission node.
// It is not yet in msg.Catalogue; inputs name its type explicitly.
const SubjectRoute = "av.planning.route"

// Settings of the planning node (nodes[i].settings in configs/vehicle.yaml).
type Settings struct {
	// Predictor: "lane_following" (default) or "constant_velocity".
	Predictor string `yaml:"predictor"`
	// Prediction and planning horizon and step, s.
	Horizon float64 `yaml:"horizon"`
	Dt      float64 `yaml:"dt"`
	// Cruise speed where the route gives no limit, m/s.
	CruiseSpeed float64 `yaml:"cruise_speed"`
	// Longitudinal limits of planned trajectories, m/s^2 (decel positive; includes emergency braking).
	MaxAccel    float64 `yaml:"max_accel"`
	MaxDecel    float64 `yaml:"max_decel"`
	MaxLatAccel float64 `yaml:"max_lat_accel"`
	// IDM time headway (s) and jam distance (m).
	Headway    float64 `yaml:"headway"`
	JamDist    float64 `yaml:"jam_distance"`
	RouteTopic string  `yaml:"route_subject"`
	// Stop (pull over) as soon as possible.
	StopRequested bool `yaml:"stop_requested"`
}

// DefaultSettings are used for fields the YAML leaves out.
func DefaultSettings() Settings {
	return Settings{Predictor: "lane_following", Horizon: 5, Dt: 0.1, CruiseSpeed: 30, MaxAccel: 2.3, MaxDecel: 7, MaxLatAccel: 4,
		Headway: 1.5, JamDist: 4, RouteTopic: SubjectRoute}
}

// Validate names the bad field.
func (s *Settings) Validate() error {
	if s.Predictor != "lane_following" && s.Predictor != "constant_velocity" {
		return config.Errorf("predictor", s.Predictor, "want lane_following or constant_velocity")
	}
	if !(s.Dt > 0 && s.Dt <= 0.5) {
		return config.Errorf("dt", s.Dt, "want (0, 0.5] s")
	}
	if !(s.Horizon >= 1 && s.Horizon <= 15) {
		return config.Errorf("horizon", s.Horizon, "want [1, 15] s")
	}
	if !(s.CruiseSpeed > 0 && s.CruiseSpeed <= 60) {
		return config.Errorf("cruise_speed", s.CruiseSpeed, "want (0, 60] m/s")
	}
	for _, f := range []struct {
		name string
		v    float64
	}{{"max_accel", s.MaxAccel}, {"max_decel", s.MaxDecel}, {"max_lat_accel", s.MaxLatAccel}, {"headway", s.Headway}, {"jam_distance", s.JamDist}} {
		if !(f.v > 0 && f.v < 20) {
			return config.Errorf(f.name, f.v, "want (0, 20)")
		}
	}
	if s.RouteTopic == "" {
		return config.Errorf("route_subject", s.RouteTopic, "must not be empty")
	}
	return nil
}

// Planner is the planning node's core: prediction, behaviour, motion planning and the shield.
type Planner struct {
	set       Settings
	dyn       config.Dynamics
	pred      predict.Predictor
	policy    behavior.Policy
	motion    *motion.Planner
	footprint safety.Footprint

	rt       *route.Route
	routeMsg *av.Route
	start    *geom.Vec2
	routeErr error
	state    *av.VehicleState
	steps    uint64
	lastWhy  string
}

// New builds a planner for a vehicle's dynamics.
func New(s Settings, dyn config.Dynamics) (*Planner, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	pred, err := predict.New(s.Predictor, predict.Options{Horizon: s.Horizon, Dt: s.Dt})
	if err != nil {
		return nil, err
	}
	fp := safety.Footprint{Length: dyn.Length, Width: dyn.Width, CentreOffset: (dyn.FrontOverhang - dyn.RearOverhang) / 2}
	mp := motion.DefaultParams(dyn.Wheelbase, dyn.MaxSteer, dyn.FrontOverhang)
	mp.Horizon, mp.Dt = s.Horizon, s.Dt
	mp.MaxAccel, mp.MaxDecel, mp.MaxLatAccel = s.MaxAccel, s.MaxDecel, s.MaxLatAccel
	mp.IDM.T, mp.IDM.S0 = s.Headway, s.JamDist
	sh := safety.DefaultShield(fp)
	sh.Horizon = s.Horizon
	mpl, err := motion.NewPlanner(mp, sh)
	if err != nil {
		return nil, err
	}
	pol := behavior.NewRuleBased()
	pol.Cruise = s.CruiseSpeed
	pol.IDM.T, pol.IDM.S0 = s.Headway, s.JamDist
	return &Planner{set: s, dyn: dyn, pred: pred, policy: pol, motion: mpl, footprint: fp}, nil
}

// Spec implements node.Core.
func (p *Planner) Spec() node.Spec {
	rel := msg.Reliable
	return node.Spec{
		Inputs: []node.Input{
			{Subject: msg.SubjectObjects, Trigger: true},
			{Subject: msg.SubjectVehicleState},
			{Subject: p.set.RouteTopic, Type: "avstack.v1.Route", Delivery: &rel},
		},
		Outputs: []string{msg.SubjectTrajectory, msg.SubjectPrediction},
	}
}

// Health implements node.Healther.
func (p *Planner) Health() (av.NodeStatus_Health, string) {
	switch {
	case p.routeErr != nil:
		return av.NodeStatus_HEALTH_DEGRADED, p.routeErr.Error()
	case p.rt == nil:
		return av.NodeStatus_HEALTH_DEGRADED, "no route on " + p.set.RouteTopic
	case p.state == nil:
		return av.NodeStatus_HEALTH_DEGRADED, "no vehicle state"
	}
	return av.NodeStatus_HEALTH_OK, p.lastWhy
}

// Step implements node.Core: on each object list it predicts, decides and plans.
func (p *Planner) Step(in []node.Message, now int64) ([]node.Output, error) {
	p.steps++
	var objs *av.ObjectList
	for _, m := range in {
		switch v := m.Value.(type) {
		case *av.Route:
			p.routeMsg = v
		case *av.VehicleState:
			p.state = v
		case *av.ObjectList:
			objs = v
		}
	}
	if p.routeMsg != nil && p.state != nil {
		// The reference starts at the ego's position when the first route arrives; later
		// messages (signal phases) keep that start so the reference does not move.
		if p.start == nil {
			p.start = &geom.Vec2{X: p.state.GetX(), Y: p.state.GetY()}
		}
		rt, err := route.FromMsgAt(p.routeMsg, p.start)
		if err != nil {
			p.routeErr = fmt.Errorf("planning: %s: %w", p.set.RouteTopic, err)
		} else {
			if p.rt == nil || !slices.Equal(p.rt.Path, rt.Path) {
				p.motion.Reset()
			}
			p.rt, p.routeErr = rt, nil
		}
		p.routeMsg = nil
	}
	traj := &av.Trajectory{Header: &av.Header{FrameId: "map"}}
	if objs == nil {
		objs = &av.ObjectList{}
	}
	if p.rt == nil || p.state == nil {
		traj.Reason = "waiting for route and vehicle state"
		if p.routeErr != nil {
			traj.Reason = p.routeErr.Error()
		}
		return []node.Output{{Subject: msg.SubjectTrajectory, Value: traj}, {Subject: msg.SubjectPrediction, Value: predict.ToMsg(nil, p.pred.Name())}}, nil
	}
	world, err := toMap(objs, p.state)
	if err != nil {
		return nil, err
	}
	preds := p.pred.Predict(world, p.rt, now)
	sit := p.situation(world, now)
	dec := p.policy.Decide(sit)
	if v := p.laneChangeCheck(sit, dec); !v.Safe {
		if vt, ok := p.policy.(behavior.Vetoer); ok {
			vt.Veto(dec, now, v.Reason)
			dec = p.policy.Decide(sit)
		} else {
			dec.TargetD = nearestOffset(sit.LaneOffsets, sit.Ego.D)
			dec.Manoeuvre = behavior.LaneKeep
		}
		dec.Reason = "shield: " + v.Reason
	}
	ego := motion.EgoState{X: p.state.GetX(), Y: p.state.GetY(), Yaw: p.state.GetYaw(), V: p.state.GetV(), A: p.state.GetA()}
	plan := p.motion.Plan(now, p.rt, ego, dec, preds)
	traj.Behavior = plan.Decision.Manoeuvre
	traj.TargetSpeed = dec.TargetSpeed
	traj.SafetyOverride = plan.SafetyOverride
	traj.Reason = plan.Reason
	for _, q := range plan.Points {
		traj.Points = append(traj.Points, &av.TrajectoryPoint{T: q.T, X: q.X, Y: q.Y, Yaw: q.Yaw, V: q.V, A: q.A, Curvature: q.Curvature, S: q.S})
	}
	p.lastWhy = plan.Reason
	pm := predict.ToMsg(preds, p.pred.Name())
	return []node.Output{{Subject: msg.SubjectTrajectory, Value: traj}, {Subject: msg.SubjectPrediction, Value: pm}}, nil
}

// laneChangeCheck runs the shield's RSS gap rule on the target lane of a lane change.
func (p *Planner) laneChangeCheck(sit behavior.Situation, dec behavior.Decision) safety.Verdict {
	if dec.Manoeuvre != behavior.LaneChangeLeft && dec.Manoeuvre != behavior.LaneChangeRight {
		return safety.Verdict{Safe: true}
	}
	var lead, follow *safety.Gap
	e := sit.Ego
	for _, a := range sit.Agents {
		if a.Class == av.ObjectClass_OBJECT_CLASS_PEDESTRIAN || math.Abs(a.D-dec.TargetD) > sit.LaneWidth/2+a.Width/2-0.2 {
			continue
		}
		front, rear := a.S+a.Length/2, a.S-a.Length/2
		switch {
		case rear > e.FrontS:
			g := &safety.Gap{ID: a.ID, Gap: rear - e.FrontS, V: a.VS}
			if lead == nil || g.Gap < lead.Gap {
				lead = g
			}
		case front < e.FrontS-e.Length:
			g := &safety.Gap{ID: a.ID, Gap: front - (e.FrontS - e.Length), V: a.VS}
			if follow == nil || g.Gap > follow.Gap {
				follow = g
			}
		default:
			return safety.Verdict{Safe: false, ObjectID: a.ID, Reason: fmt.Sprintf("lane change: object %d alongside in the target lane", a.ID)}
		}
	}
	return p.motion.Shield.LaneChangeSafe(e.V, lead, follow)
}

func nearestOffset(offs []float64, d float64) float64 {
	best := 0.0
	for i, o := range offs {
		if i == 0 || math.Abs(o-d) < math.Abs(best-d) {
			best = o
		}
	}
	return best
}

// toMap returns the objects in the map frame: lists in base_link are moved by the ego pose.
func toMap(objs *av.ObjectList, st *av.VehicleState) (*av.ObjectList, error) {
	frame := objs.GetHeader().GetFrameId()
	switch frame {
	case "map", "", "world", "odom":
		return objs, nil
	case "base_link":
	default:
		return nil, fmt.Errorf("planning: %s: frame %q: want map or base_link", msg.SubjectObjects, frame)
	}
	pose := geom.Pose2{X: st.GetX(), Y: st.GetY(), Yaw: st.GetYaw()}
	out := &av.ObjectList{Header: &av.Header{StampNs: objs.GetHeader().GetStampNs(), FrameId: "map"}}
	c, s := math.Cos(pose.Yaw), math.Sin(pose.Yaw)
	for _, o := range objs.GetObjects() {
		b := o.GetBox()
		q := pose.Apply(geom.Vec2{X: b.GetX(), Y: b.GetY()})
		no := &av.Object{Id: o.GetId(), Class: o.GetClass(), Score: o.GetScore(),
			Box: &av.Box3D{X: q.X, Y: q.Y, Z: b.GetZ(), Length: b.GetLength(), Width: b.GetWidth(), Height: b.GetHeight(), Yaw: geom.NormalizeAngle(b.GetYaw() + pose.Yaw)},
			Vx:  c*o.GetVx() - s*o.GetVy(), Vy: s*o.GetVx() + c*o.GetVy(), YawRate: o.GetYawRate(), Sources: o.GetSources(), Age: o.GetAge(), SinceUpdate: o.GetSinceUpdate()}
		out.Objects = append(out.Objects, no)
	}
	return out, nil
}

func (p *Planner) situation(objs *av.ObjectList, now int64) behavior.Situation {
	rt := p.rt
	st := p.state
	es, ed := rt.Ref.Project(geom.Vec2{X: st.GetX(), Y: st.GetY()})
	offs, rem := rt.LanesAt(es)
	sit := behavior.Situation{
		Now:           now,
		Ego:           behavior.Ego{S: es, D: ed, V: st.GetV(), A: st.GetA(), FrontS: es + p.dyn.FrontOverhang, Length: p.dyn.Length, Width: p.dyn.Width},
		LaneOffsets:   offs,
		LaneRemaining: rem,
		LaneWidth:     rt.LaneWidth(es),
		SpeedLimit:    rt.SpeedLimit(es),
		GoalS:         rt.GoalS,
		StopAtGoal:    rt.StopAtGoal,
		StopRequested: p.set.StopRequested,
	}
	if sit.SpeedLimit > 0 && p.set.CruiseSpeed < sit.SpeedLimit {
		sit.SpeedLimit = p.set.CruiseSpeed
	}
	for _, o := range objs.GetObjects() {
		b := o.GetBox()
		s, d := rt.Ref.Project(geom.Vec2{X: b.GetX(), Y: b.GetY()})
		if s < es-80 || s > es+150 || math.Abs(d) > 30 {
			continue
		}
		y := rt.Ref.Yaw(s)
		vs := o.GetVx()*math.Cos(y) + o.GetVy()*math.Sin(y)
		vd := -o.GetVx()*math.Sin(y) + o.GetVy()*math.Cos(y)
		// Extent along the reference of the box (its yaw relative to the lane).
		rel := b.GetYaw() - y
		l := math.Abs(b.GetLength()*math.Cos(rel)) + math.Abs(b.GetWidth()*math.Sin(rel))
		w := math.Abs(b.GetLength()*math.Sin(rel)) + math.Abs(b.GetWidth()*math.Cos(rel))
		sit.Agents = append(sit.Agents, behavior.Agent{ID: o.GetId(), Class: o.GetClass(), S: s, D: d, VS: vs, VD: vd, Length: l, Width: w})
	}
	behavior.SortAgents(sit.Agents)
	for _, sl := range rt.StopLines {
		if sl.Active && sl.S > es-5 {
			sit.StopLines = append(sit.StopLines, behavior.StopPoint{S: sl.S, Kind: sl.Kind})
		}
	}
	// The lane the ego is in, if it is not the route lane and ends (no successor): stop at its
	// end unless the ego leaves it first.
	if ln, ls, _ := rt.NearestLane(geom.Vec2{X: st.GetX(), Y: st.GetY()}, st.GetYaw(), rt.LaneWidth(es)/2, 0.6); ln != nil &&
		len(ln.Successors) == 0 && ln.ID != rt.LaneAt(es).ID {
		if end := es + (ln.Line.Length() - ls); end < rt.Ref.Length()-1 {
			sit.StopLines = append(sit.StopLines, behavior.StopPoint{S: end - 1, Kind: "lane_end"})
		}
	}
	for _, cw := range rt.Crosswalks {
		sit.Crosswalks = append(sit.Crosswalks, behavior.Crosswalk{S0: cw.S0, S1: cw.S1})
	}
	sort.Slice(sit.StopLines, func(i, j int) bool { return sit.StopLines[i].S < sit.StopLines[j].S })
	return sit
}

func init() {
	node.Register("planning", func(ctx node.Context) (node.Core, error) {
		s := DefaultSettings()
		if err := ctx.Settings(&s); err != nil {
			return nil, err
		}
		if ctx.Vehicle == nil {
			return nil, fmt.Errorf("planning: needs the vehicle's dynamics")
		}
		return New(s, ctx.Vehicle.Dynamics)
	})
}
