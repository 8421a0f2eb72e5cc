package vehiclestate

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/avstack/avstack/msg/av"
)

// TestSimulatedCircle: constant speed and steering drive a circle of radius L/tan(steer); after
// one period the car is back where it started, facing the same way.
func TestSimulatedCircle(t *testing.T) {
	cases := []struct {
		name         string
		steer, v, wb float64
	}{
		{"left 0.1 rad at 10 m/s", 0.1, 10, 2.8},
		{"right 0.3 rad at 5 m/s", -0.3, 5, 2.8},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := &Simulated{Wheelbase: c.wb, V: c.v, Profile: []Segment{{Duration: 1e9, Steer: c.steer}}}
			r := c.wb / math.Tan(math.Abs(c.steer))
			period := 2 * math.Pi * r / c.v
			t0 := int64(1e12)
			if _, _, err := s.State(t0); err != nil {
				t.Fatal(err)
			}
			// A quarter turn: at (r, +-r) with yaw +-pi/2.
			q, _, _ := s.State(t0 + int64(period/4*1e9))
			sign := math.Copysign(1, c.steer)
			if math.Abs(q.X-r) > 1e-3*r || math.Abs(q.Y-sign*r) > 1e-3*r || math.Abs(q.Yaw-sign*math.Pi/2) > 1e-3 {
				t.Errorf("quarter turn at (%.3f, %.3f, %.4f), want (%.3f, %.3f, %.4f)", q.X, q.Y, q.Yaw, r, sign*r, sign*math.Pi/2)
			}
			f, _, _ := s.State(t0 + int64(period*1e9))
			if math.Hypot(f.X, f.Y) > 1e-3*r || math.Abs(f.Yaw) > 1e-3 {
				t.Errorf("after one period at (%.4f, %.4f, %.5f), want the start", f.X, f.Y, f.Yaw)
			}
			if math.Abs(f.YawRate-c.v/r*sign) > 1e-9 || math.Abs(f.ALat-c.v*c.v/r*sign) > 1e-9 {
				t.Errorf("yaw rate %v, lateral acceleration %v", f.YawRate, f.ALat)
			}
		})
	}
}

func TestSimulatedBraking(t *testing.T) {
	s := &Simulated{Wheelbase: 2.8, V: 10, Profile: []Segment{{Duration: 100, Accel: -2}}}
	s.State(1)
	st, _, _ := s.State(1 + 10e9)
	// v^2 / (2 a) = 25 m and the car stays stopped.
	if st.V != 0 || math.Abs(st.X-25) > 1e-6 || st.A != 0 {
		t.Errorf("after braking: v %v x %v a %v, want 0, 25, 0", st.V, st.X, st.A)
	}
	if _, _, err := s.State(1); err == nil {
		t.Error("time going back: no error")
	}
}

func TestReplayedInterpolates(t *testing.T) {
	states := []*av.VehicleState{
		{Header: &av.Header{StampNs: 100}, X: 0, Yaw: 3.0, V: 1},
		{Header: &av.Header{StampNs: 200}, X: 10, Yaw: -3.0, V: 3},
	}
	r, err := NewReplayed(states, false, false)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name      string
		t         int64
		ok        bool
		x, yaw, v float64
	}{
		{"before", 50, false, 0, 0, 0},
		{"first sample", 100, true, 0, 3.0, 1},
		{"middle, yaw across pi", 150, true, 5, math.Pi, 2},
		{"last", 200, true, 10, -3.0, 3},
		{"after", 201, false, 0, 0, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st, ok, err := r.State(c.t)
			if err != nil || ok != c.ok {
				t.Fatalf("ok %v err %v", ok, err)
			}
			if !ok {
				return
			}
			if math.Abs(st.X-c.x) > 1e-9 || math.Abs(math.Abs(st.Yaw)-math.Abs(c.yaw)) > 1e-9 || math.Abs(st.V-c.v) > 1e-9 || st.Header.StampNs != c.t {
				t.Errorf("got x %v yaw %v v %v stamp %d", st.X, st.Yaw, st.V, st.Header.StampNs)
			}
		})
	}
	if _, err := NewReplayed([]*av.VehicleState{states[1], states[0]}, false, false); err == nil {
		t.Error("out of order samples accepted")
	}
}

// TestReadOXTS on a two-sample oxts folder in KITTI's layout: 1e-5 degrees of latitude north
// is about 1.1 m (Mercator scaled by cos(lat)).
func TestReadOXTS(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "data"), 0o755)
	os.WriteFile(filepath.Join(dir, "timestamps.txt"), []byte("2011-09-26 13:02:25.964389445\n2011-09-26 13:02:26.064389445\n"), 0o644)
	line := func(lat, lon, yaw, vf float64) string {
		v := make([]string, 30)
		for i := range v {
			v[i] = "0"
		}
		v[0], v[1], v[2], v[5], v[8] = fmt.Sprint(lat), fmt.Sprint(lon), "110.5", fmt.Sprint(yaw), fmt.Sprint(vf)
		return strings.Join(v, " ") + "\n"
	}
	os.WriteFile(filepath.Join(dir, "data", "0000000000.txt"), []byte(line(49.015, 8.43, 1.57, 11)), 0o644)
	os.WriteFile(filepath.Join(dir, "data", "0000000001.txt"), []byte(line(49.01501, 8.43, 1.57, 11)), 0o644)
	st, err := ReadOXTS(dir)
	if err != nil {
		t.Fatal(err)
	}
	// Mercator y of 1e-5 deg at lat 49: R*scale*d(ln tan)/dlat = R*dlat in rad (to first order).
	want := earthRadius * 1e-5 * math.Pi / 180
	if len(st) != 2 || st[0].X != 0 || math.Abs(st[1].Y-want) > 1e-3 || math.Abs(st[1].X) > 1e-9 || st[1].V != 11 || st[1].Yaw != 1.57 {
		t.Errorf("states %v, want second at y=%.4f", st, want)
	}
	if d := st[1].Header.StampNs - st[0].Header.StampNs; d != 100e6 {
		t.Errorf("stamps %d apart", d)
	}
	os.WriteFile(filepath.Join(dir, "data", "0000000001.txt"), []byte("1 2 x\n"), 0o644)
	if _, err := ReadOXTS(dir); err == nil || !strings.Contains(err.Error(), "0000000001.txt") {
		t.Errorf("short line: %v", err)
	}
}
