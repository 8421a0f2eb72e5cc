package raycast

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/avstack/avstack/geom"
)

func dir(az, el float64) geom.Vec3 {
	return geom.Vec3{X: math.Cos(el) * math.Cos(az), Y: math.Cos(el) * math.Sin(az), Z: math.Sin(el)}
}

// TestCastAnalytic: ranges to the ground, a wall and a box match the closed-form distances.
func TestCastAnalytic(t *testing.T) {
	l, err := New("HDL-32E", geom.FromMount(1.2, 0, 1.9, 0, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	// Sensor at map (1.2, 0, 1.9) when the vehicle is at the origin.
	s2m := geom.Identity3().Compose(l.Mount)
	wall := Target{Box: geom.Box{X: 40.5, Y: 0, Z: 5, Length: 1, Width: 100, Height: 10}, Intensity: 0.9}
	car := Target{Box: geom.Box{X: 11.2, Y: 5, Z: 1.5, Length: 4, Width: 2, Height: 3, Yaw: 0}, Intensity: 0.6}
	rot := Target{Box: geom.Box{X: 21.2, Y: 0, Z: 1, Length: 2, Width: 2, Height: 4, Yaw: math.Pi / 4}, Intensity: 0.5}
	cases := []struct {
		name    string
		ds      geom.Vec3
		targets []Target
		want    float64
		inten   float32
	}{
		// Ground: h / sin(-el).
		{"ground -10deg", dir(0.3, -10*math.Pi/180), nil, 1.9 / math.Sin(10*math.Pi/180), GroundIntensity},
		{"ground -30deg", dir(-2, -30*math.Pi/180), nil, 1.9 / math.Sin(30*math.Pi/180), GroundIntensity},
		// Wall face at x = 40, sensor at x = 1.2: 38.8 / cos(az) horizontally.
		{"wall straight", dir(0, 0), []Target{wall}, 38.8, 0.9},
		{"wall 20deg", dir(20*math.Pi/180, 0), []Target{wall}, 38.8 / math.Cos(20*math.Pi/180), 0.9},
		{"wall over ground, upward beam", dir(0, 5*math.Pi/180), []Target{wall}, 38.8 / math.Cos(5*math.Pi/180), 0.9},
		// Car side face at y = 4 seen straight left from (1.2 + 10 = 11.2, 0).
		{"box side", dir(math.Atan2(4, 10), 0), []Target{car}, math.Hypot(10, 4), 0.6},
		// A box turned 45 degrees: its front corner edge at x = 21.2 - sqrt(2).
		{"rotated box corner", dir(0, 0), []Target{rot}, 20 - math.Sqrt2, 0.5},
		{"nearest of two", dir(0, 0), []Target{wall, rot}, 20 - math.Sqrt2, 0.5},
		{"sky", dir(0, 5*math.Pi/180), nil, math.Inf(1), 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, inten := l.Cast(s2m, c.ds, c.targets)
			if math.IsInf(c.want, 1) {
				if !math.IsInf(got, 1) {
					t.Fatalf("range %v, want no return", got)
				}
				return
			}
			if math.Abs(got-c.want) > 1e-9 || inten != c.inten {
				t.Fatalf("range %.9f intensity %v, want %.9f %v", got, inten, c.want, c.inten)
			}
		})
	}
}

// TestScanMatchesCast: every point of a scan lies on its beam at the range Cast gives, the
// azimuth culling loses no hit, and ground points are at z = -mount height in the sensor frame.
func TestScanMatchesCast(t *testing.T) {
	for _, model := range []string{"VLP-16", "HDL-32E", "HDL-64E"} {
		t.Run(model, func(t *testing.T) {
			l, err := New(model, geom.FromMount(1.2, 0, 1.9, 0, 0, 0))
			if err != nil {
				t.Fatal(err)
			}
			veh := geom.Pose3From2(geom.Pose2{X: 100, Y: 50, Yaw: 0.7})
			targets := []Target{
				{Box: geom.Box{X: 112, Y: 58, Z: 0.75, Length: 4.5, Width: 1.8, Height: 1.5, Yaw: 0.7}, Intensity: 0.6},
				{Box: geom.Box{X: 95, Y: 48, Z: 0.9, Length: 0.5, Width: 0.6, Height: 1.8}, Intensity: 0.3},
				{Box: geom.Box{X: 100, Y: 80, Z: 2, Length: 60, Width: 1, Height: 4, Yaw: 0.1}, Intensity: 0.9},
			}
			pts := l.Scan(veh, targets, Noise{}, nil)
			s2m := veh.Compose(l.Mount)
			n := l.Columns() * len(l.P.Elevations)
			var hitsBox, hitsGround int
			i := 0
			for k := 0; k < l.Columns(); k++ {
				sa, ca := math.Sincos(float64(k) * l.P.AzimuthStep)
				for e := range l.P.Elevations {
					ds := geom.Vec3{X: l.cosE[e] * ca, Y: l.cosE[e] * sa, Z: l.sinE[e]}
					want, inten := l.Cast(s2m, ds, targets)
					if math.IsInf(want, 1) {
						continue
					}
					if i+4 > len(pts) {
						t.Fatalf("scan has %d points, cast finds more", len(pts)/4)
					}
					p := geom.Vec3{X: float64(pts[i]), Y: float64(pts[i+1]), Z: float64(pts[i+2])}
					if d := p.Sub(ds.Scale(want)).Norm(); d > 1e-4*want+1e-5 || pts[i+3] != inten {
						t.Fatalf("column %d beam %d: point %+v (%v), cast %v at %v", k, e, p, pts[i+3], want, inten)
					}
					if inten == GroundIntensity {
						hitsGround++
						if math.Abs(p.Z+1.9) > 1e-4 {
							t.Fatalf("ground point z %v, want -1.9", p.Z)
						}
					} else {
						hitsBox++
					}
					i += 4
				}
			}
			if i != len(pts) || hitsBox == 0 || hitsGround == 0 {
				t.Fatalf("scan %d values, matched %d; %d box and %d ground hits of %d beams", len(pts), i, hitsBox, hitsGround, n)
			}
		})
	}
}

// TestNoise: range noise has the asked spread, point dropout the asked rate, and a seed
// reproduces a scan.
func TestNoise(t *testing.T) {
	l, _ := New("VLP-16", geom.FromMount(0, 0, 1.9, 0, 0, 0))
	veh := geom.Identity3()
	clean := l.Scan(veh, nil, Noise{}, nil)
	noisy := l.Scan(veh, nil, Noise{Range: 0.05, Rand: rand.New(rand.NewPCG(1, 2))}, nil)
	if len(noisy) != len(clean) {
		t.Fatalf("range noise changed the point count %d -> %d", len(clean), len(noisy))
	}
	var ss float64
	for i := 0; i < len(clean); i += 4 {
		rc := math.Sqrt(float64(clean[i]*clean[i] + clean[i+1]*clean[i+1] + clean[i+2]*clean[i+2]))
		rn := math.Sqrt(float64(noisy[i]*noisy[i] + noisy[i+1]*noisy[i+1] + noisy[i+2]*noisy[i+2]))
		ss += (rn - rc) * (rn - rc)
	}
	if sd := math.Sqrt(ss / float64(len(clean)/4)); math.Abs(sd-0.05) > 0.005 {
		t.Fatalf("range noise sd %.4f, want 0.05", sd)
	}
	dropped := l.Scan(veh, nil, Noise{Drop: 0.2, Rand: rand.New(rand.NewPCG(1, 2))}, nil)
	if f := 1 - float64(len(dropped))/float64(len(clean)); math.Abs(f-0.2) > 0.02 {
		t.Fatalf("dropped %.3f of points, want 0.2", f)
	}
	again := l.Scan(veh, nil, Noise{Drop: 0.2, Rand: rand.New(rand.NewPCG(1, 2))}, nil)
	if len(again) != len(dropped) {
		t.Fatal("same seed, different scan")
	}
	if _, err := New("HDL-128", geom.Identity3()); err == nil {
		t.Fatal("unknown model accepted")
	}
}
