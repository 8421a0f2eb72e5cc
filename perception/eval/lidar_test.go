package eval

import (
	"math"
	"testing"

	"github.com/avstack/avstack/geom"
	"github.com/avstack/avstack/msg/av"
)

// synthFrame has an ideal calibration: camera axes are a permutation of the lidar's
// (x_cam = -y, y_cam = -z, z_cam = x), fx = fy = 700, principal point (600, 180), 1200x360.
func synthFrame(labels ...KITTILabel) KITTIFrame {
	perm := [12]float64{0, -1, 0, 0, 0, 0, -1, 0, 1, 0, 0, 0}
	img := [12]float64{600, -700, 0, 0, 180, 0, -700, 0, 1, 0, 0, 0}
	return KITTIFrame{ID: "synth", Labels: labels, VeloToRect: perm, VeloToImage: img, ImageWidth: 1200, ImageHeight: 360}
}

// label places an object whose lidar-frame bottom centre is (x, y, -1.7) with heading yaw.
func label(typ string, x, y, yaw, l, w, h float64, occ int) KITTILabel {
	// Camera heading (cos ry, 0, -sin ry) equals lidar (cos yaw, sin yaw, 0) mapped: (-sin yaw, 0, cos yaw).
	ry := math.Atan2(-math.Cos(yaw), -math.Sin(yaw))
	return KITTILabel{Type: typ, Occluded: occ, L: l, W: w, H: h, X: -y, Y: 1.7, Z: x, RotationY: ry}
}

func TestLabelBoxes(t *testing.T) {
	f := synthFrame(label("Car", 10, -2, 0.3, 4, 1.8, 1.5, 0))
	boxes, err := LabelBoxes(f)
	if err != nil {
		t.Fatal(err)
	}
	b := boxes[0]
	want := geom.Box{X: 10, Y: -2, Z: -1.7 + 0.75, Length: 4, Width: 1.8, Height: 1.5, Yaw: 0.3}
	if math.Abs(b.X-want.X)+math.Abs(b.Y-want.Y)+math.Abs(b.Z-want.Z)+math.Abs(b.Yaw-want.Yaw) > 1e-9 {
		t.Fatalf("got %+v want %+v", b, want)
	}
	if _, err := LabelBoxes(KITTIFrame{ID: "x"}); err == nil {
		t.Fatal("singular calibration accepted")
	}
}

func TestEvalLidarHandCounted(t *testing.T) {
	dontCare := KITTILabel{Type: "DontCare", Box2D: [4]float64{400, 0, 430, 360}}
	f := synthFrame(
		label("Car", 10, -2, 0, 4, 1.8, 1.5, 0), // matched
		label("Car", 15, 8, 0, 4, 1.8, 1.5, 0),  // missed
		label("Car", 50, 0, 0, 4, 1.8, 1.5, 0),  // beyond 40 m: don't care
		label("Car", 12, 6, 0, 4, 1.8, 1.5, 2),  // heavily occluded: don't care
		label("Van", 20, 3, 0, 5, 2, 2, 0),      // neighbour class: don't care
		label("Pedestrian", 15, 1, 0, 0.8, 0.6, 1.7, 0),
		dontCare,
	)
	car := func(x, y, yaw float64) LidarPred {
		return LidarPred{Class: av.ObjectClass_OBJECT_CLASS_CAR, Box: geom.Box{X: x, Y: y, Z: -1, Length: 4, Width: 1.8, Height: 1.5, Yaw: yaw}}
	}
	ped := func(x, y float64) LidarPred {
		return LidarPred{Class: av.ObjectClass_OBJECT_CLASS_PEDESTRIAN, Box: geom.Box{X: x, Y: y, Z: -1, Length: 0.8, Width: 0.6, Height: 1.7}}
	}
	preds := []LidarPred{
		car(10.2, -2.1, math.Pi), // TP (heading reversed: BEV IoU does not care)
		car(20, 3, 0),            // on the van: ignored
		car(50, 0, 0),            // beyond range: ignored
		car(12, 6, 0),            // on the occluded car: ignored
		car(30, 8, 0),            // in the DontCare region: ignored
		car(25, -5, 0),           // FP
		car(-10, 0, 0),           // behind the camera: not counted
		car(10.2, -2.1, 1.2),     // a second box on the matched car, turned: FP (IoU < 0.5)
		ped(15.5, 1),             // TP at 0.5 m
		ped(30, 0),               // FP
	}
	r, err := EvalLidar(f, preds, DefaultLidarConfig())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]Counts{
		"car":        {GT: 2, TP: 1, FP: 2, Ignored: 4, Recall: 0.5, Precision: 1.0 / 3},
		"pedestrian": {GT: 1, TP: 1, FP: 1, Recall: 1, Precision: 0.5},
		"cyclist":    {GT: 0, Recall: 1, Precision: 1},
	}
	for k, w := range want {
		g := r.Classes[k]
		if g.GT != w.GT || g.TP != w.TP || g.FP != w.FP || g.Ignored != w.Ignored || math.Abs(g.Recall-w.Recall) > 1e-12 || math.Abs(g.Precision-w.Precision) > 1e-12 {
			t.Errorf("%s: got %+v want %+v", k, g, w)
		}
	}
}
