package track

import (
	"math"
	"math/rand"
	"testing"

	"github.com/avstack/avstack/geom"
	"github.com/avstack/avstack/msg/av"
)

const tick = int64(100e6) // 10 Hz

func det(x, y float64) Detection {
	return Detection{Box: geom.Box{X: x, Y: y, Length: 4, Width: 1.8, Height: 1.5}, Class: av.ObjectClass_OBJECT_CLASS_CAR, Score: 0.9, Sources: uint32(av.SourceMask_SOURCE_LIDAR)}
}

func mustNew(t testing.TB) *Tracker {
	tr, err := New(DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func TestVelocityConverges(t *testing.T) {
	cases := []struct {
		name   string
		vx, vy float64
	}{
		{"ahead 10 m/s", 10, 0},
		{"crossing 1.5 m/s", 0, -1.5},
		{"diagonal", 5, 5},
	}
	for _, c := range cases {
		rng := rand.New(rand.NewSource(4))
		tr := mustNew(t)
		var out []*Track
		var err error
		var traceEarly float64
		for k := 0; k < 40; k++ {
			s := float64(k) * 0.1
			out, err = tr.Update([]Detection{det(5+c.vx*s+rng.NormFloat64()*0.1, 2+c.vy*s+rng.NormFloat64()*0.1)}, int64(k)*tick)
			if err != nil {
				t.Fatal(err)
			}
			if k == 3 {
				traceEarly = out[0].Cov[10] + out[0].Cov[15]
			}
		}
		if len(out) != 1 {
			t.Fatalf("%s: %d tracks, want 1", c.name, len(out))
		}
		got := out[0]
		if math.Hypot(got.VX-c.vx, got.VY-c.vy) > 0.5 {
			t.Errorf("%s: velocity (%.2f, %.2f), want (%.2f, %.2f)", c.name, got.VX, got.VY, c.vx, c.vy)
		}
		if tr := got.Cov[10] + got.Cov[15]; !(tr < traceEarly) {
			t.Errorf("%s: velocity variance %.3f did not shrink from %.3f", c.name, tr, traceEarly)
		}
		for i := 0; i < 4; i++ {
			for j := 0; j < 4; j++ {
				if math.Abs(got.Cov[4*i+j]-got.Cov[4*j+i]) > 1e-9 {
					t.Fatalf("%s: covariance not symmetric: %v", c.name, got.Cov)
				}
			}
		}
		if got.ID != 1 {
			t.Errorf("%s: id %d, want 1", c.name, got.ID)
		}
	}
}

func TestLifeCycle(t *testing.T) {
	tr := mustNew(t)
	// Frame 0: a real object and clutter. Frames 1-2: only the object. Confirmed at its 3rd hit.
	steps := []struct {
		dets          []Detection
		wantConfirmed int
	}{
		{[]Detection{det(10, 0), det(30, 10)}, 0},
		{[]Detection{det(10.5, 0)}, 0},
		{[]Detection{det(11, 0)}, 1},
		{nil, 1},                     // coasting
		{[]Detection{det(12, 0)}, 1}, // re-found: same id
		{nil, 1}, {nil, 1}, {nil, 1}, // 0.3 s without update
		{nil, 1}, {nil, 1}, {nil, 0}, // > 0.5 s: deleted
	}
	for k, s := range steps {
		out, err := tr.Update(s.dets, int64(k)*tick)
		if err != nil {
			t.Fatal(err)
		}
		if len(out) != s.wantConfirmed {
			t.Fatalf("step %d: %d confirmed tracks, want %d", k, len(out), s.wantConfirmed)
		}
		if len(out) == 1 && out[0].ID != 1 {
			t.Fatalf("step %d: id %d, want 1 (clutter got id 2 and died)", k, out[0].ID)
		}
	}
	if len(tr.All()) != 0 {
		t.Fatalf("%d tracks left", len(tr.All()))
	}
	if _, err := tr.Update(nil, 0); err == nil {
		t.Fatal("an older stamp was accepted")
	}
}

// TestCrossingKeepsIDs: two objects cross; the velocity model keeps each id on its object.
func TestCrossingKeepsIDs(t *testing.T) {
	tr := mustNew(t)
	var ids [2]uint64
	for k := 0; k < 60; k++ {
		s := float64(k) * 0.1
		a := det(0+5*s, -6+2*s) // both pass through (15, 0) at s = 3
		b := det(0+5*s, 6-2*s)
		dets := []Detection{a, b}
		if k%2 == 1 {
			dets = []Detection{b, a} // order must not matter
		}
		out, err := tr.Update(dets, int64(k)*tick)
		if err != nil {
			t.Fatal(err)
		}
		if k < 2 {
			continue
		}
		if len(out) != 2 {
			t.Fatalf("step %d: %d tracks", k, len(out))
		}
		for _, o := range out {
			i := 0
			if o.Box.Y > -6+2*s+0.01 && s < 3 || o.Box.Y < -6+2*s-0.01 && s > 3 {
				i = 1
			}
			if math.Abs(s-3) < 0.15 {
				continue // at the crossing both are at the same place
			}
			if ids[i] == 0 {
				ids[i] = o.ID
			} else if ids[i] != o.ID {
				t.Fatalf("step %d: object %d changed id from %d to %d", k, i, ids[i], o.ID)
			}
		}
	}
	if ids[0] == ids[1] {
		t.Fatalf("both objects have id %d", ids[0])
	}
}

func TestHeadingModuloPi(t *testing.T) {
	tr := mustNew(t)
	var out []*Track
	for k := 0; k < 10; k++ {
		d := det(10, 0)
		d.Box.Yaw = 0.1
		if k%2 == 1 {
			d.Box.Yaw = 0.1 - math.Pi // the same box, the other way round
		}
		out, _ = tr.Update([]Detection{d}, int64(k)*tick)
	}
	if math.Abs(out[0].Box.Yaw-0.1) > 1e-6 {
		t.Fatalf("yaw %.3f, want 0.1", out[0].Box.Yaw)
	}
}

func BenchmarkUpdate50(b *testing.B) {
	rng := rand.New(rand.NewSource(1))
	const n = 50
	pos := make([][4]float64, n)
	for i := range pos {
		pos[i] = [4]float64{rng.Float64()*100 - 50, rng.Float64()*100 - 50, rng.Float64()*20 - 10, rng.Float64()*4 - 2}
	}
	tr := mustNew(b)
	dets := make([]Detection, n)
	b.ResetTimer()
	for k := 0; k < b.N; k++ {
		s := float64(k%1000) * 0.1
		if k%1000 == 0 {
			tr.Reset()
		}
		for i, p := range pos {
			dets[i] = det(p[0]+p[2]*s+rng.NormFloat64()*0.1, p[1]+p[3]*s+rng.NormFloat64()*0.1)
		}
		if _, err := tr.Update(dets, int64(k)*tick); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(n, "objects")
}

func TestMahalanobisMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewSource(9))
	for i := 0; i < 100; i++ {
		k := newKalman(rng.Float64()*10, rng.Float64()*10, 0.3, 5)
		k.predict(rng.Float64(), 4)
		k.update(rng.Float64()*10, rng.Float64()*10, 0.09)
		k.predict(0.1, 4)
		zx, zy := rng.Float64()*10, rng.Float64()*10
		got, want := k.mahalanobis2(zx, zy, 0.09), k.mahalanobis2Ref(zx, zy, 0.09)
		if math.Abs(got-want) > 1e-9+1e-9*math.Abs(want) {
			t.Fatalf("case %d: closed form %v, gonum %v", i, got, want)
		}
	}
}

// TestWalkerPrior: the first detections of someone stepping out from behind a van jump along
// the road as more of them comes into view (here 0.8 m per frame while they actually walk
// across at 1.5 m/s). A pedestrian track starts with the walker prior and reads a walking
// speed; the same detections as a car read car speed, as the wide prior lets them.
func TestWalkerPrior(t *testing.T) {
	speed := func(class av.ObjectClass) float64 {
		tr := mustNew(t)
		var out []*Track
		for i := 0; i < 3; i++ {
			d := Detection{Box: geom.Box{X: 150 + 0.8*float64(i), Y: -3 + 0.15*float64(i), Length: 0.5, Width: 0.5, Height: 1.7}, Class: class, Score: 0.8}
			var err error
			if out, err = tr.Update([]Detection{d}, int64(i)*tick); err != nil {
				t.Fatal(err)
			}
		}
		if len(out) != 1 {
			t.Fatalf("%v: %d confirmed tracks, want 1", class, len(out))
		}
		return math.Hypot(out[0].VX, out[0].VY)
	}
	walker, car := speed(av.ObjectClass_OBJECT_CLASS_PEDESTRIAN), speed(av.ObjectClass_OBJECT_CLASS_CAR)
	if walker > 3 {
		t.Errorf("pedestrian track speed %.2f m/s when first confirmed (3 jittery detections), want <= 3", walker)
	}
	if car < 5 {
		t.Errorf("car track speed %.2f m/s, want >= 5 (the wide prior follows the detections)", car)
	}
	t.Logf("pedestrian %.2f m/s, car %.2f m/s", walker, car)
}

// TestBornBesideMovingVehicle: a pedestrian-sized detection that appears against a car moving
// at 15 m/s (a piece of its split cluster) starts with the car's velocity, so it is not read
// as someone standing in the road; the same detection beside a parked car gets the walker prior.
func TestBornBesideMovingVehicle(t *testing.T) {
	for _, c := range []struct {
		name    string
		carV    float64
		wantMin float64
		wantMax float64
	}{
		{"moving car: its velocity", 15, 12, 18},
		{"parked car: walker prior", 0, 0, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			tr := mustNew(t)
			var out []*Track
			for i := 0; i < 8; i++ {
				ts := int64(i) * tick
				x := 100 + c.carV*float64(i)/10
				dets := []Detection{det(x, 0)}
				if i >= 4 { // the piece: just behind the car's rear bumper, moving with it
					dets = append(dets, Detection{Box: geom.Box{X: x - 2 - 0.9, Y: 0.3, Length: 1.6, Width: 0.6, Height: 1.5}, Class: av.ObjectClass_OBJECT_CLASS_PEDESTRIAN, Score: 0.6})
				}
				var err error
				if out, err = tr.Update(dets, ts); err != nil {
					t.Fatal(err)
				}
			}
			var piece *Track
			for _, o := range out {
				if o.Class == av.ObjectClass_OBJECT_CLASS_PEDESTRIAN {
					piece = o
				}
			}
			if piece == nil {
				t.Fatalf("no confirmed pedestrian-class track among %d", len(out))
			}
			if v := math.Hypot(piece.VX, piece.VY); v < c.wantMin || v > c.wantMax {
				t.Fatalf("piece speed %.2f m/s, want %.0f..%.0f", v, c.wantMin, c.wantMax)
			}
		})
	}
}
