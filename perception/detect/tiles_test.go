package detect

import (
	"image"
	"reflect"
	"testing"
)

func TestTiles(t *testing.T) {
	cases := []struct {
		name    string
		w, h, n int
		want    []image.Rectangle
	}{
		{"one centred", 1242, 375, 1, []image.Rectangle{image.Rect(433, 0, 808, 375)}},
		{"three across kitti", 1242, 375, 3, []image.Rectangle{
			image.Rect(0, 0, 375, 375), image.Rect(434, 0, 809, 375), image.Rect(867, 0, 1242, 375)}},
		{"two down a portrait", 100, 300, 2, []image.Rectangle{image.Rect(0, 0, 100, 100), image.Rect(0, 200, 100, 300)}},
		{"square", 50, 50, 2, []image.Rectangle{image.Rect(0, 0, 50, 50), image.Rect(0, 0, 50, 50)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Tiles(c.w, c.h, c.n)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("Tiles(%d,%d,%d) = %v, want %v", c.w, c.h, c.n, got, c.want)
			}
		})
	}
	if _, err := Tiles(10, 10, 0); err == nil {
		t.Error("0 tiles accepted")
	}
}

// TestTiledKITTIEngines: FastestDet with 3 tiles on KITTI 000134 finds the same objects in our
// nn graph as in OpenCV DNN (issue 7 measures recall against OpenCV's result on this frame), and
// the tiles find at least as many persons as one plain resize of the whole frame.
func TestTiledKITTIEngines(t *testing.T) {
	man := manifestPath(t, "fastestdet.yaml", "models/fastestdet/FastestDet.onnx", "models/fastestdet/coco.names")
	img := readImage(t, testdata(t, "kitti/object/image_2/000134.png"))
	var results [][]Detection
	for _, e := range []Engine{EngineOpenCV, EngineAvstack} {
		d := openDetector(t, man, e)
		plain, err := d.Detect(img)
		if err != nil {
			t.Fatal(err)
		}
		tiled, err := d.DetectTiled(img, 3)
		if err != nil {
			t.Fatal(err)
		}
		count := func(ds []Detection) (n int) {
			for _, x := range ds {
				if x.Name == "person" {
					n++
				}
			}
			return n
		}
		t.Logf("%s: plain %d persons %s; 3 tiles %d persons %s", e, count(plain), names(plain), count(tiled), names(tiled))
		if count(tiled) < count(plain) {
			t.Errorf("%s: 3 tiles find %d persons, plain resize %d", e, count(tiled), count(plain))
		}
		results = append(results, tiled)
	}
	if len(results) == 2 {
		a, b := results[0], results[1]
		if len(a) != len(b) {
			t.Fatalf("OpenCV %d detections, ours %d", len(b), len(a))
		}
		for i := range a {
			if a[i].Class != b[i].Class || abs32(a[i].Score-b[i].Score) > 1e-3 || !near(a[i].Box, b[i].Box, 0.5) {
				t.Errorf("detection %d: OpenCV %+v, ours %+v", i, a[i], b[i])
			}
		}
	}
}
