package geom

import (
	"math"
	"math/rand/v2"
	"testing"
)

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

func TestPose2RoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 100; i++ {
		p := Pose2{rng.Float64()*20 - 10, rng.Float64()*20 - 10, rng.Float64()*6 - 3}
		q := Pose2{rng.Float64()*20 - 10, rng.Float64()*20 - 10, rng.Float64()*6 - 3}
		v := Vec2{rng.Float64(), rng.Float64()}
		back := p.Inverse().Apply(p.Apply(v))
		if !near(back.X, v.X, 1e-9) || !near(back.Y, v.Y, 1e-9) {
			t.Fatalf("inverse: %v -> %v", v, back)
		}
		a := p.Compose(q).Apply(v)
		b := p.Apply(q.Apply(v))
		if !near(a.X, b.X, 1e-9) || !near(a.Y, b.Y, 1e-9) {
			t.Fatalf("compose: %v vs %v", a, b)
		}
	}
}

func TestPose3(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 100; i++ {
		p := FromMount(rng.Float64(), rng.Float64(), rng.Float64(), rng.Float64()-0.5, rng.Float64()-0.5, rng.Float64()*6-3)
		q := FromMount(rng.Float64(), rng.Float64(), rng.Float64(), rng.Float64()-0.5, rng.Float64()-0.5, rng.Float64()*6-3)
		v := Vec3{rng.Float64(), rng.Float64(), rng.Float64()}
		back := p.Inverse().Apply(p.Apply(v))
		if back.Sub(v).Norm() > 1e-9 {
			t.Fatalf("inverse: %v -> %v", v, back)
		}
		if d := p.Compose(q).Apply(v).Sub(p.Apply(q.Apply(v))).Norm(); d > 1e-9 {
			t.Fatalf("compose off by %g", d)
		}
		x, y, z, w := p.Quaternion()
		r := FromQuaternion(x, y, z, w)
		for k := range r.R {
			if !near(r.R[k], p.R[k], 1e-9) {
				t.Fatalf("quaternion round trip: %v vs %v", r.R, p.R)
			}
		}
	}
	// Yaw of 90 degrees turns x into y.
	v := FromMount(0, 0, 0, 0, 0, math.Pi/2).Apply(Vec3{1, 0, 0})
	if v.Sub(Vec3{0, 1, 0}).Norm() > 1e-12 {
		t.Fatalf("yaw: %v", v)
	}
	// Pitch down (positive pitch about y) turns x towards -z.
	v = FromMount(0, 0, 0, 0, 0.1, 0).Apply(Vec3{1, 0, 0})
	if !(v.Z < 0) {
		t.Fatalf("pitch sign: %v", v)
	}
}

func TestNormalizeAngle(t *testing.T) {
	cases := []struct{ in, want float64 }{
		{0, 0}, {math.Pi, math.Pi}, {-math.Pi, math.Pi}, {3 * math.Pi, math.Pi}, {2*math.Pi + 0.1, 0.1}, {-0.1, -0.1},
	}
	for _, c := range cases {
		if got := NormalizeAngle(c.in); !near(got, c.want, 1e-12) {
			t.Errorf("NormalizeAngle(%g) = %g, want %g", c.in, got, c.want)
		}
	}
}

