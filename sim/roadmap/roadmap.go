package roadmap

import (
	"bytes"
	"container/heap"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"sort"

	"github.com/paulmach/orb"

	"github.com/avstack/avstack/geom"
)

// Lane uses (the "use" property).
const (
	LaneDriving = "driving"
	LaneParking = "parking"
)

// Lane is one lane: a centre line in the direction of travel and its links.
type Lane struct {
	Polyline
	ID         string
	Width      float64
	SpeedLimit float64
	Successors []string
	// Predecessors are filled in from the other lanes' successors.
	Predecessors []string
	Left, Right  string
	Road         string
	// Use is what the lane is for: "driving" (the default) or "parking" (vehicles stand
	// there; drivable area, never a lane-change target).
	Use string
	// bbox of the centre line grown by the width: xmin, ymin, xmax, ymax.
	bbox [4]float64
}

func (l *Lane) setBBox() {
	b := [4]float64{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}
	for _, p := range l.Pts {
		b[0], b[1] = math.Min(b[0], p.X), math.Min(b[1], p.Y)
		b[2], b[3] = math.Max(b[2], p.X), math.Max(b[3], p.Y)
	}
	r := l.Width
	l.bbox = [4]float64{b[0] - r, b[1] - r, b[2] + r, b[3] + r}
}

// Control of a stop line.
const (
	StopSign = "stop_sign"
	Signal   = "signal"
)

// Light is a traffic light's state.
type Light int

// Light states.
const (
	Green Light = iota
	Yellow
	Red
)

func (l Light) String() string { return [...]string{"green", "yellow", "red"}[l] }

// StopLine is where vehicles on a lane stop for a sign or a signal.
type StopLine struct {
	ID      string
	Lane    string
	S       float64
	Control string
	// Signal timing (seconds).
	Cycle, Green, Yellow, Offset float64
	Line                         []geom.Vec2
}

// LightAt returns the signal state at time t (seconds). Stop signs are always Red.
func (sl *StopLine) LightAt(t float64) Light {
	if sl.Control != Signal {
		return Red
	}
	ph := math.Mod(t-sl.Offset, sl.Cycle)
	if ph < 0 {
		ph += sl.Cycle
	}
	switch {
	case ph < sl.Green:
		return Green
	case ph < sl.Green+sl.Yellow:
		return Yellow
	}
	return Red
}

// Crosswalk is a pedestrian crossing area.
type Crosswalk struct {
	ID      string
	Polygon geom.Polygon
}

// Map is a loaded road map.
type Map struct {
	File       string
	Lanes      []*Lane // in file order
	StopLines  []*StopLine
	Crosswalks []*Crosswalk
	byID       map[string]*Lane
}

// Lane returns a lane by id.
func (m *Map) Lane(id string) (*Lane, bool) {
	l, ok := m.byID[id]
	return l, ok
}

// Load reads a GeoJSON map.
func Load(path string) (*Map, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("roadmap: %w", err)
	}
	return Parse(data, path)
}

func ferr(file string, i int, id, format string, args ...any) error {
	name := fmt.Sprintf("features[%d]", i)
	if id != "" {
		name += fmt.Sprintf(" (id %q)", id)
	}
	return fmt.Errorf("roadmap: %s: %s: %s", file, name, fmt.Sprintf(format, args...))
}

// properties are a GeoJSON feature's properties.
type properties map[string]any

// feature is one GeoJSON feature, decoded strictly; geometry is turned into orb types.
type feature struct {
	Type       string          `json:"type"`
	Geometry   json.RawMessage `json:"geometry"`
	Properties properties      `json:"properties"`
	ID         any             `json:"id,omitempty"`
}

type featureCollection struct {
	Type     string    `json:"type"`
	Features []feature `json:"features"`
	BBox     []float64 `json:"bbox,omitempty"`
}

type geometry struct {
	Type        string          `json:"type"`
	Coordinates json.RawMessage `json:"coordinates"`
}

// decodeGeometry turns a GeoJSON LineString or Polygon into orb geometry.
func decodeGeometry(raw json.RawMessage) (orb.Geometry, error) {
	var g geometry
	dec := json.NewDecoder(bytesReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&g); err != nil {
		return nil, fmt.Errorf("geometry: %w", err)
	}
	switch g.Type {
	case "LineString":
		var c [][]float64
		if err := json.Unmarshal(g.Coordinates, &c); err != nil {
			return nil, fmt.Errorf("LineString coordinates: %w", err)
		}
		ls := make(orb.LineString, len(c))
		for i, p := range c {
			if len(p) < 2 {
				return nil, fmt.Errorf("LineString coordinates[%d]: need x and y", i)
			}
			ls[i] = orb.Point{p[0], p[1]}
		}
		return ls, nil
	case "Polygon":
		var c [][][]float64
		if err := json.Unmarshal(g.Coordinates, &c); err != nil {
			return nil, fmt.Errorf("Polygon coordinates: %w", err)
		}
		pg := make(orb.Polygon, len(c))
		for r, ring := range c {
			pg[r] = make(orb.Ring, len(ring))
			for i, p := range ring {
				if len(p) < 2 {
					return nil, fmt.Errorf("Polygon coordinates[%d][%d]: need x and y", r, i)
				}
				pg[r][i] = orb.Point{p[0], p[1]}
			}
		}
		return pg, nil
	}
	return nil, fmt.Errorf("geometry type %q: only LineString and Polygon are used", g.Type)
}

