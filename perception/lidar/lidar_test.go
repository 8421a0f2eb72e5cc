package lidar

import (
	"math"
	"math/rand"
	"testing"

	"github.com/avstack/avstack/geom"
	"github.com/avstack/avstack/msg/av"
)

// plane samples a ground plane z = z0 + slope*x on a polar pattern around the origin.
func plane(z0, slope float64, rng *rand.Rand) []Point {
	var pts []Point
	for r := 3.0; r < 60; r += 0.4 {
		for a := 0.0; a < 2*math.Pi; a += 0.01 {
			x, y := r*math.Cos(a), r*math.Sin(a)
			z := z0 + slope*x + rng.NormFloat64()*0.02
			pts = append(pts, Point{float32(x), float32(y), float32(z), 0.3})
		}
	}
	return pts
}

// boxSurface samples the faces of a box that face the origin (what a lidar sees), standing on
// the ground at groundZ.
func boxSurface(b geom.Box, groundZ float64) []Point {
	var pts []Point
	pose := geom.Pose2{X: b.X, Y: b.Y, Yaw: b.Yaw}
	face := func(a, c geom.Vec2) {
		mid := a.Add(c).Scale(0.5)
		w := pose.Apply(mid)
		normal := pose.Apply(mid.Scale(2)).Sub(w) // outward from the box centre
		if normal.Dot(w) >= 0 {                   // faces away from the sensor: hidden
			return
		}
		n := int(a.Sub(c).Norm()/0.05) + 1
		for i := 0; i <= n; i++ {
			p := pose.Apply(a.Add(c.Sub(a).Scale(float64(i) / float64(n))))
			for z := groundZ + 0.05; z < groundZ+b.Height; z += 0.1 {
				pts = append(pts, Point{float32(p.X), float32(p.Y), float32(z), 0.5})
			}
		}
	}
	hl, hw := b.Length/2, b.Width/2
	c := []geom.Vec2{{X: hl, Y: -hw}, {X: hl, Y: hw}, {X: -hl, Y: hw}, {X: -hl, Y: -hw}}
	for i := range c {
		face(c[i], c[(i+1)%4])
	}
	return pts
}

func TestSegmentGroundOnSlopes(t *testing.T) {
	cases := []struct {
		name  string
		z0    float64
		slope float64
	}{
		{"flat", 0, 0},
		{"uphill 8%", 0, 0.08},
		{"downhill 8%", 0, -0.08},
		{"sensor frame, flat", -1.73, 0},
	}
	for _, c := range cases {
		rng := rand.New(rand.NewSource(1))
		ground := plane(c.z0, c.slope, rng)
		car := geom.Box{X: 20, Y: 5, Length: 4.2, Width: 1.8, Height: 1.5, Yaw: 0.3}
		gz := c.z0 + c.slope*car.X
		obst := boxSurface(car, gz)
		pts := append(append([]Point(nil), ground...), obst...)
		o := DefaultOptions()
		o.GroundZ = c.z0
		labels, _ := SegmentGround(pts, o)
		wrongGround := 0
		for i := range ground {
			if labels[i] == Obstacle {
				wrongGround++
			}
		}
		wrongObst := 0
		for i := range obst {
			p := obst[i]
			if labels[len(ground)+i] != Obstacle && float64(p.Z)-gz > 0.35 {
				wrongObst++
			}
		}
		if f := float64(wrongGround) / float64(len(ground)); f > 0.01 {
			t.Errorf("%s: %.2f%% of ground points labelled obstacle", c.name, 100*f)
		}
		if wrongObst > 0 {
			t.Errorf("%s: %d box points higher than 35 cm labelled ground", c.name, wrongObst)
		}
	}
}

