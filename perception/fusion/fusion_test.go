package fusion

import (
	"math"
	"testing"

	"github.com/avstack/avstack/geom"
	"github.com/avstack/avstack/msg/av"
)

// front is the default vehicle's camera: 640x360, f = 320 px, mounted at x 1.5, z 1.5.
func front() geom.PinholeCamera {
	return geom.PinholeCamera{Fx: 320, Fy: 320, Cx: 320, Cy: 180, Width: 640, Height: 360,
		VehicleToCamera: geom.CameraExtrinsics(1.5, 0, 1.5, 0, 0, 0)}
}

func detOf(t *testing.T, cam geom.PinholeCamera, b geom.Box, class av.ObjectClass, score float32) *av.Detection2D {
	r, ok := cam.ProjectBox(b)
	if !ok {
		t.Fatalf("box %+v not visible", b)
	}
	return &av.Detection2D{Class: class, Score: score, X1: float32(r.X1), Y1: float32(r.Y1), X2: float32(r.X2), Y2: float32(r.Y2)}
}

func TestFuse(t *testing.T) {
	cam := front()
	car := geom.Box{X: 20, Y: 1, Z: 0.75, Length: 4.2, Width: 1.8, Height: 1.5}
	person := geom.Box{X: 12, Y: -3, Z: 0.85, Length: 0.6, Width: 0.6, Height: 1.7}
	behind := geom.Box{X: -15, Y: 0, Z: 0.75, Length: 4, Width: 1.8, Height: 1.5}
	lidar := []Object{
		{Box: car, Class: av.ObjectClass_OBJECT_CLASS_CAR, Score: 0.5, Sources: uint32(av.SourceMask_SOURCE_LIDAR)},
		{Box: person, Class: av.ObjectClass_OBJECT_CLASS_UNKNOWN, Score: 0.3, Sources: uint32(av.SourceMask_SOURCE_LIDAR)},
		{Box: behind, Class: av.ObjectClass_OBJECT_CLASS_CAR, Score: 0.5, Sources: uint32(av.SourceMask_SOURCE_LIDAR)},
	}
	camOnlyCar := geom.Box{X: 30, Y: -6, Z: 0.75, Length: 4.2, Width: 1.8, Height: 1.5}
	dets := []*av.Detection2D{
		detOf(t, cam, person, av.ObjectClass_OBJECT_CLASS_PEDESTRIAN, 0.8),
		detOf(t, cam, car, av.ObjectClass_OBJECT_CLASS_TRUCK, 0.7),
		detOf(t, cam, camOnlyCar, av.ObjectClass_OBJECT_CLASS_CAR, 0.6),
		{Class: av.ObjectClass_OBJECT_CLASS_TRAFFIC_LIGHT, Score: 0.9, X1: 300, Y1: 10, X2: 310, Y2: 30},
	}
	f, err := New(DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	out := f.Fuse(lidar, []View{{Name: "front", Camera: cam, Detections: dets}})
	if len(out) != 4 {
		t.Fatalf("%d objects, want 3 lidar + 1 camera-only: %+v", len(out), out)
	}
	both := uint32(av.SourceMask_SOURCE_LIDAR | av.SourceMask_SOURCE_CAMERA)
	cases := []struct {
		name    string
		got     Object
		class   av.ObjectClass
		score   float32
		sources uint32
	}{
		{"car takes the camera's class", out[0], av.ObjectClass_OBJECT_CLASS_TRUCK, 0.7, both},
		{"unknown cluster becomes a pedestrian", out[1], av.ObjectClass_OBJECT_CLASS_PEDESTRIAN, 0.8, both},
		{"unseen lidar object keeps its hint", out[2], av.ObjectClass_OBJECT_CLASS_CAR, 0.5, uint32(av.SourceMask_SOURCE_LIDAR)},
		{"camera-only car", out[3], av.ObjectClass_OBJECT_CLASS_CAR, 0.6, uint32(av.SourceMask_SOURCE_CAMERA)},
	}
	for _, c := range cases {
		if c.got.Class != c.class || c.got.Score != c.score || c.got.Sources != c.sources {
			t.Errorf("%s: class %v score %v sources %b, want %v %v %b", c.name, c.got.Class, c.got.Score, c.got.Sources, c.class, c.score, c.sources)
		}
	}
	if len(out[0].ImageBoxes) != 1 || out[0].ImageBoxes[0].Camera != "front" {
		t.Errorf("fused car image boxes: %+v", out[0].ImageBoxes)
	}
	// Ground-plane depth: the camera-only car's near face is at x = 30 - 2.1; a projected box's
	// bottom centre is its nearest bottom edge, so the range error is small.
	c := out[3].Box
	if d := math.Hypot(c.X-camOnlyCar.X, c.Y-camOnlyCar.Y); d > 0.1*math.Hypot(camOnlyCar.X, camOnlyCar.Y) {
		t.Errorf("camera-only car at (%.1f, %.1f), truth (%.1f, %.1f): %.1f m off", c.X, c.Y, camOnlyCar.X, camOnlyCar.Y, d)
	}
}

func TestCameraOnlySuppressedNearLidar(t *testing.T) {
	cam := front()
	car := geom.Box{X: 20, Y: 1, Z: 0.75, Length: 4.2, Width: 1.8, Height: 1.5}
	lidar := []Object{{Box: geom.Box{X: 20, Y: 1, Z: 0.75, Length: 1, Width: 1, Height: 1.5}, Class: av.ObjectClass_OBJECT_CLASS_UNKNOWN}}
	// The detection's box is the full car; the lidar saw a fragment whose projection overlaps
	// little, so they do not pair, but the camera-only object would land on the fragment.
	d := detOf(t, cam, car, av.ObjectClass_OBJECT_CLASS_CAR, 0.9)
	o := DefaultOptions()
	o.MinIoU = 0.9
	f, _ := New(o)
	out := f.Fuse(lidar, []View{{Name: "front", Camera: cam, Detections: []*av.Detection2D{d}}})
	if len(out) != 1 {
		t.Fatalf("%d objects, want the lidar one only: %+v", len(out), out)
	}
}

func TestOptionsValidate(t *testing.T) {
	o := DefaultOptions()
	o.MinIoU = 0
	if _, err := New(o); err == nil {
		t.Error("min_iou 0 accepted")
	}
	o = DefaultOptions()
	o.MaxCameraRange = math.NaN()
	if _, err := New(o); err == nil {
		t.Error("NaN range accepted")
	}
}
