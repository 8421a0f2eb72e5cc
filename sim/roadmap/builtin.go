package roadmap

import (
	"bytes"
	"encoding/json"
	"math"
	"sort"

	"github.com/avstack/avstack/geom"
)

// Builder assembles a map and writes it as GeoJSON. The maps of configs/maps are built with it
// (BuiltinMaps), so they can be regenerated and checked.
type Builder struct {
	features []map[string]any
}

func round3(v float64) float64 { return math.Round(v*1000) / 1000 }

func coords(pts []geom.Vec2) [][]float64 {
	out := make([][]float64, len(pts))
	for i, p := range pts {
		out[i] = []float64{round3(p.X), round3(p.Y)}
	}
	return out
}

// LaneSpec describes a lane for the builder.
type LaneSpec struct {
	ID          string
	Pts         []geom.Vec2
	Width       float64
	SpeedLimit  float64
	Successors  []string
	Left, Right string
	Road        string
	Use         string // "" = driving
}

// Lane adds a lane.
func (b *Builder) Lane(l LaneSpec) {
	props := map[string]any{"type": "lane", "id": l.ID, "width": l.Width, "speed_limit": l.SpeedLimit,
		"successors": append([]string{}, l.Successors...)}
	if l.Left != "" {
		props["left"] = l.Left
	}
	if l.Right != "" {
		props["right"] = l.Right
	}
	if l.Road != "" {
		props["road"] = l.Road
	}
	if l.Use != "" {
		props["use"] = l.Use
	}
	b.features = append(b.features, map[string]any{"type": "Feature", "properties": props,
		"geometry": map[string]any{"type": "LineString", "coordinates": coords(l.Pts)}})
}

// StopLine adds a stop line across lane at arc length s; timing is used for signals.
func (b *Builder) StopLine(id string, lane LaneSpec, s float64, control string, cycle, green, yellow, offset float64) {
	pl := NewPolyline(lane.Pts)
	a := pl.Pose(s, lane.Width/2)
	c := pl.Pose(s, -lane.Width/2)
	props := map[string]any{"type": "stop_line", "id": id, "lane": lane.ID, "s": round3(s), "control": control}
	if control == Signal {
		props["cycle_s"], props["green_s"], props["yellow_s"], props["offset_s"] = cycle, green, yellow, offset
	}
	b.features = append(b.features, map[string]any{"type": "Feature", "properties": props,
		"geometry": map[string]any{"type": "LineString", "coordinates": coords([]geom.Vec2{{X: a.X, Y: a.Y}, {X: c.X, Y: c.Y}})}})
}

// Crosswalk adds a crosswalk polygon (closed automatically).
func (b *Builder) Crosswalk(id string, ring []geom.Vec2) {
	ring = append(append([]geom.Vec2{}, ring...), ring[0])
	b.features = append(b.features, map[string]any{"type": "Feature", "properties": map[string]any{"type": "crosswalk", "id": id},
		"geometry": map[string]any{"type": "Polygon", "coordinates": [][][]float64{coords(ring)}}})
}

// GeoJSON returns the map as an indented FeatureCollection.
func (b *Builder) GeoJSON() []byte {
	var buf bytes.Buffer
	buf.WriteString("{\"type\": \"FeatureCollection\", \"features\": [\n")
	for i, f := range b.features {
		data, err := json.Marshal(f)
		if err != nil {
			panic(err) // only plain values
		}
		buf.Write(data)
		if i+1 < len(b.features) {
			buf.WriteString(",")
		}
		buf.WriteString("\n")
	}
	buf.WriteString("]}\n")
	return buf.Bytes()
}

// line samples a straight segment every step metres.
func line(a, b geom.Vec2, step float64) []geom.Vec2 {
	n := int(math.Ceil(b.Sub(a).Norm() / step))
	if n < 1 {
		n = 1
	}
	out := make([]geom.Vec2, n+1)
	for i := 0; i <= n; i++ {
		out[i] = a.Add(b.Sub(a).Scale(float64(i) / float64(n)))
	}
	return out
}

