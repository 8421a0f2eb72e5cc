package detect

import (
	"errors"
	"reflect"
	"testing"
)

// TestParityWithOpenCV is issue 3's "real detectors" check: on the same pre-processed input,
// every output tensor of our nn graph matches OpenCV's DNN module to max |diff| <= 1e-4. For
// Darknet the compared tensors are the raw outputs of the layers feeding each [yolo] section
// (OpenCV layer conv_N, our graph's head outputs), before any decoding. Inputs: the model's own
// sample image through the manifest's pre-processing, and the peer-bench input.
//
// A known cause of a Darknet miss at the 1e-2 level: OpenCV's Darknet importer builds its batch
// norms with eps 1e-6; with 1e-5 (the ONNX/PyTorch default) yolo-fastest-1.1 differs by ~0.014.
func TestParityWithOpenCV(t *testing.T) {
	cases := []struct {
		name, manifest, image string
		needs                 []string
	}{
		{"fastestdet", "fastestdet.yaml", "models/fastestdet/3.jpg",
			[]string{"models/fastestdet/FastestDet.onnx", "models/fastestdet/coco.names"}},
		{"yolo-fastest-1.1", "yolo-fastest-1.1.yaml", "models/yolo-fastest-1.1/dog.jpg",
			[]string{"models/yolo-fastest-1.1/yolo-fastest-1.1.cfg", "models/yolo-fastest-1.1/yolo-fastest-1.1.weights", "models/yolo-fastest-1.1/coco.names"}},
	}
	const tol = 1e-4
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := LoadManifest(manifestPath(t, c.manifest, c.needs...))
			if err != nil {
				t.Fatal(err)
			}
			ours, err := OpenBackend(m, EngineAvstack)
			if errors.Is(err, errNNUnavailable) {
				t.Skip(err)
			}
			if err != nil {
				t.Fatal(err)
			}
			defer ours.Close()
			ref, err := OpenBackend(m, EngineOpenCV)
			if err != nil {
				t.Fatal(err)
			}
			defer ref.Close()

			pre := m.Preprocessing()
			img := readImage(t, testdata(t, c.image))
			imgIn := make([]float32, pre.InputLen())
			if _, err := pre.Apply(img, imgIn); err != nil {
				t.Fatal(err)
			}
			inputs := map[string][]float32{"image": imgIn, "peer-bench": BenchInput(pre.InputLen())}
			for _, name := range []string{"image", "peer-bench"} {
				oa, err := ours.Run(inputs[name])
				if err != nil {
					t.Fatal(err)
				}
				a := make([]Output, len(oa))
				for i, o := range oa {
					a[i] = Output{Name: o.Name, Shape: append([]int(nil), o.Shape...), Data: append([]float32(nil), o.Data...)}
				}
				b, err := ref.Run(inputs[name])
				if err != nil {
					t.Fatal(err)
				}
				if len(a) != len(b) {
					t.Fatalf("%s: %d outputs in our graph, %d in OpenCV", name, len(a), len(b))
				}
				for i := range a {
					if !reflect.DeepEqual(a[i].Shape, b[i].Shape) {
						t.Errorf("%s: output %d: shape %v (%s) in our graph, %v (%s) in OpenCV", name, i, a[i].Shape, a[i].Name, b[i].Shape, b[i].Name)
					}
					d, err := CompareOutputs(a[i:i+1], b[i:i+1])
					if err != nil {
						t.Fatal(err)
					}
					t.Logf("%s: output %q vs OpenCV %q %v: max |diff| %.3g", name, a[i].Name, b[i].Name, a[i].Shape, d)
					if d > tol {
						t.Errorf("%s: output %q: max |diff| %.3g > %g", name, a[i].Name, d, tol)
					}
				}
			}
		})
	}
}

// TestGraphNetRunAllocs: after warm-up, a forward pass through the nn graph engine allocates
// nothing (the graph's buffers are planned; the wrapper reuses its feed map and output slice).
func TestGraphNetRunAllocs(t *testing.T) {
	m, err := LoadManifest(manifestPath(t, "fastestdet.yaml", "models/fastestdet/FastestDet.onnx", "models/fastestdet/coco.names"))
	if err != nil {
		t.Fatal(err)
	}
	be, err := OpenBackend(m, EngineAvstack)
	if err != nil {
		t.Fatal(err)
	}
	in := BenchInput(numel(be.InputShape()))
	if _, err := be.Run(in); err != nil {
		t.Fatal(err)
	}
	if a := testing.AllocsPerRun(3, func() { be.Run(in) }); a != 0 {
		t.Errorf("Run allocates %v times per call after warm-up, want 0", a)
	}
}
