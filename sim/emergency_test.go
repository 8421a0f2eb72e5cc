package sim

import (
	"testing"

	"github.com/avstack/avstack/msg/av"
)

// TestHardBraking: a plan counts as an emergency manoeuvre when it brakes harder than nuPlan's
// comfort bound (-4.05 m/s^2) within its first second, and only then.
func TestHardBraking(t *testing.T) {
	plan := func(at, a float64) *av.Trajectory {
		var tr av.Trajectory
		for i := 0; i <= 30; i++ {
			p := &av.TrajectoryPoint{T: 0.1 * float64(i), A: -1}
			if p.T >= at && p.T < at+0.2 {
				p.A = a
			}
			tr.Points = append(tr.Points, p)
		}
		return &tr
	}
	cases := []struct {
		name string
		tr   *av.Trajectory
		want bool
	}{
		{"gentle", plan(0.5, -3.9), false},
		{"hard at 0.5 s", plan(0.5, -4.2), true},
		{"hard only after 2 s", plan(2, -6), false},
		{"empty", &av.Trajectory{}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := hardBraking(c.tr); got != c.want {
				t.Fatalf("hardBraking = %v, want %v", got, c.want)
			}
		})
	}
}
