package geom

import (
	"math"
	"math/rand"
	"testing"
)

func TestOverlapMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	hits := 0
	for i := 0; i < 20000; i++ {
		a := Box{X: rng.Float64()*10 - 5, Y: rng.Float64()*10 - 5, Length: 0.5 + rng.Float64()*5, Width: 0.5 + rng.Float64()*2, Yaw: rng.Float64() * 2 * math.Pi}
		b := Box{X: rng.Float64()*10 - 5, Y: rng.Float64()*10 - 5, Length: 0.5 + rng.Float64()*5, Width: 0.5 + rng.Float64()*2, Yaw: rng.Float64() * 2 * math.Pi}
		ref := IntersectionBEV(a, b)
		got := OverlapBEV(a, b)
		if ref > 1e-6 && !got || ref == 0 && got {
			t.Fatalf("case %d: overlap=%v, IntersectionBEV=%g", i, got, ref)
		}
		if got {
			hits++
		}
	}
	if hits < 2000 || hits > 18000 {
		t.Fatalf("%d of 20000 overlap: the table does not exercise both outcomes", hits)
	}
}

// TestOverlapDegenerate: zero-size boxes (tiny perception clusters) overlap only where they are.
func TestOverlapDegenerate(t *testing.T) {
	ego := Box{X: 188.25, Y: 3.5, Length: 5.1, Width: 2.05}
	cases := []struct {
		name string
		b    Box
		want bool
	}{
		{"point far ahead", Box{X: 214.8, Y: 1.3}, false},
		{"segment far ahead", Box{X: 214.8, Y: 1.3, Length: 0.3}, false},
		{"point inside", Box{X: 188, Y: 3.4}, true},
		{"segment across the edge", Box{X: 188, Y: 4.6, Width: 0.5, Length: 0}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := OverlapBEV(ego, tc.b); got != tc.want {
				t.Errorf("overlap = %v, want %v", got, tc.want)
			}
		})
	}
}
