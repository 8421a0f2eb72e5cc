package perceive

import (
	"image"
	"path/filepath"
	"testing"

	"gocv.io/x/gocv"

	td "github.com/avstack/avstack/internal/realdata"
	"github.com/avstack/avstack/msg"
	"github.com/avstack/avstack/msg/av"
	"github.com/avstack/avstack/msg/foxglove"
	"github.com/avstack/avstack/node"
)

// frontJPEG returns FastestDet's sample 3.jpg (four persons) resized to the front camera's
// 640x360 and JPEG-encoded, as the camera driver publishes it.
func frontJPEG(t testing.TB) []byte {
	path := td.Path(t, "models", "fastestdet", "3.jpg")
	img := gocv.IMRead(path, gocv.IMReadColor)
	defer img.Close()
	if img.Empty() {
		t.Fatalf("cannot read %s", path)
	}
	small := gocv.NewMat()
	defer small.Close()
	gocv.Resize(img, &small, image.Pt(640, 360), 0, 0, gocv.InterpolationArea)
	buf, err := gocv.IMEncode(gocv.JPEGFileExt, small)
	if err != nil {
		t.Fatal(err)
	}
	defer buf.Close()
	return append([]byte(nil), buf.GetBytes()...)
}

func detectorCore(t testing.TB) *Core {
	s := DefaultSettings()
	s.Detector.Enabled = true
	s.Detector.Model = filepath.Join("..", "..", "configs", "models", "fastestdet.yaml")
	c, err := New(vehicle(), s)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestStepRunsCameraDetector(t *testing.T) {
	jpg := frontJPEG(t)
	c := detectorCore(t)
	defer c.Close()
	sp := c.Spec()
	if len(sp.Outputs) != 3 || sp.Outputs[2] != msg.Detections("front") {
		t.Fatalf("outputs %v: want the detections of front last", sp.Outputs)
	}
	stamp := int64(2e9)
	img := &foxglove.CompressedImage{Timestamp: node.Timestamp(stamp - 20e6), FrameId: "camera_front_optical", Format: "jpeg", Data: jpg}
	outs, err := c.Step([]node.Message{
		stateMsg(stamp, 0, 0, 0),
		{Subject: msg.Camera("front"), Value: img, Stamp: stamp - 20e6},
		lidarMsg(cloud(stamp)),
	}, stamp)
	if err != nil {
		t.Fatal(err)
	}
	if len(outs) != 3 || outs[2].Subject != msg.Detections("front") {
		t.Fatalf("outputs %v", outs)
	}
	d := outs[2].Value.(*av.Detections2D)
	persons := 0
	for _, x := range d.Detections {
		if x.Class == av.ObjectClass_OBJECT_CLASS_PEDESTRIAN {
			persons++
		}
	}
	if persons == 0 || d.Header.StampNs != stamp-20e6 || d.Width != 640 || d.Camera != "front" {
		t.Fatalf("detections %v (persons %d)", d, persons)
	}
	// A corrupt image is an error naming the camera subject.
	bad := &foxglove.CompressedImage{Timestamp: node.Timestamp(stamp + 80e6), Format: "jpeg", Data: []byte("not a jpeg")}
	if _, err := c.Step([]node.Message{
		{Subject: msg.Camera("front"), Value: bad, Stamp: stamp + 80e6},
		lidarMsg(cloud(stamp + 100e6)),
	}, stamp+100e6); err == nil {
		t.Fatal("a corrupt image was accepted")
	}
}

// BenchmarkCameraStage times the camera stage on one 640x360 JPEG frame: decoding, the
// detector (FastestDet, avstack engine) and the conversion to a Detections2D message.
func BenchmarkCameraStage(b *testing.B) {
	jpg := frontJPEG(b)
	c := detectorCore(b)
	defer c.Close()
	img := &foxglove.CompressedImage{Format: "jpeg", Data: jpg}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.camera.detect(img, "front", 0); err != nil {
			b.Fatal(err)
		}
	}
}
