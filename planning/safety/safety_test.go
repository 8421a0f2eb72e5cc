package safety

import (
	"math"
	"testing"

	"github.com/avstack/avstack/geom"
	"github.com/avstack/avstack/planning/predict"
)

func TestTTC(t *testing.T) {
	cases := []struct {
		name                string
		gap, vr, vf, ar, af float64
		want                float64
	}{
		{"constant closing", 20, 20, 10, 0, 0, 2},
		{"opening", 20, 10, 20, 0, 0, math.Inf(1)},
		{"already touching", 0, 10, 10, 0, 0, 0},
		// Front stops from 10 m/s at 5 m/s^2 in 2 s after 10 m; rear at 10 m/s: gap 20 -> closes
		// 20 + 10 = 30 m of rear travel: 3 s.
		{"front brakes to a stop", 20, 10, 10, 0, -5, 3},
		// Rear brakes harder than needed: never meets.
		{"rear brakes", 5, 10, 10, -5, 0, math.Inf(1)},
		// Accelerating rear from equal speeds: 10 = 0.5*2*t^2 -> t = sqrt(10).
		{"rear accelerates", 10, 10, 10, 2, 0, math.Sqrt(10)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := TTC(tc.gap, tc.vr, tc.vf, tc.ar, tc.af)
			if math.IsInf(tc.want, 1) != math.IsInf(got, 1) || !math.IsInf(got, 1) && math.Abs(got-tc.want) > 0.01 {
				t.Errorf("TTC = %g, want %g", got, tc.want)
			}
		})
	}
}

// TestRSSLongitudinal checks the formula of Shalev-Shwartz et al. by hand for two cases.
func TestRSSLongitudinal(t *testing.T) {
	r := RSS{Rho: 0.5, AccelMax: 2, BrakeMin: 4, BrakeMax: 8}
	cases := []struct {
		name   string
		vr, vf float64
		want   float64
	}{
		// 20*0.5 + 0.5*2*0.25 + 21^2/8 - 20^2/16 = 10 + 0.25 + 55.125 - 25 = 40.375
		{"same speed 20", 20, 20, 40.375},
		// standing rear: 0 + 0.25 + 1/8 - 0 = 0.375
		{"rear standing", 0, 0, 0.375},
		{"fast front", 5, 30, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := r.Longitudinal(tc.vr, tc.vf); math.Abs(got-tc.want) > 1e-9 {
				t.Errorf("got %g, want %g", got, tc.want)
			}
		})
	}
}

func TestRSSLateral(t *testing.T) {
	r := RSS{Rho: 0.5, LatAccelMax: 0.2, LatBrakeMin: 0.8, LatMargin: 0.2}
	// Both still: each may drift 0.5*0.2*0.25/... : v_r = 0.1, d = (0+0.1)/2*0.5 + 0.01/1.6 = 0.03125 each.
	if got, want := r.Lateral(0, 0), 0.2+2*0.03125; math.Abs(got-want) > 1e-9 {
		t.Errorf("both still: %g, want %g", got, want)
	}
	// Closing at 1 m/s each needs more than both still; moving apart needs only the margin.
	if r.Lateral(1, 1) <= r.Lateral(0, 0) {
		t.Errorf("closing should need more distance")
	}
	if got := r.Lateral(-2, -2); got != 0.2 {
		t.Errorf("separating: %g, want the margin 0.2", got)
	}
}

func straightPred(id uint64, x, y, vx float64) predict.Prediction {
	var st []predict.State
	for i := 0; i <= 50; i++ {
		t := float64(i) * 0.1
		st = append(st, predict.State{T: t, X: x + vx*t, Y: y, V: vx})
	}
	return predict.Prediction{ID: id, Box: geom.Box{X: x, Y: y, Length: 4.5, Width: 1.8, Height: 1.5}, Paths: []predict.Path{{Probability: 1, States: st}}}
}

func egoLine(v float64) []EgoState {
	var out []EgoState
	for i := 0; i <= 50; i++ {
		t := float64(i) * 0.1
		out = append(out, EgoState{T: t, X: v * t, V: v})
	}
	return out
}

// egoBrake: from v, braking at a to a stop.
func egoBrake(v, a float64) []EgoState {
	var out []EgoState
	x := 0.0
	for i := 0; i <= 50; i++ {
		t := float64(i) * 0.1
		vt := math.Max(0, v-a*t)
		out = append(out, EgoState{T: t, X: x, V: vt})
		x += vt * 0.1
	}
	return out
}

// egoCutIn: at v, moving across to y = d over 2 s.
func egoCutIn(v, d float64) []EgoState {
	var out []EgoState
	for i := 0; i <= 50; i++ {
		t := float64(i) * 0.1
		out = append(out, EgoState{T: t, X: v * t, Y: d * math.Min(t/2, 1), V: v})
	}
	return out
}

func TestShieldCheck(t *testing.T) {
	sh := DefaultShield(Footprint{Length: 4.7, Width: 1.85, CentreOffset: 1.35})
	cases := []struct {
		name     string
		ego      []EgoState
		preds    []predict.Prediction
		safe     bool
		ttcAbout float64
	}{
		{"stopped car ahead", egoLine(10), []predict.Prediction{straightPred(3, 40, 0, 0)}, false, 3.3},
		{"car in the next lane", egoLine(10), []predict.Prediction{straightPred(3, 20, 3.5, 0)}, true, 0},
		{"faster car ahead", egoLine(10), []predict.Prediction{straightPred(3, 20, 0, 15)}, true, 0},
		{"nothing", egoLine(10), nil, true, 0},
		// The ego brakes to a stop; a follower 15 m behind at 10 m/s would run into it: the
		// follower's duty (RSS), not a reason to veto braking.
		{"braking with a close follower", egoBrake(10, 4), []predict.Prediction{straightPred(3, -15, 0, 10)}, true, 0},
		// A car behind in the next lane, overtaken by nobody: the ego drifting across into its
		// path is the ego's fault, so it is still checked.
		{"cutting in front of a car in the next lane", egoCutIn(10, 3.5), []predict.Prediction{straightPred(3, -6, 3.5, 14)}, false, 0.9},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := sh.Check(tc.ego, tc.preds)
			if v.Safe != tc.safe {
				t.Fatalf("safe=%v (%s), want %v", v.Safe, v.Reason, tc.safe)
			}
			if !tc.safe && (math.Abs(v.TTC-tc.ttcAbout) > 0.25 || v.ObjectID != 3) {
				t.Errorf("contact at %.2f s with %d, want about %.2f s with 3", v.TTC, v.ObjectID, tc.ttcAbout)
			}
		})
	}
}

func TestLaneChangeSafe(t *testing.T) {
	sh := DefaultShield(Footprint{Length: 4.7, Width: 1.85, CentreOffset: 1.35})
	cases := []struct {
		name         string
		lead, follow *Gap
		safe         bool
	}{
		{"free lane", nil, nil, true},
		{"leader far", &Gap{ID: 1, Gap: 80, V: 20}, nil, true},
		{"leader close", &Gap{ID: 1, Gap: 10, V: 20}, nil, false},
		{"fast follower close", nil, &Gap{ID: 2, Gap: -15, V: 30}, false},
		{"slow follower far", nil, &Gap{ID: 2, Gap: -30, V: 15}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if v := sh.LaneChangeSafe(20, tc.lead, tc.follow); v.Safe != tc.safe {
				t.Errorf("safe=%v (%s), want %v", v.Safe, v.Reason, tc.safe)
			}
		})
	}
}
