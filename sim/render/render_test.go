package render

import (
	"math"
	"testing"

	"github.com/avstack/avstack/geom"
	"github.com/avstack/avstack/sim/roadmap"
)

// The default camera of configs/vehicle.yaml: 640x360, fx = fy = 320, mounted at x 1.5, z 1.5.
func defaultCamera() geom.PinholeCamera {
	return geom.PinholeCamera{Fx: 320, Fy: 320, Cx: 320, Cy: 180, Width: 640, Height: 360,
		VehicleToCamera: geom.CameraExtrinsics(1.5, 0, 1.5, 0, 0, 0)}
}

// idExtent returns the pixel extent of the pixels labelled id in the id buffer.
func idExtent(t *testing.T, r *Renderer, id uint8) (x0, y0, x1, y1 int, n int) {
	t.Helper()
	data, err := r.ids.DataPtrUint8()
	if err != nil {
		t.Fatal(err)
	}
	x0, y0, x1, y1 = math.MaxInt, math.MaxInt, -1, -1
	w := r.cam.Width
	for i, v := range data {
		if v != id {
			continue
		}
		x, y := i%w, i/w
		x0, y0, x1, y1 = min(x0, x), min(y0, y), max(x1, x), max(y1, y)
		n++
	}
	return
}

// TestBoxAppearsWhereCalibrationProjects: a box at a known pose covers exactly the pixels the
// calibration projects it to (the enclosing rectangle of ProjectBox, within 1 px), and the label
// carries that rectangle.
func TestBoxAppearsWhereCalibrationProjects(t *testing.T) {
	cases := []struct {
		name string
		box  geom.Box
		ego  geom.Pose2
		// clipped: part of the box projects outside the image; the label (ProjectBox's
		// enclosing rectangle, clipped) then only bounds the drawn pixels.
		clipped bool
	}{
		{"ahead", geom.Box{X: 20, Y: 0, Z: 1, Length: 4, Width: 2, Height: 2}, geom.Pose2{}, false},
		{"left-rotated", geom.Box{X: 15, Y: 4, Z: 0.9, Length: 4.5, Width: 1.8, Height: 1.8, Yaw: 0.6}, geom.Pose2{}, false},
		{"close-right", geom.Box{X: 8, Y: -2.5, Z: 1.1, Length: 5, Width: 2, Height: 2.2, Yaw: -0.2}, geom.Pose2{}, false},
		{"ego-moved-and-turned", geom.Box{X: 130, Y: 40, Z: 1, Length: 4, Width: 2, Height: 2, Yaw: 1}, geom.Pose2{X: 100, Y: 30, Yaw: 0.4}, false},
		{"clipped-at-edge", geom.Box{X: 6, Y: 6, Z: 1, Length: 4, Width: 2, Height: 2}, geom.Pose2{}, true},
	}
	r, err := New(defaultCamera(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			labels, err := r.Render(Scene{Ego: c.ego, Objects: []Object{{ID: 7, Kind: "van", Box: c.box, Color: [3]uint8{200, 30, 30}}}})
			if err != nil {
				t.Fatal(err)
			}
			want, ok := r.cam.ProjectBox(c.box.Transform(c.ego.Inverse()))
			if !ok {
				t.Fatal("box does not project")
			}
			if len(labels) != 1 || labels[0].ID != 7 || labels[0].Rect != want {
				t.Fatalf("labels %+v, want one with rect %+v", labels, want)
			}
			x0, y0, x1, y1, n := idExtent(t, r, 1)
			if n == 0 {
				t.Fatal("box not drawn")
			}
			// Pixel i covers [i-0.5, i+0.5]: the drawn extent is [x0-0.5, x1+0.5].
			got := geom.Rect{X1: float64(x0) - 0.5, Y1: float64(y0) - 0.5, X2: float64(x1) + 0.5, Y2: float64(y1) + 0.5}
			got = got.Intersect(geom.Rect{X1: 0, Y1: 0, X2: 640, Y2: 360})
			if c.clipped {
				if got.X1 < want.X1-1 || got.Y1 < want.Y1-1 || got.X2 > want.X2+1 || got.Y2 > want.Y2+1 {
					t.Fatalf("drawn extent %+v outside the label %+v", got, want)
				}
				return
			}
			for _, d := range []float64{got.X1 - want.X1, got.Y1 - want.Y1, got.X2 - want.X2, got.Y2 - want.Y2} {
				if math.Abs(d) > 1 {
					t.Fatalf("drawn extent %+v, projection %+v: off by more than 1 px", got, want)
				}
			}
			if v := labels[0].Visibility; v < 0.99 {
				t.Fatalf("unoccluded box visibility %.3f, want 1", v)
			}
		})
	}
}

// TestOcclusionVisibility: a car hidden behind a nearer van has visibility near 0; with a
// lateral offset it is partly visible.
func TestOcclusionVisibility(t *testing.T) {
	r, err := New(defaultCamera(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	cases := []struct {
		name   string
		farY   float64
		lo, hi float64
	}{
		{"hidden", 0, 0, 0.05},
		{"half", 5, 0.2, 0.8},
		{"clear", 9, 0.99, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			labels, err := r.Render(Scene{Objects: []Object{
				{ID: 1, Kind: "van", Box: geom.Box{X: 10, Z: 1.5, Length: 5, Width: 2.2, Height: 3}, Color: [3]uint8{250, 250, 250}},
				{ID: 2, Kind: "car", Box: geom.Box{X: 30, Y: c.farY, Z: 0.75, Length: 4.5, Width: 1.8, Height: 1.5}, Color: [3]uint8{200, 0, 0}},
			}})
			if err != nil {
				t.Fatal(err)
			}
			var vis float64 = -1
			for _, l := range labels {
				if l.ID == 2 {
					vis = l.Visibility
				}
			}
			if vis < c.lo || vis > c.hi {
				t.Fatalf("far car visibility %.3f, want %.2f..%.2f", vis, c.lo, c.hi)
			}
		})
	}
}

// TestGroundAndSky: with a level camera the horizon is the principal row: sky above, ground
// below; a lane in front is asphalt under the image centre.
func TestGroundAndSky(t *testing.T) {
	var b roadmap.Builder
	b.Lane(roadmap.LaneSpec{ID: "a", Pts: []geom.Vec2{{X: -10}, {X: 300}}, Width: 3.5, SpeedLimit: 10})
	m, err := roadmap.Parse(b.GeoJSON(), "test.geojson")
	if err != nil {
		t.Fatal(err)
	}
	r, err := New(defaultCamera(), m)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, err := r.Render(Scene{}); err != nil {
		t.Fatal(err)
	}
	px := func(x, y int) [3]uint8 {
		v := r.img.GetVecbAt(y, x)
		return [3]uint8{v[2], v[1], v[0]}
	}
	cases := []struct {
		name string
		x, y int
		want [3]uint8
	}{
		{"sky", 320, 100, Sky},
		{"asphalt", 320, 300, Asphalt},
		{"grass", 20, 300, Grass},
	}
	for _, c := range cases {
		if got := px(c.x, c.y); got != c.want {
			t.Errorf("%s at (%d,%d): %v, want %v", c.name, c.x, c.y, got, c.want)
		}
	}
	jpeg, err := r.JPEG(85)
	if err != nil || len(jpeg) < 1000 || jpeg[0] != 0xFF || jpeg[1] != 0xD8 {
		t.Fatalf("jpeg: %d bytes, err %v", len(jpeg), err)
	}
}
