package render

import (
	"math"

	"github.com/avstack/avstack/geom"
	"github.com/avstack/avstack/sim/roadmap"
)

const (
	markWidth = 0.15
	dashLen   = 3.0
	dashGap   = 6.0
)

func mkPoly(pts []geom.Vec2, c [3]uint8, layer int) groundPoly {
	g := groundPoly{color: c, layer: layer}
	for _, p := range pts {
		g.pts = append(g.pts, geom.Vec3{X: p.X, Y: p.Y, Z: 0})
		g.centre = g.centre.Add(p)
	}
	g.centre = g.centre.Scale(1 / float64(len(pts)))
	for _, p := range pts {
		g.radius = math.Max(g.radius, p.Sub(g.centre).Norm())
	}
	return g
}

// strip returns quads covering lateral offsets [d0, d1] of a polyline between arc lengths
// s0 and s1, split at the polyline's vertices and at most every maxLen metres.
func strip(pl roadmap.Polyline, s0, s1, d0, d1, maxLen float64) [][]geom.Vec2 {
	var cuts []float64
	cuts = append(cuts, s0)
	for _, s := range pl.S {
		if s > s0 && s < s1 {
			cuts = append(cuts, s)
		}
	}
	cuts = append(cuts, s1)
	var out [][]geom.Vec2
	for i := 0; i+1 < len(cuts); i++ {
		a, b := cuts[i], cuts[i+1]
		n := int(math.Ceil((b - a) / maxLen))
		for k := 0; k < n; k++ {
			u0 := a + (b-a)*float64(k)/float64(n)
			u1 := a + (b-a)*float64(k+1)/float64(n)
			p0, p1 := pl.Pose(u0, d0), pl.Pose(u1, d0)
			q0, q1 := pl.Pose(u0, d1), pl.Pose(u1, d1)
			out = append(out, []geom.Vec2{{X: p0.X, Y: p0.Y}, {X: p1.X, Y: p1.Y}, {X: q1.X, Y: q1.Y}, {X: q0.X, Y: q0.Y}})
		}
	}
	return out
}

// buildGround turns the map into ground polygons: asphalt per lane, then lane markings (solid
// white at road edges, dashed white between lanes of the same direction; none inside
// junctions), stop lines and zebra crosswalks.
func buildGround(m *roadmap.Map) []groundPoly {
	var out []groundPoly
	for _, l := range m.Lanes {
		for _, q := range strip(l.Polyline, 0, l.Length(), -l.Width/2-0.02, l.Width/2+0.02, 20) {
			out = append(out, mkPoly(q, Asphalt, 0))
		}
	}
	for _, l := range m.Lanes {
		if l.Road == "junction" {
			continue
		}
		hw := l.Width / 2
		// Left edge: dashed towards a same-direction neighbour, else solid.
		if l.Left != "" {
			for s := 0.0; s < l.Length(); s += dashLen + dashGap {
				for _, q := range strip(l.Polyline, s, math.Min(s+dashLen, l.Length()), hw-markWidth/2, hw+markWidth/2, 5) {
					out = append(out, mkPoly(q, Marking, 1))
				}
			}
		} else {
			// Centred on the edge: a two-way road's lanes share this line.
			for _, q := range strip(l.Polyline, 0, l.Length(), hw-markWidth/2, hw+markWidth/2, 10) {
				out = append(out, mkPoly(q, Marking, 1))
			}
		}
		if l.Right == "" {
			for _, q := range strip(l.Polyline, 0, l.Length(), -hw, -hw+markWidth, 10) {
				out = append(out, mkPoly(q, Marking, 1))
			}
		}
	}
	for _, sl := range m.StopLines {
		l, ok := m.Lane(sl.Lane)
		if !ok {
			continue
		}
		for _, q := range strip(l.Polyline, sl.S-0.4, sl.S, -l.Width/2, l.Width/2, 5) {
			out = append(out, mkPoly(q, Marking, 2))
		}
	}
	for _, cw := range m.Crosswalks {
		out = append(out, zebra(cw.Polygon)...)
	}
	return out
}

// zebra fills a crosswalk quadrilateral with stripes 0.5 m wide, 0.5 m apart, parallel to its
// longer side.
func zebra(p geom.Polygon) []groundPoly {
	if len(p) != 4 {
		return []groundPoly{mkPoly(p, Marking, 2)}
	}
	a, b, c, d := p[0], p[1], p[2], p[3]
	// Stripes are spaced along the longer side (across the road).
	if b.Sub(a).Norm() < d.Sub(a).Norm() {
		a, b, c, d = b, c, d, a
	}
	width := b.Sub(a).Norm()
	var out []groundPoly
	for x := 0.25; x+0.5 <= width; x += 1.0 {
		t0, t1 := x/width, (x+0.5)/width
		p0 := a.Add(b.Sub(a).Scale(t0))
		p1 := a.Add(b.Sub(a).Scale(t1))
		q0 := d.Add(c.Sub(d).Scale(t0))
		q1 := d.Add(c.Sub(d).Scale(t1))
		out = append(out, mkPoly([]geom.Vec2{p0, p1, q1, q0}, Marking, 2))
	}
	return out
}
