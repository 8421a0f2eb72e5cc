package behavior

import (
	"math"
	"testing"

	"github.com/avstack/avstack/msg/av"
)

const car = av.ObjectClass_OBJECT_CLASS_CAR
const ped = av.ObjectClass_OBJECT_CLASS_PEDESTRIAN

// TestIDMEquilibrium: following a leader at the same speed, IDM's acceleration is zero at the
// equilibrium gap s* / sqrt(1 - (v/v0)^delta), negative closer, positive farther.
func TestIDMEquilibrium(t *testing.T) {
	m := DefaultIDM()
	v, v0 := 15.0, 20.0
	sStar := m.S0 + v*m.T
	eq := sStar / math.Sqrt(1-math.Pow(v/v0, m.Delta))
	cases := []struct {
		name string
		gap  float64
		sign float64
	}{{"equilibrium", eq, 0}, {"too close", eq * 0.7, -1}, {"far", eq * 1.5, 1}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := m.Accel(v, v0, tc.gap, 0)
			switch {
			case tc.sign == 0 && math.Abs(a) > 1e-9:
				t.Errorf("a=%g at equilibrium, want 0", a)
			case tc.sign < 0 && a >= 0, tc.sign > 0 && a <= 0:
				t.Errorf("a=%g, want sign %g", a, tc.sign)
			}
		})
	}
	if a := m.Accel(0, v0, math.Inf(1), 0); math.Abs(a-m.A) > 1e-12 {
		t.Errorf("free road from rest: %g, want %g", a, m.A)
	}
}

func TestMOBILIncentive(t *testing.T) {
	m := MOBIL{Politeness: 0.5, Threshold: 0.2, BSafe: 3}
	cases := []struct {
		name                 string
		aOld, aNew, nfB, nfA float64
		wantGain             float64
		wantOK               bool
	}{
		{"clear gain", -1, 1, 0, 0, 2, true},
		{"gain minus politeness", -1, 1, 0, -1, 1.5, true},
		{"unsafe for new follower", -1, 1, 0, -3.5, math.Inf(-1), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g, ok := m.Incentive(tc.aOld, tc.aNew, tc.nfB, tc.nfA, 0, 0)
			if ok != tc.wantOK || g != tc.wantGain {
				t.Errorf("gain %g ok %v, want %g %v", g, ok, tc.wantGain, tc.wantOK)
			}
		})
	}
}

func baseSituation() Situation {
	return Situation{Now: 1e9, Ego: Ego{S: 100, D: 0, V: 20, FrontS: 103.7, Length: 4.7, Width: 1.85},
		LaneOffsets: []float64{0, 3.5}, LaneWidth: 3.5, SpeedLimit: 25}
}

