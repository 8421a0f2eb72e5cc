package planning

import (
	"math"
	"strings"
	"testing"

	"github.com/avstack/avstack/config"
	"github.com/avstack/avstack/geom"
	"github.com/avstack/avstack/msg"
	"github.com/avstack/avstack/msg/av"
	"github.com/avstack/avstack/node"
	"github.com/avstack/avstack/planning/safety"
)

var dyn = config.Dynamics{Wheelbase: 2.8, Length: 4.7, Width: 1.85, Height: 1.5, FrontOverhang: 3.7, RearOverhang: 1.0,
	MaxSteer: 0.6, MaxSteerRate: 0.8, MaxAccel: 3, MaxDecel: 8, MaxJerk: 10, MaxSpeed: 40, SteerTau: 0.1, AccelTau: 0.2}

func line(x0, y0, x1, y1 float64) []*av.Point2 {
	n := int(math.Hypot(x1-x0, y1-y0) / 10)
	out := make([]*av.Point2, n+1)
	for i := range out {
		u := float64(i) / float64(n)
		out[i] = &av.Point2{X: x0 + u*(x1-x0), Y: y0 + u*(y1-y0)}
	}
	return out
}

func roadMsg() *av.Route { return road(true) }

func road(twoLanes bool) *av.Route {
	r := &av.Route{Header: &av.Header{}, RouteLaneIds: []string{"r"}, Lanes: []*av.RouteLane{
		{Id: "r", Centre: line(0, 0, 2000, 0), Width: 3.5, SpeedLimit: 20, LeftId: "l"},
		{Id: "l", Centre: line(0, 3.5, 2000, 3.5), Width: 3.5, SpeedLimit: 20, RightId: "r"},
	}, Crosswalks: []*av.RouteCrosswalk{{Id: "cw", Polygon: []*av.Point2{{X: 300, Y: -3}, {X: 304, Y: -3}, {X: 304, Y: 6}, {X: 300, Y: 6}}}}}
	if !twoLanes {
		r.Lanes = r.Lanes[:1]
		r.Lanes[0].LeftId = ""
	}
	return r
}

// actor is a scripted road user: position as a function of time.
type actor struct {
	id   uint64
	cls  av.ObjectClass
	l, w float64
	at   func(t float64) (x, y, vx, vy float64)
}

// world runs the planner in closed loop with an ideal follower (the ego lands on the plan's
// state 0.1 s later) and scripted actors; it returns the ego's trace of (t, x, y, v) and the
// trajectories.
type sample struct{ t, x, y, v float64 }

func runWorld(t *testing.T, rt *av.Route, dur float64, ego0 sample, actors []actor) ([]sample, []*av.Trajectory) {
	t.Helper()
	p, err := New(DefaultSettings(), dyn)
	if err != nil {
		t.Fatal(err)
	}
	fp := safety.Footprint{Length: dyn.Length, Width: dyn.Width, CentreOffset: (dyn.FrontOverhang - dyn.RearOverhang) / 2}
	x, y, yaw, v, a := ego0.x, ego0.y, 0.0, ego0.v, 0.0
	var trace []sample
	var trajs []*av.Trajectory
	for k := 0; float64(k)*0.1 < dur; k++ {
		ts := float64(k) * 0.1
		now := int64(k) * 1e8
		ol := &av.ObjectList{Header: &av.Header{StampNs: now, FrameId: "map"}}
		egoBox := fp.Box(x, y, yaw)
		for _, ac := range actors {
			ax, ay, vx, vy := ac.at(ts)
			b := &av.Box3D{X: ax, Y: ay, Length: ac.l, Width: ac.w, Height: 1.5, Yaw: math.Atan2(vy, vx)}
			if math.Hypot(vx, vy) < 0.1 {
				b.Yaw = 0
			}
			if geom.OverlapBEV(egoBox, geom.Box{X: b.X, Y: b.Y, Length: b.Length, Width: b.Width, Yaw: b.Yaw}) {
				t.Fatalf("t=%.1f: collision with %d (ego at %.1f, %.1f, %.1f m/s)", ts, ac.id, x, y, v)
			}
			ol.Objects = append(ol.Objects, &av.Object{Id: ac.id, Class: ac.cls, Box: b, Vx: vx, Vy: vy})
		}
		in := []node.Message{
			{Subject: msg.SubjectVehicleState, Value: &av.VehicleState{Header: &av.Header{StampNs: now}, X: x, Y: y, Yaw: yaw, V: v, A: a}},
			{Subject: msg.SubjectObjects, Value: ol, Stamp: now},
		}
		if k == 0 {
			in = append([]node.Message{{Subject: SubjectRoute, Value: rt}}, in...)
		}
		outs, err := p.Step(in, now)
		if err != nil {
			t.Fatal(err)
		}
		if len(outs) != 2 || outs[0].Subject != msg.SubjectTrajectory || outs[1].Subject != msg.SubjectPrediction {
			t.Fatalf("outputs %v", outs)
		}
		tr := outs[0].Value.(*av.Trajectory)
		trajs = append(trajs, tr)
		if len(tr.Points) < 2 {
			t.Fatalf("t=%.1f: empty trajectory: %s", ts, tr.Reason)
		}
		q := tr.Points[1]
		x, y, yaw, v, a = q.X, q.Y, q.Yaw, q.V, q.A
		trace = append(trace, sample{ts, x, y, v})
	}
	return trace, trajs
}

func car(id uint64, at func(t float64) (x, y, vx, vy float64)) actor {
	return actor{id: id, cls: av.ObjectClass_OBJECT_CLASS_CAR, l: 4.5, w: 1.8, at: at}
}

