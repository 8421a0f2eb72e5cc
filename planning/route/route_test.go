package route

import (
	"math"
	"strings"
	"testing"

	"github.com/avstack/avstack/geom"
	"github.com/avstack/avstack/msg/av"
)

func line(x0, y0, x1, y1, step float64) []*av.Point2 {
	n := int(math.Round(math.Hypot(x1-x0, y1-y0) / step))
	out := make([]*av.Point2, n+1)
	for i := 0; i <= n; i++ {
		u := float64(i) / float64(n)
		out[i] = &av.Point2{X: x0 + u*(x1-x0), Y: y0 + u*(y1-y0)}
	}
	return out
}

func TestPolylineArc(t *testing.T) {
	// A left arc of radius 200 m sampled every 2 m: curvature 1/200, projection exact.
	var pts []geom.Vec2
	for a := 0.0; a <= math.Pi/2+1e-9; a += 2.0 / 200 {
		pts = append(pts, geom.Vec2{X: 200 * math.Sin(a), Y: 200 - 200*math.Cos(a)})
	}
	pl, err := NewPolyline(pts)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		s, d float64
	}{{"on the arc", 100, 0}, {"left", 150, 1.5}, {"right", 50, -2}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if k := pl.Curvature(tc.s); math.Abs(k-0.005) > 2e-4 {
				t.Errorf("curvature %.5f, want 0.005", k)
			}
			q := pl.ToCartesian(tc.s, tc.d)
			s, d := pl.Project(q)
			if math.Abs(s-tc.s) > 0.05 || math.Abs(d-tc.d) > 0.01 {
				t.Errorf("project(toCartesian(%g, %g)) = (%.3f, %.3f)", tc.s, tc.d, s, d)
			}
			// The true point at arc length s on the circle is within the chord sag.
			a := tc.s / 200
			r := 200 - tc.d
			want := geom.Vec2{X: r * math.Sin(a), Y: 200 - r*math.Cos(a)}
			if e := q.Sub(want).Norm(); e > 0.02 {
				t.Errorf("point off the circle by %.3f m", e)
			}
		})
	}
}

func twoLaneMsg() *av.Route {
	return &av.Route{Map: "test", RouteLaneIds: []string{"a1", "a2"},
		Lanes: []*av.RouteLane{
			{Id: "a1", Centre: line(0, 0, 100, 0, 10), Width: 3.5, SpeedLimit: 20, LeftId: "b1", SuccessorIds: []string{"a2"}},
			{Id: "a2", Centre: line(100, 0, 300, 0, 10), Width: 3.5, SpeedLimit: 10, LeftId: "b2"},
			{Id: "b1", Centre: line(0, 3.5, 100, 3.5, 10), Width: 3.5, RightId: "a1", SuccessorIds: []string{"b2"}},
			{Id: "b2", Centre: line(100, 3.5, 300, 3.5, 10), Width: 3.5, RightId: "a2"},
		},
		StopLines:  []*av.RouteStopLine{{LaneId: "a2", S: 50, Kind: "stop_sign"}, {LaneId: "a2", S: 150, Kind: "traffic_light"}},
		Crosswalks: []*av.RouteCrosswalk{{Id: "cw", Polygon: []*av.Point2{{X: 200, Y: -2}, {X: 204, Y: -2}, {X: 204, Y: 6}, {X: 200, Y: 6}}}},
		StopAtGoal: true,
	}
}

