package kitti

import (
	"image/png"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	td "github.com/avstack/avstack/internal/realdata"
)

func testdata(t *testing.T, rel string) string {
	t.Helper()
	return td.Path(t, rel)
}

func imageSize(t *testing.T, path string) (int, int) {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cfg, err := png.DecodeConfig(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return cfg.Width, cfg.Height
}

// TestObjectProjection: lidar points projected with P2*R0_rect*Tr_velo_to_cam land on image_2,
// and the projection's depth orders points as their forward distance does.
func TestObjectProjection(t *testing.T) {
	root := testdata(t, "kitti/object")
	ds, err := OpenObject(root)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		id         string
		points     int
		labels     int     // including DontCare
		minInside  float64 // fraction of points in front of the camera that land inside the image
		minFrontOK float64 // fraction of all points in front (>0 depth)
	}{
		{"000001", 120268, 0, 0.80, 0.0},
		{"000134", 19097, 17, 0.97, 0.99},
	}
	if strings.Join(ds.IDs, ",") != "000001,000134" {
		t.Fatalf("ids = %v", ds.IDs)
	}
	for _, c := range cases {
		t.Run(c.id, func(t *testing.T) {
			f, err := ds.Load(c.id)
			if err != nil {
				t.Fatal(err)
			}
			if len(f.Points) != c.points {
				t.Errorf("points = %d, want %d", len(f.Points), c.points)
			}
			if c.labels > 0 && len(f.Labels) != c.labels {
				t.Errorf("labels = %d, want %d", len(f.Labels), c.labels)
			}
			w, h := imageSize(t, f.ImagePath)
			m := f.Calib.VeloToImage(2)
			front, inside := 0, 0
			type pd struct{ x, depth float64 }
			var pairs []pd
			for _, p := range f.Points {
				u, v, d, ok := m.Project(float64(p.X), float64(p.Y), float64(p.Z))
				if !ok {
					continue
				}
				front++
				if u >= 0 && u < float64(w) && v >= 0 && v < float64(h) {
					inside++
					pairs = append(pairs, pd{float64(p.X), d})
				}
			}
			fi := float64(inside) / float64(max(front, 1))
			ff := float64(front) / float64(len(f.Points))
			t.Logf("%s: %dx%d image, %d points, %d in front (%.3f), %d inside image (%.3f of front)", c.id, w, h, len(f.Points), front, ff, inside, fi)
			// A full 360 scan: only the forward ~90 degrees is visible; a cropped cloud: nearly all.
			if ff < c.minFrontOK {
				t.Errorf("front fraction %.3f < %.3f", ff, c.minFrontOK)
			}
			if c.id == "000134" && fi < c.minInside {
				t.Errorf("inside fraction %.3f < %.3f", fi, c.minInside)
			}
			if c.id == "000001" && (inside < 10000 || fi > 0.5) {
				// In a full scan half the points are behind; of those in front, those beside the
				// camera (|y| > x) fall outside the 90-degree view.
				t.Errorf("full scan: inside=%d, fraction of front %.3f: want >= 10000 points and < 0.5", inside, fi)
			}
			// Depth ordering: the camera looks along lidar x, so depth ~ x (lidar sits 0.27 m
			// ahead of camera 2 in KITTI's rig); rank order must agree almost everywhere.
			sort.Slice(pairs, func(i, j int) bool { return pairs[i].x < pairs[j].x })
			bad := 0
			for i := 1; i < len(pairs); i++ {
				if pairs[i].x-pairs[i-1].x > 0 && pairs[i].depth+0.05 < pairs[i-1].depth-0.05 {
					bad++
				}
			}
			maxDiff := 0.0
			for _, p := range pairs {
				maxDiff = math.Max(maxDiff, math.Abs(p.depth-p.x))
			}
			if frac := float64(bad) / float64(len(pairs)); frac > 0.01 {
				t.Errorf("depth order disagrees with forward distance for %.3f of neighbours", frac)
			}
			if maxDiff > 0.6 {
				t.Errorf("max |depth - x| = %.3f m, want < 0.6 m", maxDiff)
			}
		})
	}
}