func strProp(p properties, key string) (string, bool, error) {
	v, ok := p[key]
	if !ok || v == nil {
		return "", false, nil
	}
	s, isStr := v.(string)
	if !isStr {
		return "", true, fmt.Errorf("property %q = %v: must be a string", key, v)
	}
	return s, true, nil
}

func numProp(p properties, key string, required bool) (float64, error) {
	v, ok := p[key]
	if !ok || v == nil {
		if required {
			return 0, fmt.Errorf("property %q is missing", key)
		}
		return 0, nil
	}
	f, isNum := v.(float64)
	if !isNum || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, fmt.Errorf("property %q = %v: must be a number", key, v)
	}
	return f, nil
}

func toVecs(ls orb.LineString) []geom.Vec2 {
	out := make([]geom.Vec2, len(ls))
	for i, p := range ls {
		out[i] = geom.Vec2{X: p[0], Y: p[1]}
	}
	return out
}

var laneKeys = map[string]bool{"type": true, "id": true, "width": true, "speed_limit": true, "successors": true, "left": true, "right": true, "road": true, "use": true}
var stopKeys = map[string]bool{"type": true, "id": true, "lane": true, "s": true, "control": true, "cycle_s": true, "green_s": true, "yellow_s": true, "offset_s": true}
var crossKeys = map[string]bool{"type": true, "id": true}

func unknownKey(p properties, allowed map[string]bool) string {
	keys := make([]string, 0, len(p))
	for k := range p {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !allowed[k] {
			return k
		}
	}
	return ""
}