func TestFromMsg(t *testing.T) {
	r, err := FromMsg(twoLaneMsg())
	if err != nil {
		t.Fatal(err)
	}
	if l := r.Ref.Length(); math.Abs(l-300) > 1e-9 {
		t.Errorf("reference length %g, want 300", l)
	}
	if got := r.SpeedLimit(50); got != 20 {
		t.Errorf("limit at 50 = %g, want 20", got)
	}
	if got := r.SpeedLimit(150); got != 10 {
		t.Errorf("limit at 150 = %g, want 10", got)
	}
	if offs := r.LaneOffsets(120); len(offs) != 2 || offs[0] != 0 || offs[1] != 3.5 {
		t.Errorf("lane offsets %v, want [0 3.5]", offs)
	}
	// A parking lane beside the route is not a lane to change into.
	pm := twoLaneMsg()
	pm.Lanes[0].RightId, pm.Lanes[1].RightId = "p1", "p2"
	pm.Lanes = append(pm.Lanes,
		&av.RouteLane{Id: "p1", Centre: line(0, -3, 100, -3, 10), Width: 2.5, LeftId: "a1", SuccessorIds: []string{"p2"}, Use: av.LaneUse_LANE_USE_PARKING},
		&av.RouteLane{Id: "p2", Centre: line(100, -3, 300, -3, 10), Width: 2.5, LeftId: "a2", Use: av.LaneUse_LANE_USE_PARKING})
	rp, err := FromMsg(pm)
	if err != nil {
		t.Fatal(err)
	}
	if offs := rp.LaneOffsets(120); len(offs) != 2 || offs[0] != 0 || offs[1] != 3.5 {
		t.Errorf("lane offsets with a parking lane on the right %v, want [0 3.5]", offs)
	}
	pm.Lanes[4].Use, pm.Lanes[5].Use = av.LaneUse_LANE_USE_DRIVING, av.LaneUse_LANE_USE_DRIVING
	if rp, err = FromMsg(pm); err != nil {
		t.Fatal(err)
	}
	if offs := rp.LaneOffsets(120); len(offs) != 3 || offs[0] != -3 {
		t.Errorf("lane offsets with a driving lane on the right %v, want [-3 0 3.5]", offs)
	}
	if len(r.StopLines) != 2 || r.StopLines[0].S != 150 || !r.StopLines[0].Active || r.StopLines[1].Active {
		t.Errorf("stop lines %+v, want s=150 active (sign), s=250 inactive (light)", r.StopLines)
	}
	if len(r.Crosswalks) != 1 || math.Abs(r.Crosswalks[0].S0-200) > 1e-9 || math.Abs(r.Crosswalks[0].S1-204) > 1e-9 {
		t.Errorf("crosswalks %+v, want span 200..204", r.Crosswalks)
	}
	if r.GoalS != 300 {
		t.Errorf("goal %g, want the route end 300", r.GoalS)
	}
	m := twoLaneMsg()
	m.GoalLaneId, m.GoalLaneS = "a2", 120
	if r2, err := FromMsg(m); err != nil || r2.GoalS != 220 {
		t.Errorf("goal on a2 at 120: %v, err %v; want 220", r2.GoalS, err)
	}
	if ln, s, d := r.NearestLane(geom.Vec2{X: 150, Y: 3.2}, 0, 2, 0.5); ln == nil || ln.ID != "b2" || math.Abs(s-50) > 1e-9 || math.Abs(d+0.3) > 1e-9 {
		t.Errorf("nearest lane = %v s=%g d=%g, want b2 50 -0.3", ln, s, d)
	}
	if ln, _, _ := r.NearestLane(geom.Vec2{X: 150, Y: 3.2}, math.Pi, 2, 0.5); ln != nil {
		t.Errorf("nearest lane against the direction = %v, want none", ln.ID)
	}
}

