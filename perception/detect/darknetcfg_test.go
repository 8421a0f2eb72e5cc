package detect

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestReadDarknetCfgYoloFastest(t *testing.T) {
	cfg, err := readDarknetCfg(testdata(t, "models/yolo-fastest-1.1/yolo-fastest-1.1.cfg"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Width != 320 || cfg.Height != 320 || cfg.Channels != 3 {
		t.Errorf("net %dx%dx%d, want 320x320x3", cfg.Width, cfg.Height, cfg.Channels)
	}
	// testdata README: mask 3,4,5 on the 10x10 head first, then 0,1,2 on the 20x20 head.
	want := []YoloHead{
		{Anchors: [][2]float32{{115, 73}, {119, 199}, {242, 238}}, Classes: 80, ScaleXY: 1},
		{Anchors: [][2]float32{{12, 18}, {37, 49}, {52, 132}}, Classes: 80, ScaleXY: 1},
	}
	if !reflect.DeepEqual(cfg.Heads, want) {
		t.Errorf("heads %+v, want %+v", cfg.Heads, want)
	}
	if got := cfg.opencvHeadLayers(); len(got) != 2 || !strings.HasPrefix(got[0], "conv_") || !strings.HasPrefix(got[1], "conv_") {
		t.Errorf("OpenCV head layers %v, want two conv_N", got)
	}
}

func TestReadDarknetCfgErrors(t *testing.T) {
	cases := []struct{ name, cfg, want string }{
		{"no net", "[convolutional]\nfilters=1\n", "first section must be [net]"},
		{"bad width", "[net]\nwidth=abc\nheight=4\n", `width="abc"`},
		{"no yolo", "[net]\nwidth=4\nheight=4\n[convolutional]\nfilters=1\n", "no [yolo]"},
		{"odd anchors", "[net]\nwidth=4\nheight=4\n[convolutional]\n[yolo]\nanchors=1,2,3\n", "3 values"},
		{"mask out of range", "[net]\nwidth=4\nheight=4\n[convolutional]\n[yolo]\nanchors=1,2\nmask=1\n", "mask 1"},
		{"key outside section", "width=4\n[net]\n", "expected key=value inside a section"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "x.cfg")
			if err := os.WriteFile(p, []byte(c.cfg), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := readDarknetCfg(p)
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "x.cfg") {
				t.Fatalf("error %v, want one naming x.cfg and containing %q", err, c.want)
			}
		})
	}
}

func TestONNXInputShape(t *testing.T) {
	got, err := onnxInputShape(testdata(t, "models/fastestdet/FastestDet.onnx"))
	if err != nil {
		t.Fatal(err)
	}
	if want := []int{1, 3, 352, 352}; !reflect.DeepEqual(got, want) {
		t.Errorf("input shape %v, want %v (testdata README)", got, want)
	}
	p := filepath.Join(t.TempDir(), "junk.onnx")
	os.WriteFile(p, []byte{0xff, 0xff, 0xff}, 0o644)
	if _, err := onnxInputShape(p); err == nil || !strings.Contains(err.Error(), "junk.onnx") {
		t.Errorf("junk file: error %v, want one naming it", err)
	}
}
