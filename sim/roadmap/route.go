package roadmap

import (
	"fmt"
	"math"

	"github.com/avstack/avstack/geom"
)

// RouteSegment says which lane a stretch of a route path follows.
type RouteSegment struct {
	Lane string
	// Arc lengths of the stretch on the route path, and the lane's s at its start.
	From, To, LaneS float64
}

// RoutePath is the reference line of a route with the lanes it follows.
type RoutePath struct {
	Polyline
	Segments []RouteSegment
}

// LaneAt returns the lane the route follows at path arc length s.
func (r *RoutePath) LaneAt(s float64) (lane string, laneS float64) {
	for _, g := range r.Segments {
		if s < g.To || g == r.Segments[len(r.Segments)-1] {
			return g.Lane, g.LaneS + math.Max(0, s-g.From)
		}
	}
	return "", 0
}

// BuildRoutePath joins the centre lines of a route starting at arc length startS of its first
// lane. At a successor link the next lane's centre line follows; at a neighbour link (lane
// change) the line moves across over changeLen metres (shorter if the lane ends sooner),
// starting 10 m after entering the lane.
func (m *Map) BuildRoutePath(route []string, startS, changeLen float64) (*RoutePath, error) {
	if len(route) == 0 {
		return nil, fmt.Errorf("roadmap: %s: empty route", m.File)
	}
	var pts []geom.Vec2
	var segs []RouteSegment
	appendPt := func(p geom.Vec2) {
		if n := len(pts); n > 0 && p.Sub(pts[n-1]).Norm() < 0.05 {
			return
		}
		pts = append(pts, p)
	}
	pathLen := func() float64 {
		l := 0.0
		for i := 1; i < len(pts); i++ {
			l += pts[i].Sub(pts[i-1]).Norm()
		}
		return l
	}
	s := startS
	for i, id := range route {
		l, ok := m.Lane(id)
		if !ok {
			return nil, fmt.Errorf("roadmap: %s: route: no lane %q", m.File, id)
		}
		from := pathLen()
		segStartS := s
		end := l.Length()
		var next *Lane
		change := false
		if i+1 < len(route) {
			next, _ = m.Lane(route[i+1])
			if next == nil {
				return nil, fmt.Errorf("roadmap: %s: route: no lane %q", m.File, route[i+1])
			}
			change = l.Left == next.ID || l.Right == next.ID
			if !change && !contains(l.Successors, next.ID) {
				return nil, fmt.Errorf("roadmap: %s: route: lane %q does not lead to %q", m.File, l.ID, next.ID)
			}
		}
		if change {
			c0 := math.Min(s+10, end)
			cl := math.Min(changeLen, end-c0)
			for u := s; u < c0; u += 1 {
				p, _ := l.At(u)
				appendPt(p)
			}
			var ns float64
			for u := 0.0; u <= cl; u += 1 {
				pa, _ := l.At(c0 + u)
				sb, _, _ := next.Project(pa)
				pb, _ := next.At(sb)
				k := 0.0
				if cl > 0 {
					k = smoothstep(u / cl)
				}
				appendPt(pa.Add(pb.Sub(pa).Scale(k)))
				ns = sb
			}
			segs = append(segs, RouteSegment{Lane: l.ID, From: from, To: pathLen(), LaneS: segStartS})
			s = ns
			continue
		}
		p0, _ := l.At(s)
		appendPt(p0)
		for k, q := range l.Pts {
			if l.S[k] > s {
				appendPt(q)
			}
		}
		segs = append(segs, RouteSegment{Lane: l.ID, From: from, To: pathLen(), LaneS: segStartS})
		s = 0
	}
	if len(pts) < 2 {
		return nil, fmt.Errorf("roadmap: %s: route %v from s = %.1f is empty", m.File, route, startS)
	}
	return &RoutePath{Polyline: NewPolyline(pts), Segments: segs}, nil
}

func smoothstep(x float64) float64 {
	x = math.Max(0, math.Min(1, x))
	return x * x * x * (10 + x*(-15+6*x))
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}