func TestPlanningClosedLoop(t *testing.T) {
	cases := []struct {
		name   string
		two    bool
		dur    float64
		ego    sample
		actors []actor
		check  func(t *testing.T, tr []sample, trajs []*av.Trajectory)
	}{
		{"slow lead: overtake on the left", true, 40, sample{x: 0, v: 15}, []actor{car(1, func(t float64) (float64, float64, float64, float64) { return 60 + 8*t, 0, 8, 0 })},
			func(t *testing.T, tr []sample, trajs []*av.Trajectory) {
				last := tr[len(tr)-1]
				if last.x < 60+8*40+10 {
					t.Errorf("ego at x=%.1f, has not passed the slow car at %.1f", last.x, 60+8*40.0)
				}
				changed := false
				for _, tj := range trajs {
					changed = changed || tj.Behavior == "lane_change_left"
				}
				if !changed {
					t.Errorf("never changed lane")
				}
			}},
		{"lead brakes hard", false, 20, sample{x: 0, v: 15}, []actor{car(2, func(t float64) (float64, float64, float64, float64) {
			// 35 m ahead at 15 m/s; from t=3 s brakes at 6 m/s^2 to a stop.
			if t < 3 {
				return 35 + 15*t, 0, 15, 0
			}
			tb := math.Min(t-3, 2.5)
			return 35 + 45 + 15*tb - 3*tb*tb, 0, math.Max(0, 15-6*(t-3)), 0
		})}, func(t *testing.T, tr []sample, _ []*av.Trajectory) {
			if last := tr[len(tr)-1]; last.v > 0.2 {
				t.Errorf("ego still at %.1f m/s", last.v)
			}
		}},
		{"pedestrian on the crosswalk", true, 40, sample{x: 200, v: 12}, []actor{{id: 3, cls: av.ObjectClass_OBJECT_CLASS_PEDESTRIAN, l: 0.5, w: 0.5,
			at: func(t float64) (float64, float64, float64, float64) {
				// Crosses from y=-5 to y=8 at 1.2 m/s starting at t=2 s.
				if t < 2 {
					return 302, -5, 0, 0
				}
				yy := math.Min(-5+1.2*(t-2), 8)
				vy := 1.2
				if yy >= 8 {
					vy = 0
				}
				return 302, yy, 0, vy
			}}}, func(t *testing.T, tr []sample, trajs []*av.Trajectory) {
			yielded := false
			for _, tj := range trajs {
				yielded = yielded || tj.Behavior == "yield_crosswalk"
			}
			if !yielded {
				t.Errorf("never yielded")
			}
			if last := tr[len(tr)-1]; last.x < 320 {
				t.Errorf("ego at x=%.1f: did not go on after the pedestrian crossed", last.x)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tr, trajs := runWorld(t, road(tc.two), tc.dur, tc.ego, tc.actors)
			tc.check(t, tr, trajs)
			minA, maxA := 0.0, 0.0
			for _, tj := range trajs {
				minA = math.Min(minA, tj.Points[1].A)
				maxA = math.Max(maxA, tj.Points[1].A)
			}
			t.Logf("end x=%.1f v=%.1f; accel range [%.2f, %.2f]", tr[len(tr)-1].x, tr[len(tr)-1].v, minA, maxA)
		})
	}
}

func TestPlanningWaitsForRoute(t *testing.T) {
	p, err := New(DefaultSettings(), dyn)
	if err != nil {
		t.Fatal(err)
	}
	outs, err := p.Step([]node.Message{{Subject: msg.SubjectObjects, Value: &av.ObjectList{}}}, 0)
	if err != nil {
		t.Fatal(err)
	}
	tr := outs[0].Value.(*av.Trajectory)
	if len(tr.Points) != 0 || !strings.Contains(tr.Reason, "waiting for route") {
		t.Errorf("trajectory %d points, reason %q; want empty and waiting", len(tr.Points), tr.Reason)
	}
	if h, m := p.Health(); h != av.NodeStatus_HEALTH_DEGRADED || !strings.Contains(m, "no route") {
		t.Errorf("health %v %q", h, m)
	}
	bad := roadMsg()
	bad.RouteLaneIds = []string{"nope"}
	outs, _ = p.Step([]node.Message{{Subject: SubjectRoute, Value: bad}, {Subject: msg.SubjectVehicleState, Value: &av.VehicleState{}}, {Subject: msg.SubjectObjects, Value: &av.ObjectList{}}}, 1)
	if r := outs[0].Value.(*av.Trajectory).Reason; !strings.Contains(r, `unknown lane "nope"`) {
		t.Errorf("reason %q does not name the bad lane", r)
	}
}

func TestObjectsInBaseLink(t *testing.T) {
	st := &av.VehicleState{X: 10, Y: 5, Yaw: math.Pi / 2}
	ol := &av.ObjectList{Header: &av.Header{FrameId: "base_link"}, Objects: []*av.Object{{Id: 1, Box: &av.Box3D{X: 20, Y: 1, Yaw: 0.1}, Vx: 3, Vy: 0}}}
	w, err := toMap(ol, st)
	if err != nil {
		t.Fatal(err)
	}
	o := w.Objects[0]
	if math.Abs(o.Box.X-9) > 1e-9 || math.Abs(o.Box.Y-25) > 1e-9 || math.Abs(o.Box.Yaw-(math.Pi/2+0.1)) > 1e-9 || math.Abs(o.Vx) > 1e-9 || math.Abs(o.Vy-3) > 1e-9 {
		t.Errorf("in map: %+v", o)
	}
	if _, err := toMap(&av.ObjectList{Header: &av.Header{FrameId: "camera"}}, st); err == nil {
		t.Error("unknown frame accepted")
	}
}
