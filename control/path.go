package control

import (
	"math"

	"github.com/avstack/avstack/geom"
	"github.com/avstack/avstack/msg/av"
)

// Path is a trajectory prepared for tracking: its points with arc length recomputed, zero-length
// segments (standing still) merged.
type Path struct {
	Stamp int64
	pts   []*av.TrajectoryPoint
	geo   []int // indices of points that start a segment of nonzero length
	s     []float64
}

// NewPath prepares a trajectory; nil when it has no points.
func NewPath(t *av.Trajectory) *Path {
	if t == nil || len(t.GetPoints()) == 0 {
		return nil
	}
	p := &Path{Stamp: t.GetHeader().GetStampNs(), pts: t.GetPoints()}
	acc := 0.0
	for i, q := range p.pts {
		if i > 0 {
			prev := p.pts[p.geo[len(p.geo)-1]]
			d := math.Hypot(q.GetX()-prev.GetX(), q.GetY()-prev.GetY())
			if d < 0.05 {
				continue
			}
			acc += d
		}
		p.geo = append(p.geo, i)
		p.s = append(p.s, acc)
	}
	return p
}

// Length of the geometric path.
func (p *Path) Length() float64 { return p.s[len(p.s)-1] }

// Project returns the arc length of the point of the path nearest q, the signed lateral error of
// q (left of the path positive), and the path's heading and curvature there. A path of one
// geometric point uses that point's heading.
func (p *Path) Project(q geom.Vec2) (s, ey, yaw, kappa float64) {
	if len(p.geo) == 1 {
		a := p.pts[p.geo[0]]
		dir := geom.Vec2{X: math.Cos(a.GetYaw()), Y: math.Sin(a.GetYaw())}
		rel := q.Sub(geom.Vec2{X: a.GetX(), Y: a.GetY()})
		return 0, dir.Cross(rel), a.GetYaw(), a.GetCurvature()
	}
	best := math.Inf(1)
	n := len(p.geo) - 1
	for k := 0; k < n; k++ {
		a, b := p.pts[p.geo[k]], p.pts[p.geo[k+1]]
		av := geom.Vec2{X: a.GetX(), Y: a.GetY()}
		seg := geom.Vec2{X: b.GetX(), Y: b.GetY()}.Sub(av)
		l := seg.Norm()
		dir := seg.Scale(1 / l)
		rel := q.Sub(av)
		u := rel.Dot(dir)
		uc := u
		if uc < 0 && k > 0 {
			uc = 0
		}
		if uc > l && k < n-1 {
			uc = l
		}
		dist := q.Sub(av.Add(dir.Scale(uc))).Norm()
		if dist < best {
			best = dist
			f := math.Max(0, math.Min(1, uc/l))
			s = p.s[k] + uc
			ey = dir.Cross(rel)
			if uc != u {
				ey = math.Copysign(dist, ey)
			}
			yaw = math.Atan2(seg.Y, seg.X)
			kappa = a.GetCurvature()*(1-f) + b.GetCurvature()*f
		}
	}
	return s, ey, yaw, kappa
}

// PointAt returns the path position at arc length s; beyond either end it goes on straight
// along the end point's heading (the planner's yaw, not the direction of the last short
// segment: a stopping trajectory ends in points centimetres apart whose direction is noise).
func (p *Path) PointAt(s float64) geom.Vec2 {
	q, _ := p.PoseAt(s)
	return q
}

// PoseAt returns the path position and heading at arc length s (see PointAt for the ends).
func (p *Path) PoseAt(s float64) (geom.Vec2, float64) {
	last := len(p.s) - 1
	if s <= 0 || last == 0 || s >= p.s[last] {
		i, ds := 0, s
		if s > 0 {
			i, ds = last, s-p.s[last]
		}
		a := p.pts[p.geo[i]]
		yaw := a.GetYaw()
		return geom.Vec2{X: a.GetX() + ds*math.Cos(yaw), Y: a.GetY() + ds*math.Sin(yaw)}, yaw
	}
	k := last - 1
	for i := 1; i < len(p.s); i++ {
		if p.s[i] >= s {
			k = i - 1
			break
		}
	}
	a, b := p.pts[p.geo[k]], p.pts[p.geo[k+1]]
	u := (s - p.s[k]) / (p.s[k+1] - p.s[k])
	yaw := a.GetYaw() + u*geom.NormalizeAngle(b.GetYaw()-a.GetYaw())
	return geom.Vec2{X: a.GetX() + u*(b.GetX()-a.GetX()), Y: a.GetY() + u*(b.GetY()-a.GetY())}, geom.NormalizeAngle(yaw)
}

// AtTime interpolates speed, acceleration and arc length (along the trajectory's own s) at t
// seconds after the trajectory's stamp; held at the ends.
func (p *Path) AtTime(t float64) (v, a, s float64) {
	pts := p.pts
	if t <= pts[0].GetT() {
		return pts[0].GetV(), pts[0].GetA(), pts[0].GetS()
	}
	for i := 1; i < len(pts); i++ {
		if pts[i].GetT() >= t {
			x, y := pts[i-1], pts[i]
			u := (t - x.GetT()) / (y.GetT() - x.GetT())
			return x.GetV() + u*(y.GetV()-x.GetV()), x.GetA() + u*(y.GetA()-x.GetA()), x.GetS() + u*(y.GetS()-x.GetS())
		}
	}
	l := pts[len(pts)-1]
	return l.GetV(), 0, l.GetS()
}

// Horizon is the time of the last point.
func (p *Path) Horizon() float64 { return p.pts[len(p.pts)-1].GetT() }
