package roadmap

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/avstack/avstack/geom"
)

// TestMapsUpToDate: configs/maps holds exactly what the builders write (regenerate with
// `go run ./sim/roadmap/mapgen`), and every map loads.
func TestMapsUpToDate(t *testing.T) {
	maps := BuiltinMaps()
	for _, name := range BuiltinNames() {
		path := filepath.Join("../../configs/maps", name)
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, maps[name]) {
			t.Errorf("%s differs from its builder: run go run ./sim/roadmap/mapgen", path)
		}
		if _, err := Load(path); err != nil {
			t.Error(err)
		}
	}
}

func TestProject(t *testing.T) {
	pl := NewPolyline([]geom.Vec2{{X: 0, Y: 0}, {X: 10, Y: 0}, {X: 10, Y: 10}})
	cases := []struct {
		name     string
		q        geom.Vec2
		s, d, di float64
	}{
		{"on first segment left", geom.Vec2{X: 4, Y: 2}, 4, 2, 2},
		{"on first segment right", geom.Vec2{X: 4, Y: -1}, 4, -1, 1},
		{"second segment", geom.Vec2{X: 9, Y: 5}, 15, 1, 1},
		{"before start", geom.Vec2{X: -3, Y: 1}, -3, 1, math.Hypot(3, 1)},
		{"beyond end", geom.Vec2{X: 10, Y: 14}, 24, 0, 4},
		{"outside convex corner", geom.Vec2{X: 12, Y: -2}, 10, -math.Hypot(2, 2), math.Hypot(2, 2)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, d, di := pl.Project(c.q)
			if math.Abs(s-c.s) > 1e-9 || math.Abs(d-c.d) > 1e-9 || math.Abs(di-c.di) > 1e-9 {
				t.Fatalf("Project(%v) = %v, %v, %v; want %v, %v, %v", c.q, s, d, di, c.s, c.d, c.di)
			}
			if s >= 0 && s <= pl.Length() && c.name != "outside convex corner" {
				p := pl.Pose(s, d)
				if math.Hypot(p.X-c.q.X, p.Y-c.q.Y) > 1e-9 {
					t.Fatalf("Pose(%v, %v) = %v, want back %v", s, d, p, c.q)
				}
			}
			s2, d2, _ := pl.ProjectRange(c.q, c.s-1, c.s+1)
			if math.Abs(s2-s) > 1e-9 || math.Abs(d2-d) > 1e-9 {
				t.Fatalf("ProjectRange = %v, %v; Project = %v, %v", s2, d2, s, d)
			}
		})
	}
}

// TestCurveGeometry: on the curve map the bends have the radii the builder gives them.
func TestCurveGeometry(t *testing.T) {
	m, err := Load("../../configs/maps/curve.geojson")
	if err != nil {
		t.Fatal(err)
	}
	l, _ := m.Lane("cv_1")
	cases := []struct {
		name string
		s    float64
		k    float64
	}{
		{"straight", 75, 0},
		{"left bend R200", 150 + 157, 1.0 / 200},
		{"right bend R150", 150 + math.Pi*100 + 100 + 118, -1.0 / 150},
	}
	for _, c := range cases {
		if k := l.Curvature(c.s); math.Abs(k-c.k) > 2e-4 {
			t.Errorf("%s: curvature %v, want %v", c.name, k, c.k)
		}
	}
	// The left lane is 3.5 m to the left everywhere.
	l2, _ := m.Lane("cv_2")
	for s := 0.0; s < l.Length(); s += 37 {
		p := l.Pose(s, 3.5)
		_, d, _ := l2.Project(geom.Vec2{X: p.X, Y: p.Y})
		if math.Abs(d) > 0.05 {
			t.Fatalf("at s %v the left lane is %v m off", s, d)
		}
	}
}

