package detect

import (
	"fmt"
	"sort"
	"testing"

	"gocv.io/x/gocv"
)

var engines = []Engine{EngineAvstack, EngineOpenCV}

func readImage(t *testing.T, path string) gocv.Mat {
	t.Helper()
	img := gocv.IMRead(path, gocv.IMReadColor)
	if img.Empty() {
		t.Fatalf("cannot decode %s", path)
	}
	t.Cleanup(func() { img.Close() })
	return img
}

// TestFastestDetAuthorsResult: README of dog-qiuqiu/FastestDet, example image 3.jpg: 4 persons
// with scores 0.90, 0.81, 0.78, 0.89 (expected-3.png), with the authors' pre-processing (BGR,
// resize to 352, /255) and decoding (score > 0.65, NMS 0.45). Scores within 0.02. The manifest
// resizes linearly, as the model was trained; the onnx-runtime demo's area resize gives the same
// four persons with scores within 0.005 of these.
func TestFastestDetAuthorsResult(t *testing.T) {
	man := manifestPath(t, "fastestdet.yaml", "models/fastestdet/FastestDet.onnx", "models/fastestdet/coco.names")
	imgPath := testdata(t, "models/fastestdet/3.jpg")
	want := []float32{0.90, 0.89, 0.81, 0.78}
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			d := openDetector(t, man, e)
			img := readImage(t, imgPath)
			dets, err := d.Detect(img)
			if err != nil {
				t.Fatal(err)
			}
			for _, x := range dets {
				t.Logf("%s %.4f %v", x.Name, x.Score, x.Box)
			}
			if len(dets) != len(want) {
				t.Fatalf("got %d detections, want %d persons", len(dets), len(want))
			}
			got := make([]float32, len(dets))
			for i, x := range dets {
				if x.Name != "person" {
					t.Errorf("detection %d is %q, want person", i, x.Name)
				}
				got[i] = x.Score
			}
			sort.Slice(got, func(i, j int) bool { return got[i] > got[j] })
			for i := range want {
				if diff := got[i] - want[i]; diff > 0.02 || diff < -0.02 {
					t.Errorf("score %d: got %.4f, want %.2f +- 0.02", i, got[i], want[i])
				}
			}
		})
	}
}

// TestYoloFastestDog: darknet's classic dog.jpg has a dog, a bicycle and a truck; Yolo-Fastest
// 1.1 must find dog, bicycle and a car or truck.
func TestYoloFastestDog(t *testing.T) {
	man := manifestPath(t, "yolo-fastest-1.1.yaml", "models/yolo-fastest-1.1/yolo-fastest-1.1.cfg",
		"models/yolo-fastest-1.1/yolo-fastest-1.1.weights", "models/yolo-fastest-1.1/coco.names")
	imgPath := testdata(t, "models/yolo-fastest-1.1/dog.jpg")
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			d := openDetector(t, man, e)
			img := readImage(t, imgPath)
			dets, err := d.Detect(img)
			if err != nil {
				t.Fatal(err)
			}
			found := map[string]bool{}
			for _, x := range dets {
				t.Logf("%s %.4f %v", x.Name, x.Score, x.Box)
				found[x.Name] = true
			}
			for _, need := range []string{"dog", "bicycle"} {
				if !found[need] {
					t.Errorf("no %s among %s", need, names(dets))
				}
			}
			if !found["car"] && !found["truck"] {
				t.Errorf("no car or truck among %s", names(dets))
			}
		})
	}
}

func names(dets []Detection) string {
	s := "["
	for i, d := range dets {
		if i > 0 {
			s += " "
		}
		s += fmt.Sprintf("%s:%.2f", d.Name, d.Score)
	}
	return s + "]"
}