// Parse decodes a GeoJSON map; file is used in error messages.
func Parse(data []byte, file string) (*Map, error) {
	var fc featureCollection
	dec := json.NewDecoder(bytesReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&fc); err != nil {
		return nil, fmt.Errorf("roadmap: %s: not a GeoJSON FeatureCollection: %w", file, err)
	}
	if fc.Type != "FeatureCollection" {
		return nil, fmt.Errorf("roadmap: %s: type = %q: must be FeatureCollection", file, fc.Type)
	}
	m := &Map{File: file, byID: map[string]*Lane{}}
	ids := map[string]int{}
	for i, f := range fc.Features {
		if f.Type != "Feature" {
			return nil, ferr(file, i, "", "type = %q: must be Feature", f.Type)
		}
		geo, err := decodeGeometry(f.Geometry)
		if err != nil {
			return nil, ferr(file, i, "", "%v", err)
		}
		typ, _, err := strProp(f.Properties, "type")
		if err != nil {
			return nil, ferr(file, i, "", "%v", err)
		}
		id, _, err := strProp(f.Properties, "id")
		if err != nil {
			return nil, ferr(file, i, "", "%v", err)
		}
		if id == "" {
			return nil, ferr(file, i, "", "property \"id\" is missing")
		}
		if prev, dup := ids[id]; dup {
			return nil, ferr(file, i, id, "duplicate id (also features[%d])", prev)
		}
		ids[id] = i
		switch typ {
		case "lane":
			if k := unknownKey(f.Properties, laneKeys); k != "" {
				return nil, ferr(file, i, id, "unknown property %q for a lane", k)
			}
			ls, ok := geo.(orb.LineString)
			if !ok || len(ls) < 2 {
				return nil, ferr(file, i, id, "a lane needs a LineString geometry with at least 2 points")
			}
			l := &Lane{ID: id, Polyline: NewPolyline(toVecs(ls))}
			if len(l.Pts) < 2 {
				return nil, ferr(file, i, id, "lane centre line has zero length")
			}
			if l.Width, err = numProp(f.Properties, "width", true); err != nil {
				return nil, ferr(file, i, id, "%v", err)
			}
			if l.Width < 1 || l.Width > 10 {
				return nil, ferr(file, i, id, "property \"width\" = %v: must be 1..10 m", l.Width)
			}
			if l.SpeedLimit, err = numProp(f.Properties, "speed_limit", true); err != nil {
				return nil, ferr(file, i, id, "%v", err)
			}
			if l.SpeedLimit <= 0 || l.SpeedLimit > 60 {
				return nil, ferr(file, i, id, "property \"speed_limit\" = %v: must be in (0, 60] m/s", l.SpeedLimit)
			}
			for _, k := range []struct {
				key string
				dst *string
			}{{"left", &l.Left}, {"right", &l.Right}, {"road", &l.Road}, {"use", &l.Use}} {
				if *k.dst, _, err = strProp(f.Properties, k.key); err != nil {
					return nil, ferr(file, i, id, "%v", err)
				}
			}
			switch l.Use {
			case "":
				l.Use = LaneDriving
			case LaneDriving, LaneParking:
			default:
				return nil, ferr(file, i, id, "property \"use\" = %q: must be %q or %q", l.Use, LaneDriving, LaneParking)
			}
			if v, ok := f.Properties["successors"]; ok && v != nil {
				arr, isArr := v.([]any)
				if !isArr {
					return nil, ferr(file, i, id, "property \"successors\" = %v: must be an array of lane ids", v)
				}
				for _, e := range arr {
					s, isStr := e.(string)
					if !isStr {
						return nil, ferr(file, i, id, "property \"successors\" has %v: must be lane ids (strings)", e)
					}
					l.Successors = append(l.Successors, s)
				}
			}
			l.setBBox()
			m.Lanes = append(m.Lanes, l)
			m.byID[id] = l
		case "stop_line":
			if k := unknownKey(f.Properties, stopKeys); k != "" {
				return nil, ferr(file, i, id, "unknown property %q for a stop_line", k)
			}
			ls, ok := geo.(orb.LineString)
			if !ok || len(ls) < 2 {
				return nil, ferr(file, i, id, "a stop_line needs a LineString geometry")
			}
			sl := &StopLine{ID: id, Line: toVecs(ls)}
			if sl.Lane, _, err = strProp(f.Properties, "lane"); err != nil || sl.Lane == "" {
				return nil, ferr(file, i, id, "property \"lane\" must name a lane")
			}
			if sl.S, err = numProp(f.Properties, "s", true); err != nil {
				return nil, ferr(file, i, id, "%v", err)
			}
			sl.Control, _, _ = strProp(f.Properties, "control")
			switch sl.Control {
			case StopSign:
			case Signal:
				for _, k := range []struct {
					key string
					dst *float64
				}{{"cycle_s", &sl.Cycle}, {"green_s", &sl.Green}, {"yellow_s", &sl.Yellow}, {"offset_s", &sl.Offset}} {
					if *k.dst, err = numProp(f.Properties, k.key, k.key != "offset_s"); err != nil {
						return nil, ferr(file, i, id, "%v", err)
					}
				}
				if sl.Cycle <= 0 || sl.Green < 0 || sl.Yellow < 0 || sl.Green+sl.Yellow > sl.Cycle {
					return nil, ferr(file, i, id, "signal timing cycle_s=%v green_s=%v yellow_s=%v: need cycle_s > 0 and green_s + yellow_s <= cycle_s", sl.Cycle, sl.Green, sl.Yellow)
				}
			default:
				return nil, ferr(file, i, id, "property \"control\" = %q: must be %q or %q", sl.Control, StopSign, Signal)
			}
			m.StopLines = append(m.StopLines, sl)
		case "crosswalk":
			if k := unknownKey(f.Properties, crossKeys); k != "" {
				return nil, ferr(file, i, id, "unknown property %q for a crosswalk", k)
			}
			pg, ok := geo.(orb.Polygon)
			if !ok || len(pg) == 0 || len(pg[0]) < 4 {
				return nil, ferr(file, i, id, "a crosswalk needs a Polygon geometry")
			}
			ring := toVecs(orb.LineString(pg[0]))
			m.Crosswalks = append(m.Crosswalks, &Crosswalk{ID: id, Polygon: geom.Polygon(ring[:len(ring)-1])})
		default:
			return nil, ferr(file, i, id, "property \"type\" = %q: must be lane, stop_line or crosswalk", typ)
		}
	}
	if len(m.Lanes) == 0 {
		return nil, fmt.Errorf("roadmap: %s: no lanes", file)
	}
	for _, l := range m.Lanes {
		for _, s := range l.Successors {
			succ, ok := m.byID[s]
			if !ok {
				return nil, fmt.Errorf("roadmap: %s: lane %q: successor %q is not a lane", file, l.ID, s)
			}
			succ.Predecessors = append(succ.Predecessors, l.ID)
		}
		for _, n := range []string{l.Left, l.Right} {
			if n == "" {
				continue
			}
			if _, ok := m.byID[n]; !ok {
				return nil, fmt.Errorf("roadmap: %s: lane %q: neighbour %q is not a lane", file, l.ID, n)
			}
		}
	}
	for _, sl := range m.StopLines {
		l, ok := m.byID[sl.Lane]
		if !ok {
			return nil, fmt.Errorf("roadmap: %s: stop_line %q: lane %q is not a lane", file, sl.ID, sl.Lane)
		}
		if sl.S < 0 || sl.S > l.Length() {
			return nil, fmt.Errorf("roadmap: %s: stop_line %q: s = %v outside lane %q (length %.1f)", file, sl.ID, sl.S, sl.Lane, l.Length())
		}
	}
	return m, nil
}

