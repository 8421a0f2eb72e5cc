package control

import (
	"math"

	"github.com/avstack/avstack/geom"
)

// overlap reports whether two oriented boxes intersect in the ground plane (separating axes).
// Unlike polygon clipping it is exact for degenerate (zero length or width) boxes, which
// perception can report for tiny clusters. geom.IntersectionBEV is its reference on proper boxes.
func overlap(a, b geom.Box) bool {
	dx, dy := a.X-b.X, a.Y-b.Y
	ra, rb := 0.5*math.Hypot(a.Length, a.Width), 0.5*math.Hypot(b.Length, b.Width)
	if dx*dx+dy*dy > (ra+rb)*(ra+rb) {
		return false
	}
	ca, cb := a.Corners2(), b.Corners2()
	for _, yaw := range [2]float64{a.Yaw, b.Yaw} {
		for _, ax := range [2]geom.Vec2{{X: math.Cos(yaw), Y: math.Sin(yaw)}, {X: -math.Sin(yaw), Y: math.Cos(yaw)}} {
			alo, ahi := project(ca, ax)
			blo, bhi := project(cb, ax)
			if ahi < blo || bhi < alo {
				return false
			}
		}
	}
	return true
}

func project(c [4]geom.Vec2, ax geom.Vec2) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, p := range c {
		v := p.Dot(ax)
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	return lo, hi
}