func TestRuleBased(t *testing.T) {
	cases := []struct {
		name  string
		edit  func(s *Situation)
		want  string
		check func(t *testing.T, d Decision)
	}{
		{"free road keeps lane", func(s *Situation) {}, LaneKeep, func(t *testing.T, d Decision) {
			if d.TargetSpeed != 25 || d.TargetD != 0 {
				t.Errorf("target %g at %g, want 25 at 0", d.TargetSpeed, d.TargetD)
			}
		}},
		{"slow lead, free left lane: overtake", func(s *Situation) {
			s.Agents = []Agent{{ID: 1, Class: car, S: 140, D: 0, VS: 10, Length: 4.5, Width: 1.8}}
		}, LaneChangeLeft, func(t *testing.T, d Decision) {
			if d.TargetD != 3.5 {
				t.Errorf("target lane %g, want 3.5", d.TargetD)
			}
		}},
		{"slow lead, left lane occupied alongside: follow", func(s *Situation) {
			s.Agents = []Agent{{ID: 1, Class: car, S: 140, D: 0, VS: 10, Length: 4.5, Width: 1.8},
				{ID: 2, Class: car, S: 96, D: 3.5, VS: 20, Length: 4.5, Width: 1.8}}
		}, Follow, func(t *testing.T, d Decision) {
			if d.Lead == nil || d.Lead.ID != 1 || d.TargetD != 0 {
				t.Errorf("lead %v target %g, want lead 1 in lane 0", d.Lead, d.TargetD)
			}
		}},
		{"slow lead, the free left lane ends soon: follow", func(s *Situation) {
			s.Agents = []Agent{{ID: 1, Class: car, S: 140, D: 0, VS: 10, Length: 4.5, Width: 1.8}}
			s.LaneRemaining = []float64{math.Inf(1), 80}
		}, Follow, nil},
		{"cut-in is a leader", func(s *Situation) {
			s.Agents = []Agent{{ID: 3, Class: car, S: 125, D: 2.8, VD: -1.0, VS: 18, Length: 4.5, Width: 1.8}}
			s.LaneOffsets = []float64{0}
		}, Follow, func(t *testing.T, d Decision) {
			if d.Lead == nil || d.Lead.ID != 3 {
				t.Errorf("lead %v, want the cutting-in car 3", d.Lead)
			}
		}},
		{"pedestrian on the crosswalk: yield", func(s *Situation) {
			s.Crosswalks = []Crosswalk{{S0: 150, S1: 154}}
			s.Agents = []Agent{{ID: 9, Class: ped, S: 152, D: -2, VD: 1.2, Length: 0.5, Width: 0.5}}
		}, YieldCrosswalk, func(t *testing.T, d Decision) {
			if !d.HasStop || d.StopS != 148 {
				t.Errorf("stop %v at %g, want at 148", d.HasStop, d.StopS)
			}
		}},
		{"pedestrian walking away behind the lane: go", func(s *Situation) {
			s.Crosswalks = []Crosswalk{{S0: 150, S1: 154}}
			s.Agents = []Agent{{ID: 9, Class: ped, S: 152, D: 6, VD: 1.2, Length: 0.5, Width: 0.5}}
		}, LaneKeep, nil},
		{"pedestrian stepping out away from a crosswalk: yield", func(s *Situation) {
			s.Agents = []Agent{{ID: 9, Class: ped, S: 130, D: -3.0, VD: 1.5, Length: 0.5, Width: 0.5}}
		}, YieldCrosswalk, func(t *testing.T, d Decision) {
			if !d.HasStop || d.StopS != 127.25 {
				t.Errorf("stop %v at %g, want at 127.25", d.HasStop, d.StopS)
			}
		}},
		{"unclassified walker-sized object stepping out: yield", func(s *Situation) {
			s.Agents = []Agent{{ID: 9, Class: av.ObjectClass_OBJECT_CLASS_UNKNOWN, S: 130, D: -3.0, VD: 1.5, Length: 0.5, Width: 0.3}}
		}, YieldCrosswalk, nil},
		{"fast 'pedestrian' along the lane is followed, not yielded to", func(s *Situation) {
			s.Agents = []Agent{{ID: 9, Class: ped, S: 130, D: -0.5, VS: 20, Length: 0.7, Width: 0.3}}
			s.LaneOffsets = []float64{0}
		}, Follow, func(t *testing.T, d Decision) {
			if d.HasStop || d.Lead == nil || d.Lead.ID != 9 {
				t.Errorf("stop %v lead %v, want to follow 9", d.HasStop, d.Lead)
			}
		}},
		{"pedestrian on the pavement standing: go", func(s *Situation) {
			s.Agents = []Agent{{ID: 9, Class: ped, S: 130, D: -4.0, Length: 0.5, Width: 0.5}}
		}, LaneKeep, nil},
		{"pedestrian leaving the lane: go", func(s *Situation) {
			s.Agents = []Agent{{ID: 9, Class: ped, S: 130, D: 2.0, VD: 1.5, Length: 0.5, Width: 0.5}}
			s.LaneOffsets = []float64{0}
		}, LaneKeep, nil},
		{"stop line ahead", func(s *Situation) {
			s.StopLines = []StopPoint{{S: 180, Kind: "traffic_light"}}
		}, StopLine, func(t *testing.T, d Decision) {
			if !d.HasStop || d.StopS != 179.5 {
				t.Errorf("stop at %g, want 179.5", d.StopS)
			}
		}},
		{"light turns on too close to stop: go", func(s *Situation) {
			s.StopLines = []StopPoint{{S: 120, Kind: "signal"}}
		}, LaneKeep, func(t *testing.T, d Decision) {
			if d.HasStop {
				t.Errorf("stops at %g, want to drive through the dilemma zone", d.StopS)
			}
		}},
		{"light on far ahead: stop", func(s *Situation) {
			s.StopLines = []StopPoint{{S: 250, Kind: "signal"}}
		}, LaneKeep, func(t *testing.T, d Decision) {
			if !d.HasStop || d.StopS != 249.5 {
				t.Errorf("stop %v at %g, want at 249.5", d.HasStop, d.StopS)
			}
		}},
		{"off the route lane and it ends: stop at its end", func(s *Situation) {
			s.StopLines = []StopPoint{{S: 150, Kind: "lane_end"}}
		}, StopLine, func(t *testing.T, d Decision) {
			if !d.HasStop || d.StopS != 150 {
				t.Errorf("stop %v at %g, want at 150", d.HasStop, d.StopS)
			}
		}},
		{"goal ahead", func(s *Situation) { s.GoalS, s.StopAtGoal = 140, true }, StopGoal, nil},
		{"stop requested: pull over", func(s *Situation) { s.StopRequested = true; s.LaneOffsets = []float64{-3.5, 0} }, PullOver, func(t *testing.T, d Decision) {
			if d.TargetD != -3.5 || !d.HasStop {
				t.Errorf("target %g stop %v, want the rightmost lane and a stop", d.TargetD, d.HasStop)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := baseSituation()
			tc.edit(&s)
			d := NewRuleBased().Decide(s)
			if d.Manoeuvre != tc.want {
				t.Fatalf("manoeuvre %q (%s), want %q", d.Manoeuvre, d.Reason, tc.want)
			}
			if tc.check != nil {
				tc.check(t, d)
			}
		})
	}
}

// TestStopSignDwell: at a stop sign the policy holds the stop for StopDwell seconds with the car
// standing, then releases it.
func TestStopSignDwell(t *testing.T) {
	p := NewRuleBased()
	s := baseSituation()
	s.Ego.V, s.Ego.FrontS = 0, 179.6
	s.StopLines = []StopPoint{{S: 180, Kind: "stop_sign"}}
	var released float64 = -1
	for k := 0; k < 30; k++ {
		s.Now = int64(1e9 + k*1e8)
		d := p.Decide(s)
		if !d.HasStop {
			released = float64(k) * 0.1
			break
		}
	}
	if released < 0.95 || released > 1.15 {
		t.Fatalf("released after %.1f s, want about StopDwell = 1 s", released)
	}
}

// TestOcclusionCaution: a stopped van beside the lane on an urban road caps the target speed
// by distance (OcclusionDecel down to OcclusionSpeed 10 m before its rear); the rule leaves
// fast roads, moving vehicles, vehicles in the path and vehicles far aside alone.
func TestOcclusionCaution(t *testing.T) {
	van := func(rearAhead, d, v float64) Agent {
		return Agent{ID: 7, Class: av.ObjectClass_OBJECT_CLASS_CAR, S: 103.7 + rearAhead + 2.5, D: d, VS: v, Length: 5, Width: 2}
	}
	r0 := NewRuleBased()
	capAt := func(rearAhead float64) float64 {
		return math.Min(13.9, math.Sqrt(r0.OcclusionSpeed*r0.OcclusionSpeed+2*r0.OcclusionDecel*math.Max(0, rearAhead-10)))
	}
	cases := []struct {
		name  string
		limit float64
		a     Agent
		want  float64
	}{
		{"far ahead: no cap yet", 13.9, van(80, -3, 0), 13.9},
		{"approaching: capped by distance", 13.9, van(30, -3, 0), capAt(30)},
		{"near its rear: the caution speed", 13.9, van(8, -3, 0), r0.OcclusionSpeed},
		{"alongside: the caution speed", 13.9, van(-3, -3, 0), r0.OcclusionSpeed},
		{"passed", 13.9, van(-8, -3, 0), 13.9},
		{"track noise of 1 m/s still counts as stopped", 13.9, van(8, -3, 1), r0.OcclusionSpeed},
		{"moving traffic beside", 13.9, van(8, -3, 8), 13.9},
		{"in the path: a leader, not an occluder", 13.9, van(30, -0.5, 0), 13.9},
		{"far aside", 13.9, van(8, -7, 0), 13.9},
		{"highway", 30, van(8, -3, 0), 30},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := baseSituation()
			s.Ego.V, s.SpeedLimit = 10, c.limit
			s.LaneOffsets = []float64{0}
			s.Agents = []Agent{c.a}
			d := NewRuleBased().Decide(s)
			if math.Abs(d.TargetSpeed-c.want) > 1e-9 {
				t.Fatalf("target speed %.3f, want %.3f (%s)", d.TargetSpeed, c.want, d.Reason)
			}
		})
	}
}