// LaneHit is a lane near a point.
type LaneHit struct {
	Lane *Lane
	S, D float64
	// Dist is the distance from the point to the lane's centre line segment.
	Dist float64
}

// Nearest returns the lane whose centre line is closest to p among lanes whose heading at the
// projection is within maxHeading of yaw (maxHeading >= pi disables the heading test). Ties
// go to the lane listed first in the file. ok is false when no lane qualifies.
func (m *Map) Nearest(p geom.Vec2, yaw, maxHeading float64) (LaneHit, bool) {
	best := LaneHit{Dist: math.Inf(1)}
	for _, l := range m.Lanes {
		s, d, dist := l.Project(p)
		if dist >= best.Dist {
			continue
		}
		if maxHeading < math.Pi {
			_, h := l.At(s)
			if math.Abs(geom.NormalizeAngle(h-yaw)) > maxHeading {
				continue
			}
		}
		best = LaneHit{Lane: l, S: s, D: d, Dist: dist}
	}
	return best, best.Lane != nil
}

// OnLane reports whether p lies within the lane's width (and along its length).
func (l *Lane) OnLane(p geom.Vec2) bool {
	if l.bbox != ([4]float64{}) && (p.X < l.bbox[0] || p.Y < l.bbox[1] || p.X > l.bbox[2] || p.Y > l.bbox[3]) {
		return false
	}
	s, d, _ := l.Project(p)
	return s >= -0.01 && s <= l.Length()+0.01 && math.Abs(d) <= l.Width/2
}

// Drivable reports whether p lies on any lane.
func (m *Map) Drivable(p geom.Vec2) bool {
	for _, l := range m.Lanes {
		if l.OnLane(p) {
			return true
		}
	}
	return false
}

// StopLinesOn returns the stop lines of a lane, ordered by s.
func (m *Map) StopLinesOn(lane string) []*StopLine {
	var out []*StopLine
	for _, sl := range m.StopLines {
		if sl.Lane == lane {
			out = append(out, sl)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].S < out[j].S })
	return out
}

// LaneChangePenalty is the route cost (m) of one lane change.
const LaneChangePenalty = 50

type qItem struct {
	id   string
	cost float64
	idx  int
}
type pq []*qItem

func (q pq) Len() int { return len(q) }
func (q pq) Less(i, j int) bool {
	if q[i].cost != q[j].cost {
		return q[i].cost < q[j].cost
	}
	return q[i].idx < q[j].idx
}
func (q pq) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *pq) Push(x any)   { *q = append(*q, x.(*qItem)) }
func (q *pq) Pop() any     { o := *q; it := o[len(o)-1]; *q = o[:len(o)-1]; return it }
func (m *Map) index(id string) int {
	for i, l := range m.Lanes {
		if l.ID == id {
			return i
		}
	}
	return -1
}

// Route finds the cheapest sequence of lanes from one lane to another along successors
// (cost: lane length) and neighbours (cost: LaneChangePenalty). The result starts with from and
// ends with to.
func (m *Map) Route(from, to string) ([]string, error) {
	if _, ok := m.byID[from]; !ok {
		return nil, fmt.Errorf("roadmap: %s: route: no lane %q", m.File, from)
	}
	if _, ok := m.byID[to]; !ok {
		return nil, fmt.Errorf("roadmap: %s: route: no lane %q", m.File, to)
	}
	dist := map[string]float64{from: 0}
	prev := map[string]string{}
	q := &pq{{id: from, cost: 0, idx: m.index(from)}}
	for q.Len() > 0 {
		it := heap.Pop(q).(*qItem)
		if it.cost > dist[it.id] {
			continue
		}
		if it.id == to {
			var out []string
			for id := to; ; id = prev[id] {
				out = append([]string{id}, out...)
				if id == from {
					return out, nil
				}
			}
		}
		l := m.byID[it.id]
		relax := func(n string, c float64) {
			if d, seen := dist[n]; !seen || it.cost+c < d {
				dist[n] = it.cost + c
				prev[n] = it.id
				heap.Push(q, &qItem{id: n, cost: it.cost + c, idx: m.index(n)})
			}
		}
		for _, s := range l.Successors {
			relax(s, l.Length())
		}
		for _, n := range []string{l.Left, l.Right} {
			if n != "" {
				relax(n, LaneChangePenalty)
			}
		}
	}
	return nil, fmt.Errorf("roadmap: %s: no route from lane %q to lane %q", m.File, from, to)
}

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }
