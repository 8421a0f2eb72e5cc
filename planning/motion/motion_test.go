package motion

import (
	"math"
	"testing"

	"github.com/avstack/avstack/geom"
	"github.com/avstack/avstack/msg/av"
	"github.com/avstack/avstack/planning/behavior"
	"github.com/avstack/avstack/planning/predict"
	"github.com/avstack/avstack/planning/route"
	"github.com/avstack/avstack/planning/safety"
)

func TestPolynomialBoundaries(t *testing.T) {
	cases := []struct {
		name                   string
		x0, v0, a0, xT, vT, aT float64
		T                      float64
		quartic                bool
	}{
		{"quintic lane change", 0, 0, 0, 3.5, 0, 0, 4, false},
		{"quintic stop", 10, 15, -1, 60, 0, 0, 6, false},
		{"quintic from accel", 0, 5, 2, 40, 10, 0.5, 3, false},
		{"quartic speed up", 0, 10, 0, 0, 20, 0, 5, true},
		{"quartic slow down", 5, 20, 1, 0, 12, -0.5, 3, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var p Poly
			if tc.quartic {
				p = Quartic(tc.x0, tc.v0, tc.a0, tc.vT, tc.aT, tc.T)
			} else {
				p = Quintic(tc.x0, tc.v0, tc.a0, tc.xT, tc.vT, tc.aT, tc.T)
			}
			x, v, a, _ := p.Eval(0)
			if math.Abs(x-tc.x0)+math.Abs(v-tc.v0)+math.Abs(a-tc.a0) > 1e-9 {
				t.Errorf("start (%g %g %g), want (%g %g %g)", x, v, a, tc.x0, tc.v0, tc.a0)
			}
			x, v, a, _ = p.Eval(tc.T)
			if !tc.quartic && math.Abs(x-tc.xT) > 1e-9 || math.Abs(v-tc.vT) > 1e-9 || math.Abs(a-tc.aT) > 1e-9 {
				t.Errorf("end (%g %g %g), want (%g %g %g)", x, v, a, tc.xT, tc.vT, tc.aT)
			}
			// Derivatives are consistent with finite differences.
			h := 1e-5
			for _, tt := range []float64{0.3, tc.T / 2, tc.T * 0.9} {
				x1, v1, a1, j1 := p.Eval(tt)
				x2, v2, a2, _ := p.Eval(tt + h)
				if math.Abs((x2-x1)/h-v1) > 1e-3 || math.Abs((v2-v1)/h-a1) > 1e-3 || math.Abs((a2-a1)/h-j1) > 1e-3 {
					t.Errorf("t=%g: derivatives inconsistent", tt)
				}
			}
		})
	}
}

func pts(x0, y0, x1, y1, step float64) []*av.Point2 {
	n := int(math.Round(math.Hypot(x1-x0, y1-y0) / step))
	out := make([]*av.Point2, n+1)
	for i := 0; i <= n; i++ {
		u := float64(i) / float64(n)
		out[i] = &av.Point2{X: x0 + u*(x1-x0), Y: y0 + u*(y1-y0)}
	}
	return out
}