// TestCrosswalkApproach: on an urban road the ego is at no more than CrosswalkSpeed from
// CrosswalkRange before a crosswalk until it has passed it, slowing by distance before that.
func TestCrosswalkApproach(t *testing.T) {
	r0 := NewRuleBased()
	capAt := func(d float64) float64 {
		return math.Min(13.9, math.Sqrt(r0.CrosswalkSpeed*r0.CrosswalkSpeed+2*r0.OcclusionDecel*math.Max(0, d-r0.CrosswalkRange)))
	}
	cases := []struct {
		name     string
		limit, d float64 // road limit; crosswalk start ahead of the ego's front
		want     float64
	}{
		{"far", 13.9, 150, 13.9},
		{"slowing by distance", 13.9, 60, capAt(60)},
		{"within range", 13.9, 30, r0.CrosswalkSpeed},
		{"on it", 13.9, -2, r0.CrosswalkSpeed},
		{"passed", 13.9, -10, 13.9},
		{"fast road", 25, 30, 25},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := baseSituation()
			s.Ego.V, s.SpeedLimit, s.LaneOffsets = 12, c.limit, []float64{0}
			s0 := s.Ego.FrontS + c.d
			s.Crosswalks = []Crosswalk{{S0: s0, S1: s0 + 4}}
			d := NewRuleBased().Decide(s)
			if math.Abs(d.TargetSpeed-c.want) > 1e-9 {
				t.Fatalf("target speed %.3f, want %.3f (%s)", d.TargetSpeed, c.want, d.Reason)
			}
		})
	}
}