func TestIoUBEV(t *testing.T) {
	unit := Box{Length: 2, Width: 2, Height: 1}
	cases := []struct {
		name string
		a, b Box
		want float64
	}{
		{"same", unit, unit, 1},
		{"half shifted", unit, Box{X: 1, Length: 2, Width: 2, Height: 1}, 2.0 / 6.0},
		{"disjoint", unit, Box{X: 5, Length: 2, Width: 2, Height: 1}, 0},
		{"rotated 90 square", unit, Box{Length: 2, Width: 2, Height: 1, Yaw: math.Pi / 2}, 1},
		// A square rotated 45 degrees inside: octagon of area 8(sqrt2-1) = 3.3137.
		{"rotated 45", unit, Box{Length: 2, Width: 2, Height: 1, Yaw: math.Pi / 4}, 8 * (math.Sqrt2 - 1) / (8 - 8*(math.Sqrt2-1))},
		{"contained", Box{Length: 4, Width: 4}, Box{Length: 2, Width: 2}, 0.25},
		// A degenerate clip polygon must not count the whole subject as inside.
		{"zero-size far away", unit, Box{X: 30, Y: 5}, 0},
		{"zero-width inside", unit, Box{Length: 1}, 0},
	}
	for _, c := range cases {
		if got := IoUBEV(c.a, c.b); !near(got, c.want, 1e-9) {
			t.Errorf("%s: IoUBEV = %g, want %g", c.name, got, c.want)
		}
		if got := IoUBEV(c.b, c.a); !near(got, c.want, 1e-9) {
			t.Errorf("%s (swapped): IoUBEV = %g, want %g", c.name, got, c.want)
		}
	}
	// 3D: same footprint, half the height overlapping.
	if got := IoU3D(Box{Length: 2, Width: 2, Height: 2, Z: 1}, Box{Length: 2, Width: 2, Height: 2, Z: 2}); !near(got, 1.0/3.0, 1e-9) {
		t.Errorf("IoU3D = %g, want 1/3", got)
	}
}

func TestRectIoU(t *testing.T) {
	a := Rect{0, 0, 10, 10}
	if got := a.IoU(Rect{5, 0, 15, 10}); !near(got, 50.0/150.0, 1e-12) {
		t.Errorf("IoU = %g", got)
	}
	if got := a.IoU(Rect{20, 20, 30, 30}); got != 0 {
		t.Errorf("disjoint IoU = %g", got)
	}
}

func TestCameraProjection(t *testing.T) {
	cam := PinholeCamera{Fx: 320, Fy: 320, Cx: 320, Cy: 180, Width: 640, Height: 360,
		VehicleToCamera: CameraExtrinsics(1.5, 0, 1.5, 0, 0, 0)}
	cases := []struct {
		name string
		p    Vec3
		u, v float64
		ok   bool
	}{
		{"on axis", Vec3{11.5, 0, 1.5}, 320, 180, true},
		{"left is smaller u", Vec3{11.5, 1, 1.5}, 320 - 32, 180, true},
		{"down is larger v", Vec3{11.5, 0, 0.5}, 320, 180 + 32, true},
		{"behind", Vec3{0, 0, 1.5}, 0, 0, false},
	}
	for _, c := range cases {
		u, v, _, ok := cam.Project(c.p)
		if ok != c.ok || (ok && (!near(u, c.u, 1e-9) || !near(v, c.v, 1e-9))) {
			t.Errorf("%s: got (%g, %g, %v), want (%g, %g, %v)", c.name, u, v, ok, c.u, c.v, c.ok)
		}
	}
	// The ray through a projected pixel passes through the point.
	p := Vec3{20, -3, 0.7}
	u, v, d, _ := cam.Project(p)
	o, dir := cam.Ray(u, v)
	q := o.Add(dir.Scale(p.Sub(o).Norm()))
	if q.Sub(p).Norm() > 1e-9 || d <= 0 {
		t.Errorf("ray misses point: %v vs %v", q, p)
	}
	// The near face is 18 m from the camera: half-width 1 m spans 320/18 px.
	r, ok := cam.ProjectBox(Box{X: 21.5, Length: 4, Width: 2, Height: 2, Z: 1.5})
	if !ok || !near(r.X1, 320-320.0/18, 1e-9) || !near(r.X2, 320+320.0/18, 1e-9) {
		t.Errorf("ProjectBox = %+v %v", r, ok)
	}
}

func TestIntersectionBEVDegenerate(t *testing.T) {
	unit := Box{Length: 2, Width: 2, Height: 1}
	for _, b := range []Box{{X: 30, Y: 5}, {Length: 1}, {Width: 1}} {
		if got := IntersectionBEV(unit, b); got != 0 {
			t.Errorf("IntersectionBEV(unit, %+v) = %g, want 0", b, got)
		}
		if got := IntersectionBEV(b, unit); got != 0 {
			t.Errorf("IntersectionBEV(%+v, unit) = %g, want 0", b, got)
		}
	}
	if got := IntersectionBEV(unit, Box{X: 1, Length: 2, Width: 2}); math.Abs(got-2) > 1e-12 {
		t.Errorf("half overlap = %g, want 2", got)
	}
}