func TestNearestDrivableRoute(t *testing.T) {
	m, err := Load("../../configs/maps/intersection.geojson")
	if err != nil {
		t.Fatal(err)
	}
	hit, ok := m.Nearest(geom.Vec2{X: -50, Y: -1.5}, 0, math.Pi/4)
	if !ok || hit.Lane.ID != "w_in" || math.Abs(hit.S-79) > 1e-6 || math.Abs(hit.D-0.25) > 1e-6 {
		t.Fatalf("nearest eastbound lane at (-50, -1.5): %+v", hit)
	}
	hit, ok = m.Nearest(geom.Vec2{X: -50, Y: 1.5}, math.Pi, math.Pi/4)
	if !ok || hit.Lane.ID != "w_out" {
		t.Fatalf("nearest westbound lane at (-50, 1.5): %+v", hit)
	}
	if !m.Drivable(geom.Vec2{X: 0, Y: 0}) || m.Drivable(geom.Vec2{X: -50, Y: 10}) {
		t.Fatal("drivable area wrong at the junction centre or beside the west arm")
	}
	r, err := m.Route("w_in", "n_out")
	if err != nil || strings.Join(r, ",") != "w_in,w_n,n_out" {
		t.Fatalf("route w_in -> n_out = %v, %v", r, err)
	}
	if _, err := m.Route("n_out", "w_in"); err == nil {
		t.Fatal("route against the lane graph found")
	}
	sl := m.StopLinesOn("w_in")
	if len(sl) != 1 || sl[0].LightAt(5) != Green || sl[0].LightAt(14) != Yellow || sl[0].LightAt(20) != Red {
		t.Fatalf("west stop line signal wrong: %+v", sl)
	}
	if ns := m.StopLinesOn("s_in"); ns[0].LightAt(5) != Red || ns[0].LightAt(20) != Green {
		t.Fatal("north-south phase wrong")
	}
}

func TestRoutePathLaneChange(t *testing.T) {
	m, err := Load("../../configs/maps/merge.geojson")
	if err != nil {
		t.Fatal(err)
	}
	r, err := m.Route("ramp", "mw_1c")
	if err != nil || strings.Join(r, ",") != "ramp,acc,mw_1b,mw_1c" {
		t.Fatalf("route %v, %v", r, err)
	}
	p, err := m.BuildRoutePath(r, 0, 60)
	if err != nil {
		t.Fatal(err)
	}
	// The path ends on mw_1c's centre line and crosses from y = -3.5 to y = 0 on the way.
	end, _ := p.At(p.Length())
	if math.Abs(end.Y) > 1e-6 || math.Abs(end.X-1200) > 1e-6 {
		t.Fatalf("route path ends at %v", end)
	}
	for s := 0.0; s < p.Length(); s += 0.5 {
		q, _ := p.At(s)
		if !m.Drivable(q) {
			t.Fatalf("route path leaves the road at s %v (%v)", s, q)
		}
	}
	lane, _ := p.LaneAt(p.Length() - 10)
	if lane != "mw_1c" {
		t.Fatalf("lane at the end %q", lane)
	}
}

func TestParseErrors(t *testing.T) {
	lane := `{"type":"Feature","geometry":{"type":"LineString","coordinates":[[0,0],[10,0]]},"properties":{"type":"lane","id":"a","width":3.5,"speed_limit":10%s}}`
	cases := []struct{ name, json, want string }{
		{"not geojson", `[1,2]`, "not a GeoJSON FeatureCollection"},
		{"no width", strings.Replace(`{"type":"FeatureCollection","features":[`+lane+`]}`, `"width":3.5,`, "", 1), `"width" is missing`},
		{"bad successor", `{"type":"FeatureCollection","features":[` + strings.Replace(lane, "%s", `,"successors":["zz"]`, 1) + `]}`, `successor "zz" is not a lane`},
		{"bad use", `{"type":"FeatureCollection","features":[` + strings.Replace(lane, "%s", `,"use":"bus"`, 1) + `]}`, `property "use" = "bus": must be "driving" or "parking"`},
		{"unknown property", `{"type":"FeatureCollection","features":[` + strings.Replace(lane, "%s", `,"colour":"red"`, 1) + `]}`, `unknown property "colour"`},
		{"point geometry", `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[0,0]},"properties":{"type":"lane","id":"a"}}]}`, "only LineString and Polygon"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			js := strings.Replace(c.json, "%s", "", 1)
			_, err := Parse([]byte(js), "m.geojson")
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "m.geojson") {
				t.Fatalf("err = %v, want one naming m.geojson and %q", err, c.want)
			}
		})
	}
}