// TestLabelBoxesHoldPoints: for labelled objects the 3D box (rectified camera frame) holds
// lidar points and its projected centre lands in its 2D box — the calibration chain agrees
// with the labels.
func TestLabelBoxesHoldPoints(t *testing.T) {
	root := testdata(t, "kitti/object")
	ds, err := OpenObject(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ds.IDs {
		f, err := ds.Load(id)
		if err != nil {
			t.Fatal(err)
		}
		toRect := f.Calib.VeloToRect()
		rect := make([][3]float64, len(f.Points))
		for i, p := range f.Points {
			x, y, z := toRect.Apply(float64(p.X), float64(p.Y), float64(p.Z))
			rect[i] = [3]float64{x, y, z}
		}
		for i, l := range f.Labels {
			if l.Type == "DontCare" || l.Z > 25 || l.Occluded >= 2 {
				continue
			}
			u, v, _, ok := f.Calib.P[2].Project(l.X, l.Y-l.H/2, l.Z)
			if !ok || u < l.Box[0]-5 || u > l.Box[2]+5 || v < l.Box[1]-5 || v > l.Box[3]+5 {
				t.Errorf("%s label %d (%s): centre projects to (%.1f,%.1f), outside its 2D box %v", id, i, l.Type, u, v, l.Box)
			}
			n := 0
			c, s := math.Cos(l.RotationY), math.Sin(l.RotationY)
			for _, p := range rect {
				dx, dz := p[0]-l.X, p[2]-l.Z
				// rotate into the box frame (rotation about y)
				bx := c*dx - s*dz
				bz := s*dx + c*dz
				if math.Abs(bx) <= l.L/2 && math.Abs(bz) <= l.W/2 && p[1] <= l.Y && p[1] >= l.Y-l.H {
					n++
				}
			}
			if n < 5 {
				t.Errorf("%s label %d (%s at z=%.1f m): only %d lidar points inside its 3D box", id, i, l.Type, l.Z, n)
			}
		}
	}
}

func TestReadErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	p12 := " 1 0 0 0 0 1 0 0 0 0 1 0\n"
	okCalib := "P0:" + p12 + "P1:" + p12 + "P2:" + p12 + "P3:" + p12 + "R0_rect: 1 0 0 0 1 0 0 0 1\nTr_velo_to_cam:" + p12
	cases := []struct {
		name string
		read func() error
		want string
	}{
		{"calib missing file", func() error { _, err := ReadCalib(filepath.Join(dir, "nope.txt")); return err }, "nope.txt"},
		{"calib ok", func() error { _, err := ReadCalib(write("ok.txt", okCalib)); return err }, ""},
		{"calib short row", func() error {
			_, err := ReadCalib(write("short.txt", strings.Replace(okCalib, "P2: 1 0 0 0", "P2: 1 0 0", 1)))
			return err
		}, "short.txt:3: P2: want 12 numbers, got 11"},
		{"calib bad number", func() error {
			_, err := ReadCalib(write("nan.txt", strings.Replace(okCalib, "R0_rect: 1", "R0_rect: x1", 1)))
			return err
		}, `nan.txt:5: R0_rect: number 0: "x1"`},
		{"calib missing key", func() error {
			_, err := ReadCalib(write("nokey.txt", strings.Replace(okCalib, "Tr_velo_to_cam", "Tr_other", 1)))
			return err
		}, "missing Tr_velo_to_cam"},
		{"calib no colon", func() error { _, err := ReadCalib(write("nocolon.txt", "P0 1 2 3\n")); return err }, "nocolon.txt:1"},
		{"velodyne ragged", func() error { _, err := ReadVelodyne(write("r.bin", "0123456789")); return err }, "r.bin: 10 bytes"},
		{"velodyne nan", func() error {
			_, err := ReadVelodyne(write("n.bin", "\x00\x00\xc0\x7f"+strings.Repeat("\x00", 12)))
			return err
		}, "point 0 field 0 is NaN"},
		{"label fields", func() error { _, err := ReadLabels(write("l.txt", "Car 0 0 0 1 2 3\n")); return err }, "l.txt:1: want 15 or 16 fields, got 7"},
		{"label number", func() error {
			_, err := ReadLabels(write("l2.txt", "Car 0.00 0 -1.57 599.41 156.40 629.75 189.25 2.85 2.63 12.34 0.47 1.49 zz -1.56\n"))
			return err
		}, `field z: "zz"`},
		{"label ok with score", func() error {
			ls, err := ReadLabels(write("l3.txt", "\nCar 0.00 0 -1.57 599.41 156.40 629.75 189.25 2.85 2.63 12.34 0.47 1.49 69.44 -1.56 0.9\n"))
			if err == nil && (len(ls) != 1 || ls[0].Score != 0.9 || ls[0].Z != 69.44) {
				t.Errorf("parsed %+v", ls)
			}
			return err
		}, ""},
		{"object no velodyne", func() error { _, err := OpenObject(dir); return err }, "velodyne"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.read()
			if c.want == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "kitti: ") {
				t.Fatalf("error %v, want one containing %q with prefix kitti:", err, c.want)
			}
		})
	}
}