// arc samples a circular arc around centre c with radius r from angle a0 to a1 (radians,
// counter-clockwise when a1 > a0) about every step metres.
func arc(c geom.Vec2, r, a0, a1, step float64) []geom.Vec2 {
	n := int(math.Ceil(math.Abs(a1-a0) * r / step))
	if n < 2 {
		n = 2
	}
	out := make([]geom.Vec2, n+1)
	for i := 0; i <= n; i++ {
		a := a0 + (a1-a0)*float64(i)/float64(n)
		out[i] = geom.Vec2{X: c.X + r*math.Cos(a), Y: c.Y + r*math.Sin(a)}
	}
	return out
}

func join(parts ...[]geom.Vec2) []geom.Vec2 {
	var out []geom.Vec2
	for _, p := range parts {
		if len(out) > 0 && len(p) > 0 && out[len(out)-1].Sub(p[0]).Norm() < 1e-6 {
			p = p[1:]
		}
		out = append(out, p...)
	}
	return out
}

func offset(pts []geom.Vec2, d float64) []geom.Vec2 {
	pl := NewPolyline(pts)
	out := make([]geom.Vec2, len(pl.Pts))
	for i := range pl.Pts {
		// Heading of the adjacent segments, averaged at interior points.
		var h float64
		switch {
		case i == 0:
			h = angle(pl.Pts[1].Sub(pl.Pts[0]))
		case i == len(pl.Pts)-1:
			h = angle(pl.Pts[i].Sub(pl.Pts[i-1]))
		default:
			h0 := angle(pl.Pts[i].Sub(pl.Pts[i-1]))
			h1 := angle(pl.Pts[i+1].Sub(pl.Pts[i]))
			h = h0 + geom.NormalizeAngle(h1-h0)/2
		}
		out[i] = geom.Vec2{X: pl.Pts[i].X - d*math.Sin(h), Y: pl.Pts[i].Y + d*math.Cos(h)}
	}
	return out
}

func reverse(pts []geom.Vec2) []geom.Vec2 {
	out := make([]geom.Vec2, len(pts))
	for i, p := range pts {
		out[len(pts)-1-i] = p
	}
	return out
}

func rot(pts []geom.Vec2, th float64) []geom.Vec2 {
	out := make([]geom.Vec2, len(pts))
	for i, p := range pts {
		out[i] = p.Rotate(th)
	}
	return out
}

// LaneWidth of the built-in maps.
const LaneWidth = 3.5

// HighwayMap: three eastbound lanes (hw_1 right .. hw_3 left), 1500 m along +x from x = 0.
func HighwayMap() *Builder {
	var b Builder
	ids := []string{"hw_1", "hw_2", "hw_3"}
	for i, id := range ids {
		l := LaneSpec{ID: id, Pts: line(geom.Vec2{X: 0, Y: float64(i) * LaneWidth}, geom.Vec2{X: 1500, Y: float64(i) * LaneWidth}, 100),
			Width: LaneWidth, SpeedLimit: 30, Road: "highway"}
		if i > 0 {
			l.Right = ids[i-1]
		}
		if i+1 < len(ids) {
			l.Left = ids[i+1]
		}
		b.Lane(l)
	}
	return &b
}

// CurveMap: a two-lane one-way road: 150 m straight, a left bend of radius 200 m over 90
// degrees, 100 m straight, a right bend of radius 150 m over 90 degrees, 300 m straight.
func CurveMap() *Builder {
	var b Builder
	centre := join(
		line(geom.Vec2{X: 0, Y: 0}, geom.Vec2{X: 150, Y: 0}, 10),
		arc(geom.Vec2{X: 150, Y: 200}, 200, -math.Pi/2, 0, 2),
		line(geom.Vec2{X: 350, Y: 200}, geom.Vec2{X: 350, Y: 300}, 10),
		arc(geom.Vec2{X: 500, Y: 300}, 150, math.Pi, math.Pi/2, 2),
		line(geom.Vec2{X: 500, Y: 450}, geom.Vec2{X: 800, Y: 450}, 10),
	)
	b.Lane(LaneSpec{ID: "cv_1", Pts: centre, Width: LaneWidth, SpeedLimit: 20, Left: "cv_2", Road: "curve"})
	b.Lane(LaneSpec{ID: "cv_2", Pts: offset(centre, LaneWidth), Width: LaneWidth, SpeedLimit: 20, Right: "cv_1", Road: "curve"})
	return &b
}

