package roadmap

import (
	"math"

	"github.com/avstack/avstack/geom"
)

// Polyline is a centre line with cumulative arc lengths.
type Polyline struct {
	Pts []geom.Vec2
	// S[i] is the arc length at Pts[i]; S[0] = 0.
	S []float64
}

// NewPolyline builds a polyline; consecutive duplicate points are dropped.
func NewPolyline(pts []geom.Vec2) Polyline {
	var p Polyline
	for _, q := range pts {
		if n := len(p.Pts); n > 0 && q.Sub(p.Pts[n-1]).Norm() < 1e-9 {
			continue
		}
		s := 0.0
		if n := len(p.Pts); n > 0 {
			s = p.S[n-1] + q.Sub(p.Pts[n-1]).Norm()
		}
		p.Pts = append(p.Pts, q)
		p.S = append(p.S, s)
	}
	return p
}

// Length is the total arc length.
func (p Polyline) Length() float64 {
	if len(p.S) == 0 {
		return 0
	}
	return p.S[len(p.S)-1]
}

// segment returns the index i of the segment [i, i+1] containing arc length s (clamped).
func (p Polyline) segment(s float64) int {
	n := len(p.Pts)
	if n < 2 {
		return 0
	}
	lo, hi := 0, n-2
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if p.S[mid] <= s {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo
}

// At returns the point and heading at arc length s. Beyond either end the line is extended
// straight along the end segment's heading.
func (p Polyline) At(s float64) (geom.Vec2, float64) {
	if len(p.Pts) == 1 {
		return p.Pts[0], 0
	}
	i := p.segment(s)
	a, b := p.Pts[i], p.Pts[i+1]
	d := b.Sub(a)
	l := p.S[i+1] - p.S[i]
	t := (s - p.S[i]) / l
	return a.Add(d.Scale(t)), math.Atan2(d.Y, d.X)
}

// Pose returns the pose at arc length s offset laterally by d (left positive).
func (p Polyline) Pose(s, d float64) geom.Pose2 {
	c, h := p.At(s)
	sin, cos := math.Sincos(h)
	return geom.Pose2{X: c.X - d*sin, Y: c.Y + d*cos, Yaw: h}
}

// Curvature estimates the signed curvature at s from the headings of the neighbouring segments.
func (p Polyline) Curvature(s float64) float64 {
	const ds = 2.0
	_, h0 := p.At(s - ds)
	_, h1 := p.At(s + ds)
	return geom.NormalizeAngle(h1-h0) / (2 * ds)
}

// Project returns the arc length of the closest point to q, the signed lateral offset (left
// of the direction of travel positive) and the distance. Points beyond the ends are projected
// onto the extension of the end segments, so s may be negative or exceed Length.
func (p Polyline) Project(q geom.Vec2) (s, d, dist float64) {
	best := math.Inf(1)
	n := len(p.Pts)
	if n == 1 {
		return 0, 0, q.Sub(p.Pts[0]).Norm()
	}
	for i := 0; i+1 < n; i++ {
		a, b := p.Pts[i], p.Pts[i+1]
		ab := b.Sub(a)
		l := p.S[i+1] - p.S[i]
		t := q.Sub(a).Dot(ab) / (l * l)
		tc := math.Max(0, math.Min(1, t))
		dc := q.Sub(a.Add(ab.Scale(tc))).Norm()
		if dc >= best {
			continue
		}
		best = dc
		dist = dc
		side := ab.Cross(q.Sub(a)) / l
		switch {
		case (i == 0 && t < 0) || (i+2 == n && t > 1):
			// Beyond an end: extend the end segment.
			s, d = p.S[i]+t*l, side
		case t < 0 || t > 1:
			// Outside the corner of a convex bend: the vertex is the closest point.
			s, d = p.S[i]+tc*l, math.Copysign(dc, side)
		default:
			s, d = p.S[i]+t*l, side
		}
	}
	return s, d, dist
}

// ProjectRange is Project restricted to the segments overlapping arc lengths [s0, s1]; it is
// what trackers use with a window around the last known s.
func (p Polyline) ProjectRange(q geom.Vec2, s0, s1 float64) (s, d, dist float64) {
	n := len(p.Pts)
	if n < 3 {
		return p.Project(q)
	}
	i0 := p.segment(s0)
	i1 := p.segment(s1)
	sub := Polyline{Pts: p.Pts[i0 : i1+2], S: p.S[i0 : i1+2]}
	s, d, dist = sub.Project(q)
	// The sub-line's end extensions are only real at the line's own ends.
	if (s < sub.S[0] && i0 > 0) || (s > sub.S[len(sub.S)-1] && i1+2 < n) {
		return p.Project(q)
	}
	return s, d, dist
}
