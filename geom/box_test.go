package geom

import (
	"math"
	"testing"
)

// TestBoxDistance2: distances from points to a rotated box's footprint, by hand.
func TestBoxDistance2(t *testing.T) {
	// 4 x 2 box centred at (10, 5), turned 90 degrees: it spans x 9..11, y 3..7.
	b := Box{X: 10, Y: 5, Length: 4, Width: 2, Yaw: math.Pi / 2}
	cases := []struct {
		name string
		p    Vec2
		want float64
	}{
		{"inside", Vec2{10.5, 6}, 0},
		{"beside a long side", Vec2{12, 5}, 1},
		{"beyond an end", Vec2{10, 9.5}, 2.5},
		{"off a corner", Vec2{14, 11}, 5},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := b.Distance2(c.p); math.Abs(got-c.want) > 1e-9 {
				t.Fatalf("Distance2(%v) = %v, want %v", c.p, got, c.want)
			}
			if inside := b.Contains2(c.p); inside != (c.want == 0) {
				t.Fatalf("Contains2(%v) = %v, distance %v", c.p, inside, c.want)
			}
		})
	}
}