func TestFromMsgErrors(t *testing.T) {
	cases := []struct {
		name string
		edit func(m *av.Route)
		want string
	}{
		{"unknown route lane", func(m *av.Route) { m.RouteLaneIds = []string{"a1", "zz"} }, `unknown lane "zz"`},
		{"empty route", func(m *av.Route) { m.RouteLaneIds = nil }, "route_lane_ids: empty"},
		{"bad width", func(m *av.Route) { m.Lanes[0].Width = 0 }, `lane "a1": width 0`},
		{"dangling link", func(m *av.Route) { m.Lanes[0].LeftId = "nope" }, `links to unknown lane "nope"`},
		{"one point", func(m *av.Route) { m.Lanes[1].Centre = m.Lanes[1].Centre[:1] }, `lane "a2": centre`},
		{"gap", func(m *av.Route) { m.RouteLaneIds = []string{"a2", "a1"} }, "is not its neighbour"},
		{"stop line off lane", func(m *av.Route) { m.StopLines[0].S = 900 }, "stop_lines[0].s 900"},
		{"goal off the route", func(m *av.Route) { m.GoalLaneId = "b1" }, `goal_lane_id "b1": not on the route`},
		{"duplicate lane", func(m *av.Route) { m.Lanes[1].Id = "a1" }, "duplicate"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := twoLaneMsg()
			tc.edit(m)
			_, err := FromMsg(m)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

// TestNeighbourStep: a route that changes lanes (a1 -> b1 neighbour) blends the reference over
// smoothly: continuous, no heading jump above the blend's, ending on b1's centre.
func TestNeighbourStep(t *testing.T) {
	m := twoLaneMsg()
	m.RouteLaneIds = []string{"a1", "b1", "b2"}
	m.StopLines = nil
	r, err := FromMsg(m)
	if err != nil {
		t.Fatal(err)
	}
	for s := 0.0; s < r.Ref.Length(); s += 1 {
		if y := math.Abs(r.Ref.Yaw(s)); y > 0.15 {
			t.Fatalf("heading %.3f rad at s=%g: blend too sharp", y, s)
		}
	}
	if p := r.Ref.Point(r.Ref.Length() - 1); math.Abs(p.Y-3.5) > 1e-6 {
		t.Errorf("reference ends at y=%.3f, want 3.5 (lane b)", p.Y)
	}
	if p := r.Ref.Point(5); math.Abs(p.Y) > 1e-6 {
		t.Errorf("reference starts at y=%.3f, want 0 (lane a)", p.Y)
	}
}

// TestStartAt: built from a start point, the reference begins 10 m behind it, lane changes in
// the route begin 10 m after entering the lane, and stop lines keep their lane positions.
func TestStartAt(t *testing.T) {
	m := twoLaneMsg()
	m.RouteLaneIds = []string{"a1", "b1", "b2"}
	m.StopLines = []*av.RouteStopLine{{LaneId: "b2", S: 50, Kind: "stop_sign"}}
	start := geom.Vec2{X: 30, Y: 0.2}
	r, err := FromMsgAt(m, &start)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(r.Ref.Pts); i++ {
		if r.Ref.Pts[i].X <= r.Ref.Pts[i-1].X {
			t.Fatalf("reference goes back at point %d: %v after %v", i, r.Ref.Pts[i], r.Ref.Pts[i-1])
		}
	}
	// Reference s = x - 20; the blend runs over x = 40..100.
	if !r.InBlend(40) || r.InBlend(15) || r.InBlend(85) {
		t.Errorf("blend zone: InBlend at x = 35, 60, 105: %v %v %v, want false true false", r.InBlend(15), r.InBlend(40), r.InBlend(85))
	}
	if got := r.LaneAt(10).ID; got != "a1" {
		t.Errorf("lane before the blend %q, want a1", got)
	}
	if got := r.LaneAt(79).ID; got != "a1" {
		t.Errorf("lane in the blend %q, want a1 (the lane being left)", got)
	}
	if got := r.LaneAt(85).ID; got != "b2" {
		t.Errorf("lane after the blend %q, want b2", got)
	}
	if p := r.Ref.Point(0); math.Abs(p.X-20) > 1e-6 || math.Abs(p.Y) > 1e-6 {
		t.Errorf("reference starts at %v, want (20, 0)", p)
	}
	// Still on lane a 10 m after the start (x = 40), fully on lane b 60 m later (x = 100).
	if _, d := r.Ref.Project(geom.Vec2{X: 39, Y: 0}); math.Abs(d) > 1e-6 {
		t.Errorf("at x=39 the reference is %.3f m off lane a", -d)
	}
	if _, d := r.Ref.Project(geom.Vec2{X: 101, Y: 3.5}); math.Abs(d) > 1e-6 {
		t.Errorf("at x=101 the reference is %.3f m off lane b", -d)
	}
	// The stop line at b2's s=50 (x = 150).
	if len(r.StopLines) != 1 || math.Abs(r.Ref.Point(r.StopLines[0].S).X-150) > 0.5 {
		t.Errorf("stop line at reference s %v (x %.1f), want x 150", r.StopLines, r.Ref.Point(r.StopLines[0].S).X)
	}
}
