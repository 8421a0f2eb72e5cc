package detect

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const goodManifest = `name: m
file: ${DETECT_TEST_DIR}/m.onnx
input: {width: 352, height: 352}
preprocess: {resize: resize, interpolation: area, color: bgr, scale: 1/255}
decoder: fastestdet
thresholds: {confidence: 0.65, iou: 0.45}
classes: names.txt
`

// manifestDir makes a folder holding m.onnx, m.cfg, m.weights and names.txt and points
// DETECT_TEST_DIR at it.
func manifestDir(t *testing.T) string {
	dir := t.TempDir()
	for _, f := range []string{"m.onnx", "m.cfg", "m.weights", "names.txt"} {
		if err := os.WriteFile(filepath.Join(dir, f), []byte("x\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("DETECT_TEST_DIR", dir)
	return dir
}

func TestParseManifestGood(t *testing.T) {
	dir := manifestDir(t)
	path := filepath.Join(dir, "m.yaml")
	m, err := ParseManifest(path, []byte(goodManifest))
	if err != nil {
		t.Fatal(err)
	}
	if m.File != filepath.Join(dir, "m.onnx") {
		t.Errorf("file %q: ${VAR} not expanded", m.File)
	}
	if m.Classes != filepath.Join(dir, "names.txt") {
		t.Errorf("classes %q: not resolved against the manifest's folder", m.Classes)
	}
	p := m.Preprocessing()
	want := Preprocess{Width: 352, Height: 352, Mode: Resize, Interpolation: "area", Scale: 1.0 / 255, PadValue: 114}
	if p != want {
		t.Errorf("preprocessing %+v, want %+v", p, want)
	}
}

func TestParseManifestErrors(t *testing.T) {
	dir := manifestDir(t)
	path := filepath.Join(dir, "bad.yaml")
	edit := func(old, new string) string {
		if !strings.Contains(goodManifest, old) {
			t.Fatalf("test bug: %q not in the manifest", old)
		}
		return strings.Replace(goodManifest, old, new, 1)
	}
	cases := []struct {
		name, yaml string
		want       []string // all must appear in the error
	}{
		{"unknown field", goodManifest + "mean: [0, 0, 0]\n", []string{"bad.yaml", "mean"}},
		{"misspelt nested field", edit("scale: 1/255", "scael: 1/255"), []string{"bad.yaml", "scael"}},
		{"missing name", edit("name: m\n", ""), []string{"bad.yaml", "field name"}},
		{"missing file", edit("m.onnx", "nope.onnx"), []string{"bad.yaml", "field file", "nope.onnx", "does not exist"}},
		{"not onnx", edit("m.onnx", "m.cfg"), []string{"field file", "m.cfg", "not an .onnx"}},
		{"unset variable", edit("${DETECT_TEST_DIR}", "${DETECT_TEST_UNSET_VAR}"), []string{"field file", "DETECT_TEST_UNSET_VAR", "not set"}},
		{"file and cfg", edit("decoder:", "cfg: m.cfg\nweights: m.weights\ndecoder:"), []string{"field file", "together with cfg"}},
		{"cfg without weights", edit("file: ${DETECT_TEST_DIR}/m.onnx", "cfg: m.cfg"), []string{"field cfg/weights", "both must be set"}},
		{"bad width", edit("width: 352", "width: 0"), []string{"field input.width", "0"}},
		{"bad resize", edit("resize: resize", "resize: crop"), []string{"field preprocess.resize", `"crop"`}},
		{"bad interpolation", edit("interpolation: area", "interpolation: bicubic"), []string{"field preprocess.interpolation", `"bicubic"`}},
		{"bad color", edit("color: bgr", "color: yuv"), []string{"field preprocess.color", `"yuv"`}},
		{"bad scale text", edit("scale: 1/255", "scale: one"), []string{"bad.yaml", `"one"`}},
		{"zero scale", edit("scale: 1/255", "scale: 0"), []string{"field preprocess.scale", "0"}},
		{"pad out of range", edit("scale: 1/255", "scale: 1/255, pad: 300"), []string{"field preprocess.pad", "300"}},
		{"bad decoder", edit("decoder: fastestdet", "decoder: ssd"), []string{"field decoder", `"ssd"`}},
		{"yolov3 onnx without heads", edit("decoder: fastestdet", "decoder: yolov3"), []string{"field heads", "needs its heads"}},
		{"confidence out of range", edit("confidence: 0.65", "confidence: 1.5"), []string{"field thresholds.confidence", "1.5"}},
		{"iou zero", edit("iou: 0.45", "iou: 0"), []string{"field thresholds.iou", "0"}},
		{"missing classes file", edit("classes: names.txt", "classes: coco.names"), []string{"field classes", "coco.names", "does not exist"}},
		{"two documents", goodManifest + "---\nname: x\n", []string{"more than one YAML document"}},
		{"empty", "", []string{"empty file"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseManifest(path, []byte(c.yaml))
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

// TestShippedManifests: the manifests in configs/models load and validate against the testdata.
func TestShippedManifests(t *testing.T) {
	cases := []struct {
		file, decoder string
		w, h          int
		rgb           bool
		interp        string
	}{
		{"fastestdet.yaml", "fastestdet", 352, 352, false, "linear"},
		{"yolo-fastest-1.1.yaml", "yolov3", 320, 320, true, "linear"},
	}
	testdata(t, "models")
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			m, err := LoadManifest(filepath.Join("..", "..", "configs", "models", c.file))
			if err != nil {
				t.Fatal(err)
			}
			p := m.Preprocessing()
			if m.Decoder != c.decoder || p.Width != c.w || p.Height != c.h || p.RGB != c.rgb || p.Interpolation != c.interp || p.Scale != 1.0/255 {
				t.Errorf("manifest %+v / %+v does not match the model's authors", m, p)
			}
		})
	}
}