// IntersectionMap: a signalised 4-way intersection at the origin, one lane each way on every
// arm (arms 120 m long). Arm a in {w, s, e, n}: inbound lane "<a>_in" towards the centre,
// outbound "<a>_out"; connectors "<a>_<b>" from <a>_in to <b>_out (straight, left, right).
// East-west approaches are green 0-13 s of a 34 s cycle (yellow 3 s), north-south 17-30 s.
// A crosswalk crosses every arm in front of the stop line.
func IntersectionMap() *Builder {
	var b Builder
	const box, armLen = 9.0, 120.0
	half := LaneWidth / 2
	arms := []string{"w", "s", "e", "n"} // rotation by 0, 90, 180, 270 degrees of the west arm
	// West arm in its own frame: inbound eastbound at y = -half from x = -box-armLen to -box.
	in := line(geom.Vec2{X: -box - armLen, Y: -half}, geom.Vec2{X: -box, Y: -half}, 20)
	out := line(geom.Vec2{X: -box, Y: half}, geom.Vec2{X: -box - armLen, Y: half}, 20)
	lanes := map[string]LaneSpec{}
	var order []string
	add := func(l LaneSpec) {
		lanes[l.ID] = l
		order = append(order, l.ID)
	}
	for k, a := range arms {
		th := float64(k) * math.Pi / 2
		add(LaneSpec{ID: a + "_in", Pts: rot(in, th), Width: LaneWidth, SpeedLimit: 13.9, Road: "arm_" + a})
		add(LaneSpec{ID: a + "_out", Pts: rot(out, th), Width: LaneWidth, SpeedLimit: 13.9, Road: "arm_" + a})
	}
	for k, a := range arms {
		th := float64(k) * math.Pi / 2
		// Straight: to the opposite arm. Right turn: to the arm at k+1 (south of west). Left: k+3.
		opp, right, left := arms[(k+2)%4], arms[(k+1)%4], arms[(k+3)%4]
		straight := line(geom.Vec2{X: -box, Y: -half}, geom.Vec2{X: box, Y: -half}, 2)
		rightTurn := arc(geom.Vec2{X: -box, Y: -box}, box-half, math.Pi/2, 0, 1)
		leftTurn := arc(geom.Vec2{X: -box, Y: box}, box+half, -math.Pi/2, 0, 1)
		for _, c := range []struct {
			to  string
			pts []geom.Vec2
		}{{opp, straight}, {right, rightTurn}, {left, leftTurn}} {
			id := a + "_" + c.to
			add(LaneSpec{ID: id, Pts: rot(c.pts, th), Width: LaneWidth, SpeedLimit: 10, Successors: []string{c.to + "_out"}, Road: "junction"})
			l := lanes[a+"_in"]
			l.Successors = append(l.Successors, id)
			lanes[a+"_in"] = l
		}
	}
	for _, id := range order {
		b.Lane(lanes[id])
	}
	for k, a := range arms {
		th := float64(k) * math.Pi / 2
		l := lanes[a+"_in"]
		offsetS := 0.0
		if a == "s" || a == "n" {
			offsetS = 17
		}
		b.StopLine("stop_"+a, l, NewPolyline(l.Pts).Length()-5, Signal, 34, 13, 3, offsetS)
		b.Crosswalk("cross_"+a, rot([]geom.Vec2{{X: -box - 4, Y: -LaneWidth}, {X: -box - 1, Y: -LaneWidth}, {X: -box - 1, Y: LaneWidth}, {X: -box - 4, Y: LaneWidth}}, th))
	}
	return &b
}

