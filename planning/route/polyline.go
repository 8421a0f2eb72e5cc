package route

import (
	"fmt"
	"math"
	"sort"

	"github.com/avstack/avstack/geom"
)

// Polyline is a piecewise-linear curve with arc length, heading and curvature. Curvature is
// estimated at vertices from the turn between neighbouring segments and interpolated linearly,
// so a densely sampled arc gives its true curvature.
type Polyline struct {
	Pts   []geom.Vec2
	S     []float64
	yaw   []float64 // per segment
	kappa []float64 // per vertex
}

// NewPolyline needs at least two distinct points.
func NewPolyline(pts []geom.Vec2) (*Polyline, error) {
	if len(pts) < 2 {
		return nil, fmt.Errorf("polyline needs >= 2 points, has %d", len(pts))
	}
	p := &Polyline{Pts: pts, S: make([]float64, len(pts)), yaw: make([]float64, len(pts)-1), kappa: make([]float64, len(pts))}
	for i := 1; i < len(pts); i++ {
		seg := pts[i].Sub(pts[i-1])
		n := seg.Norm()
		if !(n > 1e-9) || math.IsNaN(n) || math.IsInf(n, 0) {
			return nil, fmt.Errorf("points %d and %d coincide or are not finite (%v, %v)", i-1, i, pts[i-1], pts[i])
		}
		p.S[i] = p.S[i-1] + n
		p.yaw[i-1] = math.Atan2(seg.Y, seg.X)
	}
	for i := 1; i < len(pts)-1; i++ {
		dyaw := geom.NormalizeAngle(p.yaw[i] - p.yaw[i-1])
		ds := (p.S[i+1] - p.S[i-1]) / 2
		p.kappa[i] = dyaw / ds
	}
	if len(pts) > 2 {
		p.kappa[0], p.kappa[len(pts)-1] = p.kappa[1], p.kappa[len(pts)-2]
	}
	return p, nil
}

// Length is the total arc length.
func (p *Polyline) Length() float64 { return p.S[len(p.S)-1] }

func (p *Polyline) seg(s float64) int {
	i := sort.SearchFloat64s(p.S, s) - 1
	if i < 0 {
		i = 0
	}
	if i > len(p.yaw)-1 {
		i = len(p.yaw) - 1
	}
	return i
}

// Point at arc length s (extrapolated linearly beyond both ends).
func (p *Polyline) Point(s float64) geom.Vec2 {
	i := p.seg(s)
	u := s - p.S[i]
	y := p.yaw[i]
	return p.Pts[i].Add(geom.Vec2{X: u * math.Cos(y), Y: u * math.Sin(y)})
}

// Yaw at s, interpolated between segment headings around vertices so it is continuous.
func (p *Polyline) Yaw(s float64) float64 {
	i := p.seg(s)
	y := p.yaw[i]
	segLen := p.S[i+1] - p.S[i]
	u := (s - p.S[i]) / segLen
	if u < 0.5 && i > 0 {
		prev := p.yaw[i-1]
		return geom.NormalizeAngle(y + geom.NormalizeAngle(prev-y)*(0.5-u))
	}
	if u > 0.5 && i < len(p.yaw)-1 {
		next := p.yaw[i+1]
		return geom.NormalizeAngle(y + geom.NormalizeAngle(next-y)*(u-0.5))
	}
	return y
}

// Curvature at s (1/m, left positive).
func (p *Polyline) Curvature(s float64) float64 {
	if s <= 0 {
		return p.kappa[0]
	}
	if s >= p.Length() {
		return p.kappa[len(p.kappa)-1]
	}
	i := p.seg(s)
	u := (s - p.S[i]) / (p.S[i+1] - p.S[i])
	return p.kappa[i]*(1-u) + p.kappa[i+1]*u
}

// Project returns the arc length of the closest point to q and the signed lateral offset of q
// (left positive). Beyond the ends the first/last segment is extended.
func (p *Polyline) Project(q geom.Vec2) (s, d float64) {
	best := math.Inf(1)
	n := len(p.Pts) - 1
	for i := 0; i < n; i++ {
		a := p.Pts[i]
		dir := geom.Vec2{X: math.Cos(p.yaw[i]), Y: math.Sin(p.yaw[i])}
		segLen := p.S[i+1] - p.S[i]
		rel := q.Sub(a)
		u := rel.Dot(dir)
		uc := u
		if uc < 0 && i > 0 {
			uc = 0
		}
		if uc > segLen && i < n-1 {
			uc = segLen
		}
		foot := a.Add(dir.Scale(uc))
		dist := q.Sub(foot).Norm()
		if dist < best {
			best = dist
			s = p.S[i] + uc
			d = dir.Cross(rel)
			if uc != u { // clamped to a vertex: sign from the cross product, size from the distance
				d = math.Copysign(dist, d)
			}
		}
	}
	return s, d
}

// Frame returns the point, heading and normal (left) at s.
func (p *Polyline) Frame(s float64) (pt geom.Vec2, yaw float64, normal geom.Vec2) {
	pt = p.Point(s)
	yaw = p.Yaw(s)
	return pt, yaw, geom.Vec2{X: -math.Sin(yaw), Y: math.Cos(yaw)}
}

// ToCartesian maps Frenet (s, d) to a point.
func (p *Polyline) ToCartesian(s, d float64) geom.Vec2 {
	pt, _, n := p.Frame(s)
	return pt.Add(n.Scale(d))
}