func twoLane(t *testing.T) *route.Route {
	t.Helper()
	r, err := route.FromMsg(&av.Route{RouteLaneIds: []string{"r"}, Lanes: []*av.RouteLane{
		{Id: "r", Centre: pts(0, 0, 1000, 0, 10), Width: 3.5, SpeedLimit: 20, LeftId: "l"},
		{Id: "l", Centre: pts(0, 3.5, 1000, 3.5, 10), Width: 3.5, SpeedLimit: 20, RightId: "r"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func arcRoute(t *testing.T) *route.Route {
	t.Helper()
	var c []*av.Point2
	for x := 0.0; x < 100; x += 2 {
		c = append(c, &av.Point2{X: x})
	}
	for a := 0.0; a <= math.Pi/2; a += 2.0 / 200 {
		c = append(c, &av.Point2{X: 100 + 200*math.Sin(a), Y: 200 - 200*math.Cos(a)})
	}
	r, err := route.FromMsg(&av.Route{RouteLaneIds: []string{"c"}, Lanes: []*av.RouteLane{{Id: "c", Centre: c, Width: 3.5, SpeedLimit: 20}}})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func newPlanner(t *testing.T) *Planner {
	t.Helper()
	fp := safety.Footprint{Length: 4.7, Width: 1.85, CentreOffset: 1.35}
	p, err := NewPlanner(DefaultParams(2.8, 0.6, 3.7), safety.DefaultShield(fp))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func stopped(id uint64, x, y float64) predict.Prediction {
	var st []predict.State
	for i := 0; i <= 50; i++ {
		st = append(st, predict.State{T: float64(i) * 0.1, X: x, Y: y})
	}
	return predict.Prediction{ID: id, Class: av.ObjectClass_OBJECT_CLASS_CAR, Box: geom.Box{X: x, Y: y, Length: 4.5, Width: 1.8, Height: 1.5},
		Paths: []predict.Path{{Probability: 1, States: st}}}
}

// checkFeasible holds a plan to the kinematic limits.
func checkFeasible(t *testing.T, p Params, plan Plan) {
	t.Helper()
	for i, q := range plan.Points {
		if q.A > p.MaxAccel+1e-6 || q.A < -p.MaxDecel-1e-6 {
			t.Fatalf("point %d: acceleration %.2f outside limits", i, q.A)
		}
		if q.V > 1 && (math.Abs(q.Curvature) > p.MaxCurvature+1e-6 || q.V*q.V*math.Abs(q.Curvature) > p.MaxLatAccel+1e-6) {
			t.Fatalf("point %d: curvature %.4f at %.1f m/s infeasible", i, q.Curvature, q.V)
		}
	}
}

func TestPlannerScenarios(t *testing.T) {
	cases := []struct {
		name  string
		rt    func(*testing.T) *route.Route
		ego   EgoState
		dec   behavior.Decision
		preds []predict.Prediction
		check func(t *testing.T, plan Plan)
	}{
		{"lane keep speeds up", twoLane, EgoState{X: 10, Y: 0.4, V: 10}, behavior.Decision{TargetSpeed: 20},
			nil, func(t *testing.T, plan Plan) {
				last := plan.Points[len(plan.Points)-1]
				if last.V < 15 || math.Abs(last.Y) > 0.1 {
					t.Errorf("end v=%.1f y=%.2f, want faster than 15 and centred", last.V, last.Y)
				}
			}},
		{"curve at 20 m/s stays centred", arcRoute, EgoState{X: 90, Y: 0, V: 20}, behavior.Decision{TargetSpeed: 20},
			nil, func(t *testing.T, plan Plan) {
				for _, q := range plan.Points {
					if math.Abs(q.FD) > 0.05 {
						t.Fatalf("t=%.1f: offset %.2f from the centre", q.T, q.FD)
					}
				}
			}},
		{"lane change to the left", twoLane, EgoState{X: 10, Y: 0, V: 15}, behavior.Decision{TargetSpeed: 15, TargetD: 3.5},
			nil, func(t *testing.T, plan Plan) {
				if last := plan.Points[len(plan.Points)-1]; math.Abs(last.FD-3.5) > 0.1 {
					t.Errorf("ends at d=%.2f, want 3.5", last.FD)
				}
			}},
		{"blocked both lanes at close range: brake", twoLane, EgoState{X: 0, Y: 0, V: 20}, behavior.Decision{TargetSpeed: 20},
			[]predict.Prediction{stopped(5, 20, 0), stopped(6, 20, 3.5), stopped(7, 20, -3.5)}, func(t *testing.T, plan Plan) {
				if !plan.SafetyOverride {
					t.Fatalf("no safety override: %s", plan.Reason)
				}
				if a := plan.Points[1].A; a > -6 {
					t.Errorf("brakes at %.1f, want hard braking", a)
				}
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			pl := newPlanner(t)
			plan := pl.Plan(0, tc.rt(t), tc.ego, tc.dec, tc.preds)
			if len(plan.Points) != 51 {
				t.Fatalf("%d points, want 51", len(plan.Points))
			}
			if !plan.SafetyOverride {
				checkFeasible(t, pl.P, plan)
				if v := pl.Shield.Check(toEgo(plan.Points), tc.preds); !v.Safe {
					t.Fatalf("chosen plan unsafe: %s", v.Reason)
				}
			}
			tc.check(t, plan)
			t.Logf("%d candidates, %d feasible, cost %.2f, %s", plan.Candidates, plan.Feasible, plan.Cost, plan.Reason)
		})
	}
}

// replan drives an ideal follower (the ego lands exactly on the plan's state 0.1 s later) for
// dur seconds, replanning every 0.1 s, and returns every plan's first points.
func replan(t *testing.T, rt *route.Route, ego EgoState, dec behavior.Decision, preds []predict.Prediction, dur float64) []Point {
	t.Helper()
	pl := newPlanner(t)
	var trace []Point
	for k := 0; float64(k)*0.1 < dur; k++ {
		plan := pl.Plan(int64(k)*1e8, rt, ego, dec, preds)
		if plan.SafetyOverride {
			t.Fatalf("t=%.1f: override: %s", float64(k)*0.1, plan.Reason)
		}
		checkFeasible(t, pl.P, plan)
		q := plan.Points[1]
		trace = append(trace, q)
		ego = EgoState{X: q.X, Y: q.Y, Yaw: q.Yaw, V: q.V, A: q.A}
	}
	return trace
}

func TestPlannerStops(t *testing.T) {
	cases := []struct {
		name  string
		dec   behavior.Decision
		preds []predict.Prediction
		// The front bumper must stop in [lo, hi].
		lo, hi float64
	}{
		{"at a stop line", behavior.Decision{TargetSpeed: 10, HasStop: true, StopS: 40}, nil, 37, 40.3},
		{"behind a stopped car", behavior.Decision{TargetSpeed: 10, Lead: &behavior.Agent{ID: 5, S: 50, Length: 4.5, Width: 1.8}},
			[]predict.Prediction{stopped(5, 50, 0)}, 50 - 2.25 - 6, 50 - 2.25 - 1.5},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			trace := replan(t, twoLane(t), EgoState{X: 0, Y: 0, V: 10}, tc.dec, tc.preds, 20)
			for _, q := range trace {
				if q.X+3.7 > tc.hi {
					t.Fatalf("t=%.1f: front at %.2f beyond %.2f", q.T, q.X+3.7, tc.hi)
				}
			}
			last := trace[len(trace)-1]
			if last.V > 0.1 || last.X+3.7 < tc.lo {
				t.Errorf("after 20 s: front %.2f at %.2f m/s, want stopped in [%.1f, %.1f]", last.X+3.7, last.V, tc.lo, tc.hi)
			}
			minA := 0.0
			for _, q := range trace {
				minA = math.Min(minA, q.A)
			}
			if minA < -4.05 {
				t.Errorf("braked at %.2f m/s^2, beyond the comfort bound -4.05", minA)
			}
			t.Logf("stopped with the front at %.2f m; min accel %.2f", last.X+3.7, minA)
		})
	}
}

// TestPlannerSlowsForBend: a 90-degree bend of radius 12 m (a junction turn) with a 10 m/s
// limit: the plan slows so lateral acceleration stays within the limit, without overrides.
func TestPlannerSlowsForBend(t *testing.T) {
	var c []*av.Point2
	for x := 0.0; x < 60; x += 1 {
		c = append(c, &av.Point2{X: x})
	}
	for a := 0.0; a <= math.Pi/2; a += 1.0 / 12 {
		c = append(c, &av.Point2{X: 60 + 12*math.Sin(a), Y: 12 - 12*math.Cos(a)})
	}
	for y := 13.0; y < 80; y++ {
		c = append(c, &av.Point2{X: 72, Y: y})
	}
	rt, err := route.FromMsg(&av.Route{RouteLaneIds: []string{"j"}, Lanes: []*av.RouteLane{{Id: "j", Centre: c, Width: 3.5, SpeedLimit: 10}}})
	if err != nil {
		t.Fatal(err)
	}
	trace := replan(t, rt, EgoState{X: 5, V: 10}, behavior.Decision{TargetSpeed: 10}, nil, 10)
	maxLat := 0.0
	for _, q := range trace {
		maxLat = math.Max(maxLat, q.V*q.V*math.Abs(q.Curvature))
	}
	if maxLat > 4.0 {
		t.Errorf("lateral acceleration %.2f m/s^2 in the bend, want <= 4", maxLat)
	}
	if last := trace[len(trace)-1]; last.Y < 13 {
		t.Errorf("did not get through the bend (at %.1f, %.1f)", last.X, last.Y)
	}
	t.Logf("max lateral acceleration %.2f m/s^2", maxLat)
}

// TestStopAccel: following stopAccel from 13.5 m/s with a stop 120 m ahead, the car cruises
// until stopping takes 1.2 m/s^2, then stops at the point with a nearly constant deceleration
// no harder than that; from 34 m it brakes at once at v^2/(2g) = 2.68 m/s^2.
func TestStopAccel(t *testing.T) {
	cases := []struct {
		name             string
		v, g             float64
		wantPeak         float64
		wantCruiseBefore bool
	}{
		{"far: cruise, then 1.2 m/s^2", 13.5, 120, 1.2, true},
		{"late: brake at once", 13.5, 34, 13.5 * 13.5 / 68, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			const dt = 0.01
			v, s, peak, cruised := c.v, 0.0, 0.0, false
			for i := 0; i < 10000 && v > 0; i++ {
				a := stopAccel(v, c.g-s, 1.2)
				if math.IsInf(a, 1) {
					a, cruised = 0, true
				}
				if math.IsInf(a, -1) {
					t.Fatalf("at s = %.2f (v %.2f) the point counts as passed", s, v)
				}
				peak = math.Max(peak, -a)
				nv := math.Max(0, v+a*dt)
				s += (v + nv) / 2 * dt
				v = nv
			}
			if v != 0 || s > c.g+1e-3 || s < c.g-0.3 {
				t.Fatalf("stopped at %.3f m with v %.3f, want at %.1f m (within 0.3 m short)", s, v, c.g)
			}
			if peak > c.wantPeak*1.02 {
				t.Errorf("peak deceleration %.3f, want <= %.3f", peak, c.wantPeak)
			}
			if cruised != c.wantCruiseBefore {
				t.Errorf("cruised before braking = %v, want %v", cruised, c.wantCruiseBefore)
			}
		})
	}
}
