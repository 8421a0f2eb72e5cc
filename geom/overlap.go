package geom

import "math"

// OverlapBEV reports whether two oriented boxes intersect in the ground plane, by the separating
// axis test on the four edge normals. Unlike IntersectionBEV > 0 it counts a degenerate box (zero
// length or width: a tiny lidar cluster) as overlapping where it lies, which is what a collision
// check wants. IntersectionBEV is its reference on proper boxes.
func OverlapBEV(a, b Box) bool {
	// Cheap rejection on bounding circles.
	dx, dy := a.X-b.X, a.Y-b.Y
	ra, rb := 0.5*math.Hypot(a.Length, a.Width), 0.5*math.Hypot(b.Length, b.Width)
	if dx*dx+dy*dy > (ra+rb)*(ra+rb) {
		return false
	}
	ca, cb := a.Corners2(), b.Corners2()
	for _, yaw := range [2]float64{a.Yaw, b.Yaw} {
		for _, ax := range [2]Vec2{{X: math.Cos(yaw), Y: math.Sin(yaw)}, {X: -math.Sin(yaw), Y: math.Cos(yaw)}} {
			alo, ahi := span(ca, ax)
			blo, bhi := span(cb, ax)
			if ahi < blo || bhi < alo {
				return false
			}
		}
	}
	return true
}

// span is the interval of the corners' projections on an axis.
func span(c [4]Vec2, ax Vec2) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, p := range c {
		v := p.Dot(ax)
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	return lo, hi
}