func TestVoxelDownsample(t *testing.T) {
	pts := []Point{{0.01, 0.01, 0.01, 0}, {0.03, 0.05, 0.07, 0}, {0.15, 0, 0, 0}, {-0.05, 0, 0, 0}}
	got := VoxelDownsample(pts, 0.1)
	want := []Voxel{{0.02, 0.03, 0.04, 0, 2}, {0.15, 0, 0, 0, 1}, {-0.05, 0, 0, 0, 1}}
	if len(got) != len(want) {
		t.Fatalf("got %d voxels %+v, want %d", len(got), got, len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.N != w.N || math.Abs(float64(g.X-w.X)) > 1e-6 || math.Abs(float64(g.Y-w.Y)) > 1e-6 || math.Abs(float64(g.Z-w.Z)) > 1e-6 {
			t.Errorf("voxel %d: got %+v want %+v", i, g, w)
		}
	}
}

func TestCluster(t *testing.T) {
	o := DefaultOptions() // cell 0.2 m, neighbour 2 cells
	line := func(x0, y, x1 float64) []Voxel {
		var v []Voxel
		for x := x0; x <= x1; x += 0.05 {
			v = append(v, Voxel{X: float32(x), Y: float32(y), N: 1})
		}
		return v
	}
	cases := []struct {
		name string
		vox  []Voxel
		want int
	}{
		{"one line", line(10, 0, 12), 1},
		{"gap 0.25 m joins", append(line(10, 0, 11), line(11.25, 0, 12)...), 1},
		{"gap 1 m splits", append(line(10, 0, 11), line(12, 0, 13)...), 2},
		{"three apart", append(append(line(10, 0, 11), line(10, 3, 11)...), line(-20, -20, -19)...), 3},
	}
	for _, c := range cases {
		cl := Cluster(c.vox, o)
		if len(cl) != c.want {
			t.Errorf("%s: %d clusters, want %d", c.name, len(cl), c.want)
		}
		n := 0
		for _, m := range cl {
			n += len(m)
		}
		if n != len(c.vox) {
			t.Errorf("%s: clusters hold %d voxels, want %d", c.name, n, len(c.vox))
		}
	}
}

// TestFitRectMatchesExhaustive holds the coarse-to-fine search to the exhaustive reference.
func TestFitRectMatchesExhaustive(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	for it := 0; it < 50; it++ {
		yaw := rng.Float64() * math.Pi
		b := geom.Box{X: 10 + rng.Float64()*10, Y: rng.Float64()*10 - 5, Length: 4.2, Width: 1.8, Height: 1.5, Yaw: yaw}
		var xy []float64
		for _, p := range boxSurface(b, 0) {
			xy = append(xy, float64(p.X)+rng.NormFloat64()*0.02, float64(p.Y)+rng.NormFloat64()*0.02)
		}
		step := math.Pi / 180
		fast, ref := FitRect(xy, step), FitRectExhaustive(xy, step)
		if d := math.Abs(closeness(xy, fast.Yaw) - closeness(xy, ref.Yaw)); d > 1e-9*closeness(xy, ref.Yaw) && !nearAxis(fast.Yaw, ref.Yaw, 2*step) {
			t.Fatalf("case %d: coarse-to-fine yaw %.3f, exhaustive %.3f", it, fast.Yaw, ref.Yaw)
		}
		if !nearAxis(ref.Yaw, yaw, 3*math.Pi/180) {
			t.Fatalf("case %d: fitted heading %.3f, true %.3f (mod 90 degrees)", it, ref.Yaw, yaw)
		}
	}
}

// nearAxis compares headings modulo 90 degrees.
func nearAxis(a, b, tol float64) bool {
	d := math.Mod(math.Abs(a-b), math.Pi/2)
	return d <= tol || math.Pi/2-d <= tol
}

func TestComplete(t *testing.T) {
	sensor := geom.Vec2{}
	cases := []struct {
		name    string
		in      Rect
		wantLen float64 // along the result's Yaw
		wantX   float64
		wantYaw float64
	}{
		// Rear face of a car straight ahead: 1.7 wide across y, seen head-on: grows along x away.
		{"rear face ahead", Rect{X: 10, Y: 0, Length: 0.2, Width: 1.7, Yaw: 0}, 3.9, 10 - 0.1 + 3.9/2, 0},
		// Rear face of a car behind, zero thickness: still grows away from the sensor.
		{"face behind", Rect{X: -21.4, Y: -3.5, Length: 0, Width: 1.7, Yaw: 0}, 3.9, -21.4 - 3.9/2, 0},
		// Full side seen: already long, only the width grows (away from the sensor in y).
		{"side", Rect{X: 10, Y: 5, Length: 4.3, Width: 0.3, Yaw: 0}, 4.3, 10, 0},
	}
	for _, c := range cases {
		got := Complete(c.in, sensor, 3.9, 1.65)
		if math.Abs(got.Length-c.wantLen) > 1e-9 || math.Abs(got.X-c.wantX) > 1e-9 || !nearAxis(got.Yaw, c.wantYaw, 1e-9) || got.Length < got.Width {
			t.Errorf("%s: got %+v, want length %v x %v yaw %v", c.name, got, c.wantLen, c.wantX, c.wantYaw)
		}
	}
	// The side case grows its width away from the sensor (towards +y).
	got := Complete(Rect{X: 10, Y: 5, Length: 4.3, Width: 0.3, Yaw: 0}, sensor, 3.9, 1.65)
	if math.Abs(got.Y-(5-0.15+1.65/2)) > 1e-9 {
		t.Errorf("side: width grew the wrong way: y %.3f", got.Y)
	}
}

func TestDetectSyntheticScene(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	truth := []struct {
		box   geom.Box
		class av.ObjectClass
	}{
		{geom.Box{X: 15, Y: 4, Length: 4.2, Width: 1.8, Height: 1.5, Yaw: 0.2}, av.ObjectClass_OBJECT_CLASS_CAR},
		{geom.Box{X: 25, Y: -6, Length: 4.0, Width: 1.7, Height: 1.45, Yaw: -0.1}, av.ObjectClass_OBJECT_CLASS_CAR},
		{geom.Box{X: 12, Y: -8, Length: 0.5, Width: 0.5, Height: 1.75}, av.ObjectClass_OBJECT_CLASS_PEDESTRIAN},
	}
	pts := plane(0, 0.03, rng)
	for _, tr := range truth {
		pts = append(pts, boxSurface(tr.box, 0.03*tr.box.X)...)
	}
	d, err := NewDetector(DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	objs := d.Detect(pts)
	for _, tr := range truth {
		found := false
		for _, o := range objs {
			if o.Class != tr.class {
				continue
			}
			if tr.class == av.ObjectClass_OBJECT_CLASS_CAR && geom.IoUBEV(o.Box, tr.box) >= 0.5 ||
				tr.class != av.ObjectClass_OBJECT_CLASS_CAR && math.Hypot(o.Box.X-tr.box.X, o.Box.Y-tr.box.Y) < 0.5 {
				found = true
			}
		}
		if !found {
			t.Errorf("%v at (%.1f, %.1f) not detected; got %d objects: %+v", tr.class, tr.box.X, tr.box.Y, len(objs), objs)
		}
	}
	if len(objs) != len(truth) {
		t.Errorf("%d objects, want %d", len(objs), len(truth))
	}
	// Determinism: the same scan gives the same list.
	again := d.Detect(pts)
	for i := range again {
		if again[i] != objs[i] {
			t.Fatalf("second run differs at %d: %+v vs %+v", i, again[i], objs[i])
		}
	}
}

func TestOptionsValidate(t *testing.T) {
	cases := []struct {
		name string
		mod  func(*Options)
	}{
		{"zero range", func(o *Options) { o.MaxRange = 0 }},
		{"min above max", func(o *Options) { o.MinRange = 100 }},
		{"few sectors", func(o *Options) { o.Sectors = 2 }},
		{"nan cell", func(o *Options) { o.CellSize = math.NaN() }},
		{"huge grid", func(o *Options) { o.CellSize = 0.01 }},
	}
	for _, c := range cases {
		o := DefaultOptions()
		c.mod(&o)
		if err := o.Validate(); err == nil {
			t.Errorf("%s: accepted", c.name)
		}
	}
	if err := DefaultOptions().Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestAbsorbFragments(t *testing.T) {
	car := Object{Box: geom.Box{X: 10, Y: 0, Length: 4, Width: 1.8}, Class: av.ObjectClass_OBJECT_CLASS_CAR, Points: 100}
	inside := Object{Box: geom.Box{X: 11.5, Y: 0.8, Length: 0.5, Width: 0.1}, Class: av.ObjectClass_OBJECT_CLASS_PEDESTRIAN, Points: 8}
	beside := Object{Box: geom.Box{X: 10, Y: 2, Length: 0.5, Width: 0.5}, Class: av.ObjectClass_OBJECT_CLASS_PEDESTRIAN, Points: 30}
	otherCar := Object{Box: geom.Box{X: 11, Y: 0.5, Length: 4, Width: 1.8}, Class: av.ObjectClass_OBJECT_CLASS_CAR, Points: 50}
	cases := []struct {
		name       string
		in         []Object
		wantN      int
		wantPoints int
	}{
		{"fragment inside is absorbed", []Object{inside, car}, 1, 108},
		{"pedestrian beside stays", []Object{car, beside}, 2, 100},
		{"vehicles never absorb vehicles", []Object{car, otherCar}, 2, 100},
	}
	for _, c := range cases {
		got := absorbFragments(append([]Object(nil), c.in...))
		if len(got) != c.wantN {
			t.Errorf("%s: %d objects, want %d", c.name, len(got), c.wantN)
			continue
		}
		for _, o := range got {
			if o.Box == car.Box && o.Points != c.wantPoints {
				t.Errorf("%s: car has %d points, want %d", c.name, o.Points, c.wantPoints)
			}
		}
	}
}
