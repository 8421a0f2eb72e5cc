package geom

import "math"

// Box is an oriented 3D box: centre, size along its own x (Length), y (Width), z (Height), and
// yaw about z.
type Box struct {
	X, Y, Z               float64
	Length, Width, Height float64
	Yaw                   float64
}

// Center returns the box centre.
func (b Box) Center() Vec3 { return Vec3{b.X, b.Y, b.Z} }

// Corners2 returns the footprint corners counter-clockwise: front-right, front-left, rear-left,
// rear-right (front = the box's +x).
func (b Box) Corners2() [4]Vec2 {
	hl, hw := b.Length/2, b.Width/2
	p := Pose2{b.X, b.Y, b.Yaw}
	return [4]Vec2{
		p.Apply(Vec2{hl, -hw}),
		p.Apply(Vec2{hl, hw}),
		p.Apply(Vec2{-hl, hw}),
		p.Apply(Vec2{-hl, -hw}),
	}
}

// Corners3 returns the 8 corners: the footprint at the bottom (z - h/2), then at the top.
func (b Box) Corners3() [8]Vec3 {
	c := b.Corners2()
	var out [8]Vec3
	for i := 0; i < 4; i++ {
		out[i] = Vec3{c[i].X, c[i].Y, b.Z - b.Height/2}
		out[i+4] = Vec3{c[i].X, c[i].Y, b.Z + b.Height/2}
	}
	return out
}

// Contains2 reports whether a point lies in the box's footprint.
func (b Box) Contains2(p Vec2) bool {
	q := Pose2{b.X, b.Y, b.Yaw}.Inverse().Apply(p)
	return math.Abs(q.X) <= b.Length/2 && math.Abs(q.Y) <= b.Width/2
}

// Distance2 is the distance from a point to the box's footprint (0 inside).
func (b Box) Distance2(p Vec2) float64 {
	q := Pose2{b.X, b.Y, b.Yaw}.Inverse().Apply(p)
	return math.Hypot(math.Max(math.Abs(q.X)-b.Length/2, 0), math.Max(math.Abs(q.Y)-b.Width/2, 0))
}

// Transform returns the box expressed in the parent of pose p (box given in p's frame).
func (b Box) Transform(p Pose2) Box {
	c := p.Apply(Vec2{b.X, b.Y})
	b.X, b.Y, b.Yaw = c.X, c.Y, NormalizeAngle(b.Yaw+p.Yaw)
	return b
}

// Polygon is a simple polygon, vertices in order.
type Polygon []Vec2

// Area returns the signed area (positive when counter-clockwise).
func (p Polygon) Area() float64 {
	var a float64
	for i := range p {
		j := (i + 1) % len(p)
		a += p[i].Cross(p[j])
	}
	return a / 2
}

// ClipConvex returns the intersection of polygon subject with the convex polygon clip
// (counter-clockwise), by Sutherland-Hodgman.
func ClipConvex(subject, clip Polygon) Polygon {
	out := append(Polygon(nil), subject...)
	for i := range clip {
		if len(out) == 0 {
			break
		}
		a, b := clip[i], clip[(i+1)%len(clip)]
		edge := b.Sub(a)
		in := out
		out = nil
		for j := range in {
			cur, prev := in[j], in[(j+len(in)-1)%len(in)]
			cin := edge.Cross(cur.Sub(a)) >= 0
			pin := edge.Cross(prev.Sub(a)) >= 0
			if cin {
				if !pin {
					out = append(out, intersect(prev, cur, a, b))
				}
				out = append(out, cur)
			} else if pin {
				out = append(out, intersect(prev, cur, a, b))
			}
		}
	}
	return out
}

func intersect(p1, p2, a, b Vec2) Vec2 {
	d := p2.Sub(p1)
	e := b.Sub(a)
	den := d.Cross(e)
	if den == 0 {
		return p1
	}
	t := a.Sub(p1).Cross(e) / den
	return p1.Add(d.Scale(t))
}

// IntersectionBEV is the area of the overlap of two footprints. A box with an empty footprint
// (zero length or width) overlaps nothing.
func IntersectionBEV(a, b Box) float64 {
	if !(a.Length > 0 && a.Width > 0 && b.Length > 0 && b.Width > 0) {
		return 0
	}
	ca, cb := a.Corners2(), b.Corners2()
	inter := ClipConvex(Polygon(ca[:]), Polygon(cb[:]))
	if len(inter) < 3 {
		return 0
	}
	return math.Abs(inter.Area())
}

// IoUBEV is the bird's-eye-view intersection over union of two oriented boxes.
func IoUBEV(a, b Box) float64 {
	inter := IntersectionBEV(a, b)
	if inter <= 0 {
		return 0
	}
	union := a.Length*a.Width + b.Length*b.Width - inter
	if union <= 0 {
		return 0
	}
	return inter / union
}

// IoU3D is the 3D intersection over union of two boxes (yaw-only rotation).
func IoU3D(a, b Box) float64 {
	inter := IntersectionBEV(a, b)
	if inter <= 0 {
		return 0
	}
	zlo := math.Max(a.Z-a.Height/2, b.Z-b.Height/2)
	zhi := math.Min(a.Z+a.Height/2, b.Z+b.Height/2)
	if zhi <= zlo {
		return 0
	}
	iv := inter * (zhi - zlo)
	union := a.Length*a.Width*a.Height + b.Length*b.Width*b.Height - iv
	if union <= 0 {
		return 0
	}
	return iv / union
}

// Rect is an axis-aligned image rectangle in pixels, X1 <= X2, Y1 <= Y2.
type Rect struct{ X1, Y1, X2, Y2 float64 }

// Area returns the rectangle's area (0 if empty).
func (r Rect) Area() float64 {
	if r.X2 <= r.X1 || r.Y2 <= r.Y1 {
		return 0
	}
	return (r.X2 - r.X1) * (r.Y2 - r.Y1)
}

// Intersect returns the overlap of two rectangles (possibly empty).
func (r Rect) Intersect(s Rect) Rect {
	return Rect{math.Max(r.X1, s.X1), math.Max(r.Y1, s.Y1), math.Min(r.X2, s.X2), math.Min(r.Y2, s.Y2)}
}

// IoU returns the intersection over union of two rectangles.
func (r Rect) IoU(s Rect) float64 {
	in := r.Intersect(s).Area()
	if in == 0 {
		return 0
	}
	return in / (r.Area() + s.Area() - in)
}