// MergeMap: a two-lane eastbound motorway (mw_1 right, mw_2 left) split at x = 300 and 420,
// an on-ramp from the south-west joining an acceleration lane (acc, x = 300..420) on the
// right of mw_1b, which ends: merging vehicles change left into mw_1b.
func MergeMap() *Builder {
	var b Builder
	xs := []float64{0, 300, 420, 1200}
	suffix := []string{"a", "b", "c"}
	for i := 0; i < 3; i++ {
		for j, lane := range []string{"mw_1", "mw_2"} {
			y := float64(j) * LaneWidth
			l := LaneSpec{ID: lane + suffix[i], Pts: line(geom.Vec2{X: xs[i], Y: y}, geom.Vec2{X: xs[i+1], Y: y}, 50),
				Width: LaneWidth, SpeedLimit: 30, Road: "motorway"}
			if i < 2 {
				l.Successors = []string{lane + suffix[i+1]}
			}
			if j == 0 {
				l.Left = "mw_2" + suffix[i]
				if i == 1 {
					l.Right = "acc"
				}
			} else {
				l.Right = "mw_1" + suffix[i]
			}
			b.Lane(l)
		}
	}
	// Ramp: a cubic Bezier from (60, -80) heading east-north-east to (300, -3.5) heading east.
	p0, p1, p2, p3 := geom.Vec2{X: 60, Y: -80}, geom.Vec2{X: 160, Y: -60}, geom.Vec2{X: 200, Y: -LaneWidth}, geom.Vec2{X: 300, Y: -LaneWidth}
	var ramp []geom.Vec2
	for i := 0; i <= 120; i++ {
		t := float64(i) / 120
		u := 1 - t
		ramp = append(ramp, p0.Scale(u*u*u).Add(p1.Scale(3*u*u*t)).Add(p2.Scale(3*u*t*t)).Add(p3.Scale(t*t*t)))
	}
	b.Lane(LaneSpec{ID: "ramp", Pts: ramp, Width: LaneWidth, SpeedLimit: 25, Successors: []string{"acc"}, Road: "ramp"})
	b.Lane(LaneSpec{ID: "acc", Pts: line(geom.Vec2{X: 300, Y: -LaneWidth}, geom.Vec2{X: 420, Y: -LaneWidth}, 20),
		Width: LaneWidth, SpeedLimit: 30, Left: "mw_1b", Road: "motorway"})
	return &b
}

// UrbanMap: a 400 m two-way street along x (u_e eastbound at y = 0, u_w westbound at y = 3.5)
// with a parking lane on the right (u_park, y = -3.0, 2.5 m wide) and a crosswalk at x = 200..204.
func UrbanMap() *Builder {
	var b Builder
	b.Lane(LaneSpec{ID: "u_e", Pts: line(geom.Vec2{X: 0, Y: 0}, geom.Vec2{X: 400, Y: 0}, 50), Width: LaneWidth, SpeedLimit: 13.9, Right: "u_park", Road: "street"})
	b.Lane(LaneSpec{ID: "u_w", Pts: line(geom.Vec2{X: 400, Y: LaneWidth}, geom.Vec2{X: 0, Y: LaneWidth}, 50), Width: LaneWidth, SpeedLimit: 13.9, Road: "street"})
	b.Lane(LaneSpec{ID: "u_park", Pts: line(geom.Vec2{X: 0, Y: -3}, geom.Vec2{X: 400, Y: -3}, 50), Width: 2.5, SpeedLimit: 5, Left: "u_e", Road: "street", Use: LaneParking})
	b.Crosswalk("cross_mid", []geom.Vec2{{X: 200, Y: -4.25}, {X: 204, Y: -4.25}, {X: 204, Y: 5.25}, {X: 200, Y: 5.25}})
	return &b
}

// BuiltinMaps returns the GeoJSON of every map of configs/maps by file name.
func BuiltinMaps() map[string][]byte {
	return map[string][]byte{
		"highway.geojson":      HighwayMap().GeoJSON(),
		"curve.geojson":        CurveMap().GeoJSON(),
		"intersection.geojson": IntersectionMap().GeoJSON(),
		"merge.geojson":        MergeMap().GeoJSON(),
		"urban.geojson":        UrbanMap().GeoJSON(),
	}
}

// BuiltinNames lists BuiltinMaps' keys, sorted.
func BuiltinNames() []string {
	var out []string
	for k := range BuiltinMaps() {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func angle(v geom.Vec2) float64 { return math.Atan2(v.Y, v.X) }
