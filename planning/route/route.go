package route

import (
	"fmt"
	"math"
	"sort"

	"github.com/avstack/avstack/geom"
	"github.com/avstack/avstack/msg/av"
)

// Lane is one lane: centre line in driving direction, width, limit and links.
type Lane struct {
	ID         string
	Line       *Polyline
	Width      float64
	SpeedLimit float64
	Left       string
	Right      string
	Successors []string
	// Parking lanes are drivable area but never a lane to drive along or change into.
	Parking bool
}

// StopLine is a stop line placed on the route's reference line.
type StopLine struct {
	S      float64
	Kind   string
	Active bool
	LaneID string
}

// Crosswalk is a crossing polygon and the span of the reference line it covers.
type Crosswalk struct {
	ID      string
	Polygon geom.Polygon
	S0, S1  float64
}

// Route is the planner's view of the map: the lanes, the reference line made of the route lanes'
// centre lines, and the stop lines, crosswalks and goal placed on it.
type Route struct {
	Map        string
	Lanes      map[string]*Lane
	Path       []string
	Ref        *Polyline
	laneStart  []float64 // reference s of each route lane's s = 0 (stop lines, goal)
	laneFrom   []float64 // reference s where each route lane begins to be followed
	blends     [][2]float64
	StopLines  []StopLine
	Crosswalks []Crosswalk
	GoalS      float64
	StopAtGoal bool
}

// FromMsg builds a Route from its message, checking every reference. The reference line starts
// at the beginning of the first route lane.
func FromMsg(m *av.Route) (*Route, error) { return FromMsgAt(m, nil) }

// FromMsgAt builds a Route whose reference line starts near start (projected onto the first
// route lane, 10 m behind it), so that lane changes inside the route begin 10 m after the ego
// enters the lane, as the simulator's route path does.
func FromMsgAt(m *av.Route, start *geom.Vec2) (*Route, error) {
	if m == nil {
		return nil, fmt.Errorf("route: nil message")
	}
	r := &Route{Map: m.GetMap(), Lanes: map[string]*Lane{}, StopAtGoal: m.GetStopAtGoal()}
	for i, l := range m.GetLanes() {
		if l.GetId() == "" {
			return nil, fmt.Errorf("route: lanes[%d].id: empty", i)
		}
		if _, dup := r.Lanes[l.GetId()]; dup {
			return nil, fmt.Errorf("route: lanes[%d].id %q: duplicate", i, l.GetId())
		}
		if !(l.GetWidth() > 0 && l.GetWidth() < 20) {
			return nil, fmt.Errorf("route: lane %q: width %g: want (0, 20) m", l.GetId(), l.GetWidth())
		}
		if l.GetSpeedLimit() < 0 || math.IsNaN(l.GetSpeedLimit()) {
			return nil, fmt.Errorf("route: lane %q: speed_limit %g: want >= 0", l.GetId(), l.GetSpeedLimit())
		}
		pts := make([]geom.Vec2, len(l.GetCentre()))
		for j, p := range l.GetCentre() {
			pts[j] = geom.Vec2{X: p.GetX(), Y: p.GetY()}
		}
		line, err := NewPolyline(dedup(pts))
		if err != nil {
			return nil, fmt.Errorf("route: lane %q: centre: %w", l.GetId(), err)
		}
		r.Lanes[l.GetId()] = &Lane{ID: l.GetId(), Line: line, Width: l.GetWidth(), SpeedLimit: l.GetSpeedLimit(),
			Left: l.GetLeftId(), Right: l.GetRightId(), Successors: l.GetSuccessorIds(), Parking: l.GetUse() == av.LaneUse_LANE_USE_PARKING}
	}
	for _, ln := range r.Lanes {
		for _, ref := range append([]string{ln.Left, ln.Right}, ln.Successors...) {
			if ref != "" && r.Lanes[ref] == nil {
				return nil, fmt.Errorf("route: lane %q: links to unknown lane %q", ln.ID, ref)
			}
		}
	}
	if len(m.GetRouteLaneIds()) == 0 {
		return nil, fmt.Errorf("route: route_lane_ids: empty")
	}
	var pts []geom.Vec2
	entry := 0.0 // arc length along the current lane where the ego enters it (lane changes start 10 m later)
	for i, id := range m.GetRouteLaneIds() {
		ln := r.Lanes[id]
		if ln == nil {
			return nil, fmt.Errorf("route: route_lane_ids[%d]: unknown lane %q", i, id)
		}
		r.Path = append(r.Path, id)
		if len(pts) == 0 {
			if start != nil {
				s0, _ := ln.Line.Project(*start)
				entry = math.Max(0, math.Min(s0, ln.Line.Length()-1))
			}
			from := math.Max(0, entry-10) // the reference starts 10 m behind the ego
			r.laneStart = append(r.laneStart, -from)
			r.laneFrom = append(r.laneFrom, math.Inf(-1))
			pts = append(pts, ln.Line.Point(from))
			for k, p := range ln.Line.Pts {
				if ln.Line.S[k] > from+0.05 {
					pts = append(pts, p)
				}
			}
			continue
		}
		prev := r.Lanes[r.Path[len(r.Path)-2]]
		if prev.Left == id || prev.Right == id {
			// A lane change inside the route: 10 m after entering the previous lane, blend over
			// to the neighbour (over up to 60 m), so the reference line itself changes lanes.
			blendFrom := polyLen(pts) - prev.Line.Length() + math.Min(entry+10, prev.Line.Length())
			joined, startS, endB := blendInto(pts, prev, ln, entry)
			pts = joined
			r.laneStart = append(r.laneStart, startS)
			blendTo := startS + endB
			r.laneFrom = append(r.laneFrom, blendTo)
			r.blends = append(r.blends, [2]float64{blendFrom, blendTo})
			entry = endB
			continue
		}
		last := pts[len(pts)-1]
		if gap := last.Sub(ln.Line.Pts[0]).Norm(); gap > 2.0 {
			return nil, fmt.Errorf("route: route_lane_ids[%d] %q starts %.1f m from the end of the previous lane and is not its neighbour", i, id, gap)
		}
		r.laneStart = append(r.laneStart, polyLen(pts))
		r.laneFrom = append(r.laneFrom, polyLen(pts))
		pts = append(pts, ln.Line.Pts[1:]...)
		entry = 0
	}
	ref, err := NewPolyline(dedup(pts))
	if err != nil {
		return nil, fmt.Errorf("route: reference line: %w", err)
	}
	r.Ref = ref
	r.GoalS = m.GetGoalS()
	if id := m.GetGoalLaneId(); id != "" {
		k := -1
		for i, p := range r.Path {
			if p == id {
				k = i // the last occurrence
			}
		}
		if k < 0 {
			return nil, fmt.Errorf("route: goal_lane_id %q: not on the route %v", id, r.Path)
		}
		r.GoalS = r.laneStart[k] + m.GetGoalLaneS()
	}
	if r.GoalS <= 0 || r.GoalS > ref.Length() {
		r.GoalS = ref.Length()
	}
	for i, sl := range m.GetStopLines() {
		k := r.routeIndex(sl.GetLaneId())
		if k < 0 {
			continue // a stop line on a lane off the route does not concern the ego
		}
		ln := r.Lanes[sl.GetLaneId()]
		if sl.GetS() < 0 || sl.GetS() > ln.Line.Length()+0.5 {
			return nil, fmt.Errorf("route: stop_lines[%d].s %g: outside lane %q (length %.1f)", i, sl.GetS(), ln.ID, ln.Line.Length())
		}
		r.StopLines = append(r.StopLines, StopLine{S: r.laneStart[k] + sl.GetS(), Kind: sl.GetKind(), Active: sl.GetActive() || !isSignal(sl.GetKind()), LaneID: ln.ID})
	}
	sort.Slice(r.StopLines, func(i, j int) bool { return r.StopLines[i].S < r.StopLines[j].S })
	for i, cw := range m.GetCrosswalks() {
		if len(cw.GetPolygon()) < 3 {
			return nil, fmt.Errorf("route: crosswalks[%d] %q: polygon needs >= 3 points, has %d", i, cw.GetId(), len(cw.GetPolygon()))
		}
		poly := make(geom.Polygon, len(cw.GetPolygon()))
		s0, s1 := math.Inf(1), math.Inf(-1)
		for j, p := range cw.GetPolygon() {
			poly[j] = geom.Vec2{X: p.GetX(), Y: p.GetY()}
			s, d := ref.Project(poly[j])
			if math.Abs(d) < 30 {
				s0, s1 = math.Min(s0, s), math.Max(s1, s)
			}
		}
		if s0 > s1 {
			continue // far from the route
		}
		r.Crosswalks = append(r.Crosswalks, Crosswalk{ID: cw.GetId(), Polygon: poly, S0: s0, S1: s1})
	}
	return r, nil
}

func polyLen(pts []geom.Vec2) float64 {
	l := 0.0
	for i := 1; i < len(pts); i++ {
		l += pts[i].Sub(pts[i-1]).Norm()
	}
	return l
}

// blendInto ends the reference (pts, whose tail is lane a entered at arc length entry) 10 m
// after the entry and blends it over to the neighbour lane b with a smoothstep over up to 60 m,
// continuing along b to its end. It returns the new points, the reference arc length where b's
// share begins (the start of the blend, as b's s of that point is about the same) minus b's s
// there, and b's arc length at the end of the blend.
func blendInto(pts []geom.Vec2, a, b *Lane, entry float64) ([]geom.Vec2, float64, float64) {
	la := a.Line.Length()
	aStart := polyLen(pts) - la // reference s of a's s = 0 (pts ends with a's tail)
	c0 := math.Min(entry+10, la)
	cl := math.Min(60, la-c0)
	var out []geom.Vec2
	acc := 0.0
	for i, p := range pts {
		if i > 0 {
			acc += p.Sub(pts[i-1]).Norm()
		}
		if acc > aStart+c0 {
			break
		}
		out = append(out, p)
	}
	out = append(out, a.Line.Point(c0))
	blendStart := polyLen(dedup(out))
	const step = 1.0
	endB := 0.0
	for u := 0.0; u <= cl+1e-9; u += step {
		pa := a.Line.Point(c0 + u)
		sb, _ := b.Line.Project(pa)
		pb := b.Line.Point(sb)
		w := 1.0
		if cl > 0 {
			x := u / cl
			w = x * x * x * (10 + x*(-15+6*x))
		}
		out = append(out, pa.Scale(1-w).Add(pb.Scale(w)))
		endB = sb
	}
	if cl <= 0 {
		sb, _ := b.Line.Project(a.Line.Point(c0))
		out = append(out, b.Line.Point(sb))
		endB = sb
	}
	for i, p := range b.Line.Pts {
		if b.Line.S[i] > endB+0.5 {
			out = append(out, p)
		}
	}
	sb0, _ := b.Line.Project(a.Line.Point(c0))
	return dedup(out), blendStart - sb0, endB
}

func dedup(pts []geom.Vec2) []geom.Vec2 {
	out := pts[:0:0]
	for _, p := range pts {
		if len(out) > 0 && p.Sub(out[len(out)-1]).Norm() < 1e-6 {
			continue
		}
		out = append(out, p)
	}
	return out
}

func (r *Route) routeIndex(id string) int {
	for i, p := range r.Path {
		if p == id {
			return i
		}
	}
	return -1
}

// LaneAt returns the route lane under arc length s of the reference line.
func (r *Route) LaneAt(s float64) *Lane {
	k := sort.SearchFloat64s(r.laneFrom, s+1e-9) - 1
	if k < 0 {
		k = 0
	}
	return r.Lanes[r.Path[k]]
}

// SpeedLimit at s (0 = none).
func (r *Route) SpeedLimit(s float64) float64 { return r.LaneAt(s).SpeedLimit }

// LaneOffsets returns the lateral offsets (left positive) of the centres of the lanes beside the
// route lane at s, the route lane itself at 0, sorted right to left, assuming neighbour lanes run
// parallel and adjacent. It follows neighbour chains (left of left ...).
func (r *Route) LaneOffsets(s float64) []float64 {
	offs, _ := r.LanesAt(s)
	return offs
}

// LanesAt returns LaneOffsets and, for each, how far (along the lane, m) the lane still goes on
// from s, following first successors; +Inf beyond 500 m.
func (r *Route) LanesAt(s float64) (offsets, remaining []float64) {
	if r.InBlend(s) {
		return []float64{0}, []float64{math.Inf(1)} // the reference itself is changing lanes: follow it
	}
	ln := r.LaneAt(s)
	p := r.Ref.Point(s)
	type lo struct{ d, rem float64 }
	out := []lo{{0, r.remaining(ln, p)}}
	for _, side := range [2]int{1, -1} {
		d, cur := 0.0, ln
		for seen := 0; seen < 8; seen++ {
			id := cur.Left
			if side < 0 {
				id = cur.Right
			}
			if id == "" {
				break
			}
			nb := r.Lanes[id]
			if nb.Parking {
				break // a parking lane is never a lane to change into
			}
			d += float64(side) * (cur.Width + nb.Width) / 2
			out = append(out, lo{d, r.remaining(nb, p)})
			cur = nb
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].d < out[j].d })
	for _, o := range out {
		offsets = append(offsets, o.d)
		remaining = append(remaining, o.rem)
	}
	return offsets, remaining
}

// remaining is the length of lane ln (and its first successors) ahead of the point nearest p.
func (r *Route) remaining(ln *Lane, p geom.Vec2) float64 {
	ls, _ := ln.Line.Project(p)
	rem := ln.Line.Length() - ls
	for seen := 0; rem < 500 && len(ln.Successors) > 0 && seen < 20; seen++ {
		ln = r.Lanes[ln.Successors[0]]
		rem += ln.Line.Length()
	}
	if rem >= 500 {
		return math.Inf(1)
	}
	return rem
}

// InBlend reports whether s lies where the reference line moves across to a neighbour lane
// (a lane change the route requires).
func (r *Route) InBlend(s float64) bool {
	for _, b := range r.blends {
		if s >= b[0] && s <= b[1] {
			return true
		}
	}
	return false
}

// LaneWidth of the route lane at s.
func (r *Route) LaneWidth(s float64) float64 { return r.LaneAt(s).Width }

// NearestLane finds the lane whose centre passes closest to p with a direction within maxAngle of
// yaw (any direction when maxAngle >= pi). It returns nil when none is within maxDist.
func (r *Route) NearestLane(p geom.Vec2, yaw, maxDist, maxAngle float64) (ln *Lane, s, d float64) {
	best := math.Inf(1)
	ids := make([]string, 0, len(r.Lanes))
	for id := range r.Lanes {
		ids = append(ids, id)
	}
	sort.Strings(ids) // deterministic ties
	for _, id := range ids {
		l := r.Lanes[id]
		ls, ld := l.Line.Project(p)
		if ls < -1 || ls > l.Line.Length()+1 || math.Abs(ld) > maxDist {
			continue
		}
		if maxAngle < math.Pi && math.Abs(geom.NormalizeAngle(l.Line.Yaw(ls)-yaw)) > maxAngle {
			continue
		}
		if math.Abs(ld) < best {
			best, ln, s, d = math.Abs(ld), l, ls, ld
		}
	}
	return ln, s, d
}

func isSignal(kind string) bool { return kind == "traffic_light" || kind == "signal" }
