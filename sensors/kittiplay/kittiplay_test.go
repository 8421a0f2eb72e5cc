package kittiplay

import (
	"encoding/binary"
	"image"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/avstack/avstack/msg"
	"github.com/avstack/avstack/msg/av"
	"github.com/avstack/avstack/msg/foxglove"
)

func defaults(path string) Settings {
	return Settings{Path: path, Camera: "kitti", Lidar: "kitti", RateHz: 10, Labels: true, PollPeriod: 5 * time.Millisecond}
}

func TestObjectLayout(t *testing.T) {
	root := os.Getenv("AVSTACK_TESTDATA")
	if root == "" {
		t.Skip("AVSTACK_TESTDATA is not set; skipping KITTI playback")
	}
	dir := filepath.Join(root, "kitti/object")
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("AVSTACK_TESTDATA is set but %s is missing", dir)
	}
	c, err := New(defaults(dir), nil)
	if err != nil {
		t.Fatal(err)
	}
	type want struct {
		points, labels, w, h int
	}
	wants := []want{{120268, 3, 1242, 375}, {19097, 15, 1224, 370}}
	for i, w := range wants {
		now := int64(i+1) * 1e8
		outs, err := c.Step(nil, now)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]any{}
		for _, o := range outs {
			got[o.Subject] = o.Value
		}
		cl := got[msg.Lidar("kitti")].(*foxglove.PointCloud)
		img := got[msg.Camera("kitti")].(*foxglove.CompressedImage)
		info := got[msg.CameraInfo("kitti")].(*foxglove.CameraCalibration)
		lab := got[msg.SubjectLabels].(*av.ObjectList)
		if n := len(cl.Data) / int(cl.PointStride); n != w.points {
			t.Errorf("frame %d: %d points, want %d", i, n, w.points)
		}
		if img.Format != "png" || int(info.Width) != w.w || int(info.Height) != w.h || math.Abs(info.K[0]-info.P[0]) > 0 {
			t.Errorf("frame %d: image %s %dx%d", i, img.Format, info.Width, info.Height)
		}
		if len(lab.Objects) != w.labels || lab.Header.StampNs != now || lab.Header.FrameId != "lidar_kitti" {
			t.Errorf("frame %d: %d labels (want %d, no DontCare) stamp %d frame %s", i, len(lab.Objects), w.labels, lab.Header.StampNs, lab.Header.FrameId)
		}
		for _, o := range lab.Objects {
			if o.Box.X < 0 { // every labelled object is in front of the camera
				t.Errorf("frame %d: object %d at x=%.1f behind the car", i, o.Id, o.Box.X)
			}
		}
	}
	if outs, _ := c.Step(nil, 3e8); len(outs) != 0 || !c.Ended() {
		t.Errorf("after the last frame: %d outputs, ended %v", len(outs), c.Ended())
	}
}

// TestRawLayout plays a tiny raw drive at its own pace.
func TestRawLayout(t *testing.T) {
	dir := t.TempDir()
	for _, d := range []string{"image_02/data", "velodyne_points/data"} {
		os.MkdirAll(filepath.Join(dir, d), 0o755)
	}
	os.WriteFile(filepath.Join(dir, "image_02", "timestamps.txt"), []byte("2011-09-26 13:02:25.100000000\n2011-09-26 13:02:25.200000000\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "velodyne_points", "timestamps.txt"), []byte("2011-09-26 13:02:25.090000000\n2011-09-26 13:02:25.190000000\n"), 0o644)
	for i := 0; i < 2; i++ {
		f, _ := os.Create(filepath.Join(dir, "image_02", "data", "000000000"+string(rune('0'+i))+".png"))
		png.Encode(f, image.NewGray(image.Rect(0, 0, 8, 4)))
		f.Close()
		b := make([]byte, 32)
		binary.LittleEndian.PutUint32(b[0:], math.Float32bits(5))
		os.WriteFile(filepath.Join(dir, "velodyne_points", "data", "000000000"+string(rune('0'+i))+".bin"), b, 0o644)
	}
	c, err := New(defaults(dir), nil)
	if err != nil {
		t.Fatal(err)
	}
	var subjects []string
	var stamps []int64
	now := int64(1e12)
	for i := 0; i < 40 && !c.Ended(); i++ {
		outs, err := c.Step(nil, now)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range outs {
			subjects = append(subjects, o.Subject)
			switch v := o.Value.(type) {
			case *foxglove.PointCloud:
				stamps = append(stamps, v.Timestamp.AsTime().UnixNano())
			case *foxglove.CompressedImage:
				stamps = append(stamps, v.Timestamp.AsTime().UnixNano())
			}
		}
		now += int64(5 * time.Millisecond)
	}
	if strings.Join(subjects, ",") != "av.sensor.lidar.kitti,av.sensor.camera.kitti,av.sensor.lidar.kitti,av.sensor.camera.kitti" {
		t.Errorf("subjects %v", subjects)
	}
	wantOff := []int64{0, 10e6, 100e6, 110e6}
	for i, s := range stamps {
		if s-stamps[0] != wantOff[i] {
			t.Errorf("sample %d at +%d ns, want +%d", i, s-stamps[0], wantOff[i])
		}
	}
}

func TestNotKitti(t *testing.T) {
	_, err := New(defaults(t.TempDir()), nil)
	if err == nil || !strings.Contains(err.Error(), "neither an object folder") {
		t.Errorf("empty folder: %v", err)
	}
}
