package lidar

import (
	"math"

	"github.com/avstack/avstack/geom"
)

// Rect is an oriented rectangle in the ground plane: centre, extent along the heading (Length)
// and across it (Width).
type Rect struct {
	X, Y, Length, Width, Yaw float64
}

// FitRect fits an oriented rectangle to 2D points by L-shape fitting: it scores headings in
// [0, pi/2) by how closely the points hug the two nearest edges of the bounding rectangle at that
// heading (closeness criterion, Zhang et al. 2017) and keeps the best. The search is coarse to
// fine: every 5 degrees, then at step around the best coarse heading; FitRectExhaustive is the
// plain search at step over the whole quarter turn that it is tested against. One or two points
// give an axis-aligned rectangle. xy holds x0, y0, x1, y1, ...
func FitRect(xy []float64, step float64) Rect {
	n := len(xy) / 2
	if n == 0 {
		return Rect{}
	}
	if n < 3 {
		return boundsAt(xy, 0)
	}
	coarse := math.Pi / 36
	if step >= coarse {
		return FitRectExhaustive(xy, step)
	}
	best, bestTheta := math.Inf(-1), 0.0
	for theta := 0.0; theta < math.Pi/2; theta += coarse {
		if s := closeness(xy, theta); s > best {
			best, bestTheta = s, theta
		}
	}
	center := bestTheta
	for theta := center - coarse + step; theta < center+coarse; theta += step {
		if s := closeness(xy, theta); s > best {
			best, bestTheta = s, theta
		}
	}
	return boundsAt(xy, bestTheta)
}

// FitRectExhaustive is the reference L-shape fit: every heading in [0, pi/2) at step.
func FitRectExhaustive(xy []float64, step float64) Rect {
	if len(xy)/2 < 3 {
		return boundsAt(xy, 0)
	}
	best, bestTheta := math.Inf(-1), 0.0
	for theta := 0.0; theta < math.Pi/2; theta += step {
		if s := closeness(xy, theta); s > best {
			best, bestTheta = s, theta
		}
	}
	return boundsAt(xy, bestTheta)
}

// closeness is the L-shape criterion at heading theta: the sum over points of the inverse
// distance to the nearest edge of the bounding rectangle (floored at 1 cm).
func closeness(xy []float64, theta float64) float64 {
	const d0 = 0.01
	c, s := math.Cos(theta), math.Sin(theta)
	min1, max1, min2, max2 := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for i := 0; i+1 < len(xy); i += 2 {
		x, y := xy[i], xy[i+1]
		a, b := x*c+y*s, -x*s+y*c
		min1, max1 = math.Min(min1, a), math.Max(max1, a)
		min2, max2 = math.Min(min2, b), math.Max(max2, b)
	}
	score := 0.0
	for i := 0; i+1 < len(xy); i += 2 {
		x, y := xy[i], xy[i+1]
		a, b := x*c+y*s, -x*s+y*c
		d := math.Min(math.Min(a-min1, max1-a), math.Min(b-min2, max2-b))
		score += 1 / math.Max(d, d0)
	}
	return score
}

// boundsAt is the bounding rectangle of the points along heading theta.
func boundsAt(xy []float64, theta float64) Rect {
	c, s := math.Cos(theta), math.Sin(theta)
	min1, max1, min2, max2 := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for i := 0; i+1 < len(xy); i += 2 {
		a, b := xy[i]*c+xy[i+1]*s, -xy[i]*s+xy[i+1]*c
		min1, max1 = math.Min(min1, a), math.Max(max1, a)
		min2, max2 = math.Min(min2, b), math.Max(max2, b)
	}
	ca, cb := (min1+max1)/2, (min2+max2)/2
	return Rect{X: ca*c - cb*s, Y: ca*s + cb*c, Length: max1 - min1, Width: max2 - min2, Yaw: theta}
}

// axes returns the rectangle's unit axes and its interval along each, relative to the origin.
func (r Rect) axes() (e1, e2 geom.Vec2, lo1, hi1, lo2, hi2 float64) {
	c, s := math.Cos(r.Yaw), math.Sin(r.Yaw)
	e1, e2 = geom.Vec2{X: c, Y: s}, geom.Vec2{X: -s, Y: c}
	p := geom.Vec2{X: r.X, Y: r.Y}
	m1, m2 := p.Dot(e1), p.Dot(e2)
	return e1, e2, m1 - r.Length/2, m1 + r.Length/2, m2 - r.Width/2, m2 + r.Width/2
}

// Complete grows a rectangle that a lidar saw only partly to at least length x width, keeping
// the faces nearest the sensor fixed and extending away from it. The length axis is the
// rectangle's longer side when that is longer than width-prior-plus-margin (a side of the vehicle
// is visible); otherwise it is the axis closer to the viewing ray (only the rear or front face
// was seen). The result has Length along Yaw.
func Complete(r Rect, sensor geom.Vec2, length, width float64) Rect {
	e1, e2, lo1, hi1, lo2, hi2 := r.axes()
	ext1, ext2 := hi1-lo1, hi2-lo2
	var lengthOnFirst bool
	switch {
	case math.Max(ext1, ext2) > width+0.6:
		lengthOnFirst = ext1 >= ext2
	default:
		// One short face seen. Looked at head-on it is a rear or front face and the vehicle
		// extends along the ray; seen obliquely (more than 25 degrees off its normal) a rear face
		// would have shown the adjacent side too, so it is taken for a partly seen side.
		face, normal := e1, e2
		if ext2 > ext1 {
			face, normal = e2, e1
		}
		ray := geom.Vec2{X: r.X - sensor.X, Y: r.Y - sensor.Y}
		ray = ray.Scale(1 / math.Max(ray.Norm(), 1e-9))
		side := math.Abs(ray.Dot(normal)) < math.Cos(25*math.Pi/180)
		lengthOnFirst = (face == e1) == side
	}
	grow := func(lo, hi, s, want float64) (float64, float64) {
		if hi-lo >= want {
			return lo, hi
		}
		if s <= (lo+hi)/2 { // sensor on the low side: the low face was seen, grow upwards
			return lo, lo + want
		}
		return hi - want, hi
	}
	s1, s2 := sensor.Dot(e1), sensor.Dot(e2)
	if lengthOnFirst {
		lo1, hi1 = grow(lo1, hi1, s1, length)
		lo2, hi2 = grow(lo2, hi2, s2, width)
	} else {
		lo1, hi1 = grow(lo1, hi1, s1, width)
		lo2, hi2 = grow(lo2, hi2, s2, length)
	}
	c1, c2 := (lo1+hi1)/2, (lo2+hi2)/2
	ctr := e1.Scale(c1).Add(e2.Scale(c2))
	out := Rect{X: ctr.X, Y: ctr.Y, Length: hi1 - lo1, Width: hi2 - lo2, Yaw: r.Yaw}
	if !lengthOnFirst {
		out.Length, out.Width, out.Yaw = out.Width, out.Length, r.Yaw+math.Pi/2
	}
	out.Yaw = geom.NormalizeAngle(out.Yaw)
	return out
}