func TestSequence(t *testing.T) {
	dir := t.TempDir()
	for _, d := range []string{"image_02", "velodyne_points"} {
		if err := os.MkdirAll(filepath.Join(dir, d, "data"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(dir, "image_02", "timestamps.txt"), []byte("2011-09-26 13:02:25.964389445\n2011-09-26 13:02:26.068056661\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "velodyne_points", "timestamps.txt"), []byte("2011-09-26 13:02:25.951199337\n2011-09-26 13:02:26.054786789\n"), 0o644)
	s, err := OpenSequence(dir)
	if err != nil {
		t.Fatal(err)
	}
	ev := s.Events()
	var got []string
	for _, e := range ev {
		got = append(got, e.Sensor)
	}
	if strings.Join(got, ",") != "lidar,camera,lidar,camera" {
		t.Errorf("event order %v", got)
	}
	if d := ev[1].StampNs - ev[0].StampNs; d != 13190108 {
		t.Errorf("camera-lidar offset %d ns, want 13190108", d)
	}
	if !strings.HasSuffix(ev[3].Path, filepath.Join("image_02", "data", "0000000001.png")) {
		t.Errorf("path %s", ev[3].Path)
	}
	os.WriteFile(filepath.Join(dir, "image_02", "timestamps.txt"), []byte("2011-09-26 13:02:26.964389445\n2011-09-26 13:02:25.068056661\n"), 0o644)
	if _, err := OpenSequence(dir); err == nil || !strings.Contains(err.Error(), "timestamps.txt:2: timestamp") {
		t.Errorf("backwards stamps: %v", err)
	}
	if _, err := OpenSequence(t.TempDir()); err == nil {
		t.Error("empty dir: no error")
	}
}

// TestVeloBox: the label boxes, moved into the lidar frame, hold the lidar points directly.
func TestVeloBox(t *testing.T) {
	ds, err := OpenObject(testdata(t, "kitti/object"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := ds.Load("000134")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for i, l := range f.Labels {
		if l.Type == "DontCare" || l.Z > 25 || l.Occluded >= 2 {
			continue
		}
		x, y, z, yaw := l.VeloBox(f.Calib)
		c, s := math.Cos(yaw), math.Sin(yaw)
		n := 0
		for _, p := range f.Points {
			dx, dy := float64(p.X)-x, float64(p.Y)-y
			bx, by := c*dx+s*dy, -s*dx+c*dy
			if math.Abs(bx) <= l.L/2 && math.Abs(by) <= l.W/2 && math.Abs(float64(p.Z)-z) <= l.H/2 {
				n++
			}
		}
		if n < 5 {
			t.Errorf("label %d (%s): %d points in its lidar-frame box at (%.2f, %.2f, %.2f) yaw %.2f", i, l.Type, n, x, y, z, yaw)
		}
		checked++
	}
	// Round trip of the rigid inverse.
	m := f.Calib.VeloToRect()
	a, b, cc := m.Apply(1, 2, 3)
	if x, y, z := f.Calib.RectToVelo().Apply(a, b, cc); math.Abs(x-1)+math.Abs(y-2)+math.Abs(z-3) > 1e-5 { // calib rotations are orthonormal to ~1e-7
		t.Errorf("RectToVelo(VeloToRect(p)) = %v %v %v", x, y, z)
	}
	if checked < 8 {
		t.Errorf("only %d labels checked", checked)
	}
}
