package metrics

import (
	"math"
	"testing"

	"github.com/avstack/avstack/geom"
	"github.com/avstack/avstack/msg/av"
)

var egoBox = geom.Box{X: 0, Y: 0, Z: 0.75, Length: 4.7, Width: 1.85, Height: 1.5}

func TestTTC(t *testing.T) {
	car := func(x, y, vx float64) Object {
		return Object{Name: "o", Class: av.ObjectClass_OBJECT_CLASS_CAR, Box: geom.Box{X: x, Y: y, Z: 0.75, Length: 4, Width: 2, Height: 1.5}, Vx: vx}
	}
	cases := []struct {
		name string
		o    Object
		v    float64
		want float64
		ok   bool
	}{
		// Gap = 22 - 2 (half the car) - 2.35 (half the ego) = 17.65 m, closing 10 m/s.
		{"closing ahead", car(22, 0, 10), 20, 1.765, true},
		{"same speed", car(22, 0, 20), 20, 0, false},
		{"other lane", car(22, 3.5, 0), 20, 0, false},
		{"overlapping edge of corridor", car(22, 2.0, 0), 20, 17.65 / 20, true},
		{"behind", car(-10, 0, 30), 20, 0, false},
	}
	for _, c := range cases {
		got, ok := TTC(egoBox, 0, c.v, c.o)
		if ok != c.ok || (ok && math.Abs(got-c.want) > 1e-9) {
			t.Errorf("%s: TTC %v %v, want %v %v", c.name, got, ok, c.want, c.ok)
		}
	}
}

// TestScore: CARLA driving score = route completion x product of penalties; each contact
// episode counts once.
func TestScore(t *testing.T) {
	r := New(0.01)
	ped := Object{Name: "walker", Class: av.ObjectClass_OBJECT_CLASS_PEDESTRIAN, Box: geom.Box{X: 2, Y: 0.5, Length: 0.5, Width: 0.6, Height: 1.75}}
	car := Object{Name: "car", Class: av.ObjectClass_OBJECT_CLASS_CAR, Box: geom.Box{X: 50, Y: 0, Length: 4, Width: 2, Height: 1.5}}
	for i := 0; i < 10; i++ { // 0.1 s in contact with the walker: one collision
		r.Tick(Sample{Time: float64(i) * 0.01, EgoBox: egoBox, EgoV: 5, RouteFrac: 0.5, Objects: []Object{ped, car}})
	}
	r.Violate(RedLight, "stop_w", 1)
	r.Tick(Sample{Time: 0.2, EgoBox: egoBox, EgoV: 5, RouteFrac: 0.8, Offroad: true, Objects: []Object{car}})
	s := r.Summary()
	if s.Collisions != 1 || s.CollisionEvents[0].With != "walker" || s.CollisionEvents[0].Class != "pedestrian" || s.CollisionEvents[0].EgoSpeed != 5 {
		t.Fatalf("collisions %+v", s.CollisionEvents)
	}
	want := 100 * 0.8 * PenaltyPedestrian * PenaltyRedLight
	if math.Abs(s.DrivingScore-want) > 1e-9 || math.Abs(s.OffroadS-0.01) > 1e-12 || s.RouteCompletion != 0.8 {
		t.Fatalf("score %v (want %v), offroad %v, rc %v", s.DrivingScore, want, s.OffroadS, s.RouteCompletion)
	}
}

// TestComfort: a constant 3 m/s^2 breaks nuPlan's 2.40 m/s^2 bound, 2 m/s^2 does not; a
// 10 m/s^3 ramp breaks the jerk bound.
func TestComfort(t *testing.T) {
	cases := []struct {
		name string
		acc  func(t float64) float64
		ok   bool
	}{
		{"gentle", func(float64) float64 { return 2 }, true},
		{"hard accel", func(float64) float64 { return 3 }, false},
		{"brake -4", func(float64) float64 { return -4 }, true},
		{"brake -5", func(float64) float64 { return -5 }, false},
		{"jerky", func(t float64) float64 { return math.Min(2, 10*math.Max(0, t-1)) }, false},
	}
	for _, c := range cases {
		r := New(0.01)
		for i := 0; i < 300; i++ {
			tt := float64(i) * 0.01
			r.Tick(Sample{Time: tt, EgoBox: egoBox, ALong: c.acc(tt)})
		}
		if s := r.Summary(); s.Comfortable != c.ok {
			t.Errorf("%s: comfortable %v (accel %.2f..%.2f, jerk %.2f), want %v", c.name, s.Comfortable, s.MinLongAccel, s.MaxLongAccel, s.MaxAbsJerk, c.ok)
		}
	}
}
