package eval

import (
	"math"
	"testing"
)

func TestEvalCameraHandCounted(t *testing.T) {
	f := synthFrame(
		KITTILabel{Type: "Car", Box2D: [4]float64{100, 100, 200, 160}, L: 1, W: 1, H: 1},       // found
		KITTILabel{Type: "Van", Box2D: [4]float64{300, 100, 400, 170}, L: 1, W: 1, H: 1},       // missed (car class)
		KITTILabel{Type: "Car", Box2D: [4]float64{500, 100, 530, 120}, L: 1, W: 1, H: 1},       // 20 px tall: don't care
		KITTILabel{Type: "Cyclist", Box2D: [4]float64{600, 80, 640, 180}, L: 1, W: 1, H: 1},    // found by a person box
		KITTILabel{Type: "Pedestrian", Box2D: [4]float64{700, 80, 730, 160}, L: 1, W: 1, H: 1}, // missed
		KITTILabel{Type: "DontCare", Box2D: [4]float64{900, 50, 1000, 200}},
	)
	preds := []CameraPred{
		{Class: "car", Box: [4]float64{105, 100, 200, 160}, Score: 0.9}, // TP (IoU 0.95)
		{Class: "truck", Box: [4]float64{101, 101, 199, 159}},           // duplicate on the same car: FP
		{Class: "car", Box: [4]float64{500, 100, 531, 121}},             // on the small car: ignored
		{Class: "bus", Box: [4]float64{910, 60, 990, 190}},              // in DontCare: ignored
		{Class: "person", Box: [4]float64{602, 82, 640, 180}},           // TP
		{Class: "person", Box: [4]float64{20, 20, 30, 40}},              // 20 px tall, unmatched: ignored
		{Class: "person", Box: [4]float64{800, 80, 830, 160}},           // FP
		{Class: "dog", Box: [4]float64{700, 80, 730, 160}},              // not evaluated
	}
	r, err := EvalCamera(f, preds, DefaultCameraConfig())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]Counts{
		"car":    {GT: 2, TP: 1, FP: 1, Ignored: 2, Recall: 0.5, Precision: 0.5},
		"person": {GT: 2, TP: 1, FP: 1, Ignored: 1, Recall: 0.5, Precision: 0.5},
	}
	for k, w := range want {
		g := r.Classes[k]
		if g.GT != w.GT || g.TP != w.TP || g.FP != w.FP || g.Ignored != w.Ignored || math.Abs(g.Recall-w.Recall) > 1e-12 || math.Abs(g.Precision-w.Precision) > 1e-12 {
			t.Errorf("%s: got %+v want %+v", k, g, w)
		}
	}
	if _, err := EvalCamera(f, []CameraPred{{Class: "car", Box: [4]float64{10, 10, 5, 20}}}, DefaultCameraConfig()); err == nil {
		t.Error("inverted box accepted")
	}
}
