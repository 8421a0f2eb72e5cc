package traffic

import (
	"math"
	"testing"

	"github.com/avstack/avstack/geom"
	"github.com/avstack/avstack/sim/roadmap"
)

func loadMap(t *testing.T, name string) *roadmap.Map {
	t.Helper()
	m, err := roadmap.Load("../../configs/maps/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// farEgo keeps the ego out of the way.
var farEgo = Ego{Box: geom.Box{X: -1000, Y: -1000, Length: 4.7, Width: 1.85, Height: 1.5}}

func step(w *World, seconds float64) {
	for i := 0; i < int(math.Round(seconds/0.01)); i++ {
		w.Step(0.01, farEgo)
	}
}

func gap(a, b *Agent) float64 { return b.S - a.S - (a.Shape.Length+b.Shape.Length)/2 }

// TestIDMEquilibrium: behind a leader at 20 m/s, a follower wanting 30 m/s settles at the IDM
// equilibrium gap (s0 + v T) / sqrt(1 - (v/v0)^4) (Treiber, Hennecke, Helbing 2000).
func TestIDMEquilibrium(t *testing.T) {
	m := loadMap(t, "highway.geojson")
	w := NewWorld(m, 1)
	l, _ := m.Lane("hw_1")
	lead := &Agent{ID: "lead", Shape: Shapes["car"], Lane: l, S: 200, V: 20, DesiredSpeed: 20.0001}
	fol := &Agent{ID: "fol", Shape: Shapes["car"], Lane: l, S: 100, V: 20, DesiredSpeed: 30}
	w.Add(lead)
	w.Add(fol)
	// Hold the leader at exactly 20 m/s.
	for i := 0; i < 6000; i++ {
		lead.V = 20
		w.Step(0.01, farEgo)
	}
	want := (2 + 20*1.2) / math.Sqrt(1-math.Pow(20.0/30, 4))
	if g := gap(fol, lead); math.Abs(g-want) > 0.02*want || math.Abs(fol.V-20) > 0.05 {
		t.Fatalf("gap %.2f m at %.2f m/s, want %.2f m at 20 m/s", g, fol.V, want)
	}
}

// TestStopsBehindStoppedVehicle: a car approaching a stopped van stops behind it with at least
// the minimum gap.
func TestStopsBehindStoppedVehicle(t *testing.T) {
	m := loadMap(t, "highway.geojson")
	w := NewWorld(m, 1)
	l, _ := m.Lane("hw_1")
	van := &Agent{ID: "van", Shape: Shapes["van"], Lane: l, S: 300, Behavior: Stopped}
	car := &Agent{ID: "car", Shape: Shapes["car"], Lane: l, S: 100, V: 25, DesiredSpeed: 25}
	w.Add(van)
	w.Add(car)
	step(w, 40)
	if g := gap(car, van); car.V > 0.01 || g < 1.5 || g > 4 {
		t.Fatalf("car at %.2f m/s, gap %.2f m; want stopped about 2 m behind", car.V, g)
	}
}

// TestMOBILOvertakes: a fast car behind a slow truck changes to the free left lane.
func TestMOBILOvertakes(t *testing.T) {
	m := loadMap(t, "highway.geojson")
	w := NewWorld(m, 1)
	l, _ := m.Lane("hw_1")
	w.Add(&Agent{ID: "truck", Shape: Shapes["truck"], Lane: l, S: 150, V: 15, DesiredSpeed: 15})
	car := &Agent{ID: "car", Shape: Shapes["car"], Lane: l, S: 80, V: 25, DesiredSpeed: 28, LaneChange: true}
	w.Add(car)
	step(w, 15)
	if car.Lane.ID != "hw_2" || car.S < 200 {
		t.Fatalf("car on %s at s %.1f, want overtaking on hw_2", car.Lane.ID, car.S)
	}
	// MOBIL's keep-right bias alone does not move a car off a free lane.
	w2 := NewWorld(m, 1)
	l2, _ := m.Lane("hw_2")
	solo := &Agent{ID: "solo", Shape: Shapes["car"], Lane: l2, S: 80, V: 25, DesiredSpeed: 25, LaneChange: true}
	w2.Add(solo)
	step(w2, 10)
	if solo.Lane.ID != "hw_2" {
		t.Fatalf("lone car changed to %s", solo.Lane.ID)
	}
}

// TestScripted: hard brake and cut-in start at their time trigger; a walker starts when the
// ego comes within its distance and stops after its distance.
func TestScripted(t *testing.T) {
	m := loadMap(t, "highway.geojson")
	t.Run("hard brake", func(t *testing.T) {
		w := NewWorld(m, 1)
		l, _ := m.Lane("hw_1")
		a := &Agent{ID: "b", Shape: Shapes["car"], Lane: l, S: 100, V: 20, DesiredSpeed: 20, Behavior: HardBrake, Decel: 6, Trigger: &Trigger{Time: 2, EgoDistance: 0}}
		w.Add(a)
		step(w, 1.99)
		if a.Triggered() || math.Abs(a.V-20) > 0.01 {
			t.Fatalf("braking before the trigger: v %v", a.V)
		}
		step(w, 1)
		if !a.Triggered() || math.Abs(a.V-(20-6*0.99)) > 0.1 {
			t.Fatalf("1 s after the trigger v %.2f, want %.2f", a.V, 20-6*0.99)
		}
		step(w, 5)
		if a.V != 0 {
			t.Fatalf("not stopped: v %v", a.V)
		}
	})
	t.Run("cut in", func(t *testing.T) {
		w := NewWorld(m, 1)
		l, _ := m.Lane("hw_2")
		a := &Agent{ID: "c", Shape: Shapes["car"], Lane: l, S: 100, V: 20, DesiredSpeed: 20, Behavior: CutIn, Duration: 2, Trigger: &Trigger{Time: 1}}
		w.Add(a)
		step(w, 0.99)
		if a.Lane.ID != "hw_2" {
			t.Fatal("cut in before the trigger")
		}
		step(w, 1.02)
		if a.Lane.ID != "hw_1" || math.Abs(a.D) < 0.5 {
			t.Fatalf("mid cut-in: lane %s d %.2f", a.Lane.ID, a.D)
		}
		step(w, 1.5)
		if a.Lane.ID != "hw_1" || a.D != 0 {
			t.Fatalf("after cut-in: lane %s d %.2f", a.Lane.ID, a.D)
		}
	})
	t.Run("walker", func(t *testing.T) {
		w := NewWorld(m, 1)
		a := &Agent{ID: "p", Shape: Shapes["pedestrian"], X: 300, Y: -3, Yaw: math.Pi / 2, DesiredSpeed: 1.5, Behavior: Cross, Heading: math.Pi / 2, Distance: 6,
			Trigger: &Trigger{Time: -1, EgoDistance: 30}}
		w.Add(a)
		ego := farEgo
		ego.Box.X, ego.Box.Y = 250, 0 // 50 m away
		for i := 0; i < 100; i++ {
			w.Step(0.01, ego)
		}
		if a.Triggered() || a.Y != -3 {
			t.Fatal("walker started with the ego 50 m away")
		}
		ego.Box.X = 275
		for i := 0; i < 1000; i++ {
			w.Step(0.01, ego)
		}
		if !a.Triggered() || math.Abs(a.Y-3) > 1e-9 || a.V != 0 {
			t.Fatalf("walker at y %.3f v %v, want stopped at y 3 after 6 m", a.Y, a.V)
		}
	})
	t.Run("wrong way", func(t *testing.T) {
		w := NewWorld(m, 1)
		l, _ := m.Lane("hw_3")
		a := &Agent{ID: "g", Shape: Shapes["car"], Lane: l, S: 500, V: 20, Behavior: WrongWay}
		w.Add(a)
		step(w, 2)
		if math.Abs(a.S-460) > 1e-6 || math.Abs(math.Abs(a.Pose().Yaw)-math.Pi) > 1e-9 {
			t.Fatalf("wrong-way car at s %.2f heading %.3f", a.S, a.Pose().Yaw)
		}
	})
}

// TestRedLight: a car approaching a red signal stops before the stop line and goes on green.
func TestRedLight(t *testing.T) {
	m := loadMap(t, "intersection.geojson")
	w := NewWorld(m, 1)
	l, _ := m.Lane("s_in") // north-south: green 17..30 s of 34
	a := &Agent{ID: "car", Shape: Shapes["car"], Lane: l, S: 40, V: 12, DesiredSpeed: 12, Plan: []string{"s_n", "n_out"}}
	w.Add(a)
	stop := m.StopLinesOn("s_in")[0]
	step(w, 16)
	if a.Lane.ID != "s_in" || a.S+a.Shape.Length/2 > stop.S || a.V > 0.05 {
		t.Fatalf("at 16 s (red) car on %s at s %.1f v %.2f, stop line at %.1f", a.Lane.ID, a.S, a.V, stop.S)
	}
	step(w, 10)
	if a.Lane.ID == "s_in" {
		t.Fatalf("still waiting at 26 s (green), s %.1f", a.S)
	}
}

// TestSeededTraffic: the same seed gives the same placements and colours, another seed others.
func TestSeededTraffic(t *testing.T) {
	m := loadMap(t, "highway.geojson")
	mk := func(seed uint64) (n int, sum float64) {
		w := NewWorld(m, seed)
		l, _ := m.Lane("hw_1")
		for i := 0; i < 5; i++ {
			w.Add(&Agent{ID: "x", Shape: Shapes["car"], Lane: l, S: float64(100 * i)})
		}
		for _, a := range w.Agents {
			sum += float64(a.Color[0]) + 3*float64(a.Color[1])
		}
		return len(w.Agents), sum
	}
	_, a := mk(1)
	_, b := mk(1)
	_, c := mk(2)
	if a != b || a == c {
		t.Fatalf("colour draws: seed 1 %v and %v, seed 2 %v", a, b, c)
	}
}
