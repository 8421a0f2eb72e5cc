package kittiimport

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	td "github.com/avstack/avstack/internal/realdata"
	"github.com/avstack/avstack/msg"
	"github.com/avstack/avstack/msg/av"
	"github.com/avstack/avstack/msg/foxglove"
	"github.com/avstack/avstack/replay/mcapio"
	"github.com/avstack/avstack/sensors/kitti"
)

func testdata(t *testing.T, rel string) string {
	t.Helper()
	return td.Path(t, rel)
}

// TestImportObject imports the two KITTI object frames: images and clouds keep their bytes,
// calibration matches P2, and each label's 3D box centre, taken back through
// P2 * R0_rect * Tr_velo_to_cam, lands inside its 2D box.
func TestImportObject(t *testing.T) {
	dir := testdata(t, "kitti/object")
	out := filepath.Join(t.TempDir(), "kitti.mcap")
	st, err := Import(dir, out, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if st.Frames != 2 || st.Messages != 10 || st.Layout != "object" {
		t.Fatalf("stats %+v", st)
	}
	ds, err := kitti.OpenObject(dir)
	if err != nil {
		t.Fatal(err)
	}
	r, err := mcapio.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	frame := -1
	var cal *kitti.Calib
	labels, checked := 0, 0
	err = r.Each(mcapio.Filter{}, func(m mcapio.Message) error {
		switch m.Subject {
		case msg.SubjectTF:
			frame++
			f, err := ds.Load(ds.IDs[frame])
			if err != nil {
				return err
			}
			cal = f.Calib
			var tf foxglove.FrameTransforms
			if err := proto.Unmarshal(m.Data, &tf); err != nil {
				return err
			}
			q := tf.Transforms[0].Rotation
			if n := q.X*q.X + q.Y*q.Y + q.Z*q.Z + q.W*q.W; math.Abs(n-1) > 1e-9 || tf.Transforms[0].ParentFrameId != "top" {
				t.Errorf("tf %v", tf.Transforms[0])
			}
		case msg.Camera("front"):
			want, _ := os.ReadFile(ds.ImagePath(ds.IDs[frame]))
			var img foxglove.CompressedImage
			if err := proto.Unmarshal(m.Data, &img); err != nil {
				return err
			}
			if !bytes.Equal(img.Data, want) || img.Format != "png" || m.Type != "foxglove.CompressedImage" {
				t.Errorf("frame %d: image differs from %s", frame, ds.ImagePath(ds.IDs[frame]))
			}
		case msg.CameraInfo("front"):
			var ci foxglove.CameraCalibration
			if err := proto.Unmarshal(m.Data, &ci); err != nil {
				return err
			}
			if ci.K[0] != cal.P[2][0] || ci.K[2] != cal.P[2][2] || ci.P[3] != cal.P[2][3] || ci.Width < 1000 || ci.Height < 300 {
				t.Errorf("camera info %v", &ci)
			}
		case msg.Lidar("top"):
			want, _ := os.ReadFile(ds.VelodynePath(ds.IDs[frame]))
			var pc foxglove.PointCloud
			if err := proto.Unmarshal(m.Data, &pc); err != nil {
				return err
			}
			if !bytes.Equal(pc.Data, want) || pc.PointStride != 16 || len(pc.Fields) != 4 || m.Type != "foxglove.PointCloud" {
				t.Errorf("frame %d: cloud differs", frame)
			}
		case msg.SubjectLabels:
			var ol av.ObjectList
			if err := proto.Unmarshal(m.Data, &ol); err != nil {
				return err
			}
			p := cal.VeloToImage(2)
			for _, o := range ol.Objects {
				labels++
				b, ib := o.Box, o.ImageBoxes[0]
				// Boxes cut by the image border project outside their clipped 2D box.
				if ib.X1 < 5 || ib.X2 > float32(1200) {
					continue
				}
				u, v, _, ok := p.Project(b.X, b.Y, b.Z)
				if !ok || u < float64(ib.X1)-2 || u > float64(ib.X2)+2 || v < float64(ib.Y1)-2 || v > float64(ib.Y2)+2 {
					t.Errorf("frame %d object %d (%v): centre projects to (%.1f, %.1f), outside its 2D box %v", frame, o.Id, o.Class, u, v, ib)
				}
				checked++
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if labels != st.Labels || labels < 10 || checked < 8 {
		t.Fatalf("%d labels (stats %d), %d checked", labels, st.Labels, checked)
	}
}

func TestImportErrors(t *testing.T) {
	empty := t.TempDir()
	if _, err := Import(empty, filepath.Join(t.TempDir(), "x.mcap"), Options{}); err == nil {
		t.Fatal("an empty folder imported")
	}
	if _, err := Import(filepath.Join(empty, "missing"), filepath.Join(t.TempDir(), "x.mcap"), Options{}); err == nil {
		t.Fatal("a missing folder imported")
	}
	// A velodyne file that is not whole points is an error naming it.
	bad := t.TempDir()
	for _, d := range []string{"velodyne", "image_2", "calib", "label_2"} {
		os.MkdirAll(filepath.Join(bad, d), 0o755)
	}
	os.WriteFile(filepath.Join(bad, "velodyne", "000000.bin"), []byte{1, 2, 3}, 0o644)
	out := filepath.Join(t.TempDir(), "bad.mcap")
	if _, err := Import(bad, out, Options{}); err == nil {
		t.Fatal("a broken frame imported")
	} else {
		t.Log(err)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Fatal("a failed import left its output behind")
	}
}

// TestImportRaw builds a two-frame raw drive (camera at 10 Hz, lidar between) and checks that
// every sample comes out at its own timestamp, in time order, with its bytes.
func TestImportRaw(t *testing.T) {
	dir := t.TempDir()
	for _, d := range []string{"image_02/data", "velodyne_points/data"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(dir, "image_02", "timestamps.txt"), []byte("2011-09-26 13:02:25.000000000\n2011-09-26 13:02:25.100000000\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "velodyne_points", "timestamps.txt"), []byte("2011-09-26 13:02:25.050000000\n"), 0o644)
	var imgs [][]byte
	for i := 0; i < 2; i++ {
		var b bytes.Buffer
		img := image.NewGray(image.Rect(0, 0, 4+i, 3))
		if err := png.Encode(&b, img); err != nil {
			t.Fatal(err)
		}
		imgs = append(imgs, b.Bytes())
		os.WriteFile(filepath.Join(dir, "image_02", "data", fmt.Sprintf("%010d.png", i)), b.Bytes(), 0o644)
	}
	cloud := make([]byte, 32)
	cloud[0] = 7
	os.WriteFile(filepath.Join(dir, "velodyne_points", "data", "0000000000.bin"), cloud, 0o644)
	out := filepath.Join(t.TempDir(), "raw.mcap")
	st, err := Import(dir, out, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if st.Layout != "raw" || st.Messages != 3 || st.Frames != 2 {
		t.Fatalf("stats %+v", st)
	}
	r, err := mcapio.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	base := time.Date(2011, 9, 26, 13, 2, 25, 0, time.UTC).UnixNano()
	want := []struct {
		subject string
		t       int64
		data    []byte
	}{{msg.Camera("front"), base, imgs[0]}, {msg.Lidar("top"), base + 50e6, cloud}, {msg.Camera("front"), base + 100e6, imgs[1]}}
	i := 0
	err = r.Each(mcapio.Filter{}, func(m mcapio.Message) error {
		w := want[i]
		var data []byte
		if m.Subject == msg.Lidar("top") {
			var pc foxglove.PointCloud
			proto.Unmarshal(m.Data, &pc)
			data = pc.Data
		} else {
			var ci foxglove.CompressedImage
			proto.Unmarshal(m.Data, &ci)
			data = ci.Data
		}
		if m.Subject != w.subject || m.LogTime != w.t || m.PublishTime != w.t || !bytes.Equal(data, w.data) {
			return fmt.Errorf("message %d: %s at %d, want %s at %d (bytes equal %v)", i, m.Subject, m.LogTime, w.subject, w.t, bytes.Equal(data, w.data))
		}
		i++
		return nil
	})
	if err != nil || i != 3 {
		t.Fatalf("%v (%d messages)", err, i)
	}
}
