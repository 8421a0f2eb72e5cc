package tiles

import (
	"image"
	"testing"

	"gocv.io/x/gocv"

	"github.com/avstack/avstack/perception/detect"
)

func TestGrid(t *testing.T) {
	cases := []struct {
		name string
		w, h int
		n    int
		want []image.Rectangle
	}{
		{"whole", 1242, 375, 1, []image.Rectangle{image.Rect(0, 0, 1242, 375)}},
		// 1242 / (3 - 2*0.25) = 496.8: longer than the height, so the tiles are 497 wide.
		{"three on KITTI", 1242, 375, 3, []image.Rectangle{image.Rect(0, 0, 497, 375), image.Rect(372, 0, 869, 375), image.Rect(745, 0, 1242, 375)}},
		// 300 / 1.75 = 171.4 -> 172 tall.
		{"two portrait", 100, 300, 2, []image.Rectangle{image.Rect(0, 0, 100, 172), image.Rect(0, 128, 100, 300)}},
		// Enough tiles to overlap as squares: 600 / (5 - 1) = 150 < 200.
		{"five squares", 600, 200, 5, []image.Rectangle{image.Rect(0, 0, 200, 200), image.Rect(100, 0, 300, 200), image.Rect(200, 0, 400, 200), image.Rect(300, 0, 500, 200), image.Rect(400, 0, 600, 200)}},
	}
	for _, c := range cases {
		got, err := Grid(c.w, c.h, c.n)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if len(got) != len(c.want) {
			t.Fatalf("%s: got %v want %v", c.name, got, c.want)
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("%s: tile %d = %v, want %v", c.name, i, got[i], c.want[i])
			}
		}
	}
	for _, bad := range [][3]int{{0, 10, 1}, {10, 10, 0}, {10, 10, 17}} {
		if _, err := Grid(bad[0], bad[1], bad[2]); err == nil {
			t.Errorf("Grid%v accepted", bad)
		}
	}
}

// fake "detects" a box at fixed tile coordinates in every tile, and records tile sizes.
type fake struct{ sizes [][2]int }

func (f *fake) Detect(img gocv.Mat) ([]detect.Detection, error) {
	f.sizes = append(f.sizes, [2]int{img.Cols(), img.Rows()})
	return []detect.Detection{{Class: 0, Name: "person", Score: 0.9, Box: [4]float32{10, 20, 60, 120}}}, nil
}

func TestDetectShiftsAndMerges(t *testing.T) {
	img := gocv.NewMatWithSize(200, 500, gocv.MatTypeCV8UC3)
	defer img.Close()
	f := &fake{}
	dets, err := Detect(f, img, 3, 0.45)
	if err != nil {
		t.Fatal(err)
	}
	// Tiles at x = 0, 150, 300: three disjoint boxes survive NMS.
	if len(dets) != 3 {
		t.Fatalf("got %d detections: %+v", len(dets), dets)
	}
	xs := map[float32]bool{}
	for _, d := range dets {
		xs[d.Box[0]] = true
		if d.Box[1] != 20 || d.Box[2]-d.Box[0] != 50 {
			t.Errorf("box %v not shifted correctly", d.Box)
		}
	}
	for _, x := range []float32{10, 160, 310} {
		if !xs[x] {
			t.Errorf("no box at x1 = %v: %+v", x, dets)
		}
	}
	for _, s := range f.sizes {
		if s != [2]int{200, 200} {
			t.Errorf("tile size %v, want 200x200", s)
		}
	}
	gray := gocv.NewMatWithSize(10, 10, gocv.MatTypeCV8UC1)
	defer gray.Close()
	if _, err := Detect(f, gray, 1, 0.45); err == nil {
		t.Error("a one-channel image was accepted")
	}
}
