package detect

import (
	"image"
	"math"
	"strings"
	"testing"

	"gocv.io/x/gocv"
)

// matFromBGR builds a w x h 8-bit BGR Mat from interleaved bytes.
func matFromBGR(t *testing.T, w, h int, pix []uint8) gocv.Mat {
	t.Helper()
	m, err := gocv.NewMatFromBytes(h, w, gocv.MatTypeCV8UC3, pix)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

func TestPreprocessPlanes(t *testing.T) {
	// 2x1 image: pixel 0 is B=10 G=20 R=30, pixel 1 is B=40 G=50 R=60; no resize needed.
	pix := []uint8{10, 20, 30, 40, 50, 60}
	cases := []struct {
		name string
		rgb  bool
		want []float32
	}{
		{"bgr", false, []float32{10, 40, 20, 50, 30, 60}},
		{"rgb", true, []float32{30, 60, 20, 50, 10, 40}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			img := matFromBGR(t, 2, 1, pix)
			p := Preprocess{Width: 2, Height: 1, Mode: Resize, Interpolation: "area", RGB: c.rgb, Scale: 0.5}
			dst := make([]float32, p.InputLen())
			tr, err := p.Apply(img, dst)
			if err != nil {
				t.Fatal(err)
			}
			for i, w := range c.want {
				if dst[i] != w*0.5 {
					t.Errorf("dst[%d] = %v, want %v (all %v)", i, dst[i], w*0.5, dst)
				}
			}
			if tr.ScaleX != 1 || tr.ScaleY != 1 || tr.PadX != 0 || tr.PadY != 0 {
				t.Errorf("transform %+v, want identity", tr)
			}
		})
	}
}

func TestPreprocessLetterbox(t *testing.T) {
	// A 4x2 image of value 200 into 8x8: scale 2 -> 8x4, padded 2 rows above and below with 114.
	pix := make([]uint8, 4*2*3)
	for i := range pix {
		pix[i] = 200
	}
	img := matFromBGR(t, 4, 2, pix)
	p := Preprocess{Width: 8, Height: 8, Mode: Letterbox, Interpolation: "nearest", Scale: 1, PadValue: 114}
	dst := make([]float32, p.InputLen())
	tr, err := p.Apply(img, dst)
	if err != nil {
		t.Fatal(err)
	}
	for c := 0; c < 3; c++ {
		for y := 0; y < 8; y++ {
			want := float32(114)
			if y >= 2 && y < 6 {
				want = 200
			}
			for x := 0; x < 8; x++ {
				if got := dst[c*64+y*8+x]; got != want {
					t.Fatalf("plane %d (%d,%d) = %v, want %v", c, x, y, got, want)
				}
			}
		}
	}
	if tr.ScaleX != 2 || tr.ScaleY != 2 || tr.PadX != 0 || tr.PadY != 2 {
		t.Fatalf("transform %+v, want scale 2, pad (0,2)", tr)
	}
	// The network box [0,2,8,6] is the whole image.
	if got, want := tr.ToImage([4]float32{0, 2, 8, 6}), [4]float32{0, 0, 4, 2}; got != want {
		t.Errorf("ToImage = %v, want %v", got, want)
	}
	// Boxes are clipped to the image.
	if got, want := tr.ToImage([4]float32{-4, 0, 12, 8}), [4]float32{0, 0, 4, 2}; got != want {
		t.Errorf("ToImage clipped = %v, want %v", got, want)
	}
}

func TestPreprocessResizeTransform(t *testing.T) {
	img := matFromBGR(t, 8, 4, make([]uint8, 8*4*3))
	p := Preprocess{Width: 4, Height: 4, Mode: Resize, Interpolation: "linear", Scale: 1.0 / 255}
	tr, err := p.Apply(img, make([]float32, p.InputLen()))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := tr.ToImage([4]float32{1, 1, 3, 3}), [4]float32{2, 1, 6, 3}; got != want {
		t.Errorf("ToImage = %v, want %v", got, want)
	}
}

func TestPreprocessErrors(t *testing.T) {
	gray := gocv.NewMatWithSize(4, 4, gocv.MatTypeCV8UC1)
	defer gray.Close()
	empty := gocv.NewMat()
	defer empty.Close()
	ok := Preprocess{Width: 4, Height: 4, Mode: Resize, Interpolation: "linear", Scale: 1}
	cases := []struct {
		name string
		p    Preprocess
		img  gocv.Mat
		want string
	}{
		{"gray image", ok, gray, "want 8-bit 3-channel"},
		{"empty image", ok, empty, "empty image"},
		{"bad mode", Preprocess{Width: 4, Height: 4, Mode: "crop", Interpolation: "linear", Scale: 1}, gray, `resize mode "crop"`},
		{"bad interpolation", Preprocess{Width: 4, Height: 4, Mode: Resize, Interpolation: "bicubic", Scale: 1}, gray, `interpolation "bicubic"`},
		{"zero scale", Preprocess{Width: 4, Height: 4, Mode: Resize, Interpolation: "linear"}, gray, "scale 0"},
		{"zero size", Preprocess{Mode: Resize, Interpolation: "linear", Scale: 1}, gray, "input size 0x0"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			n := max(c.p.InputLen(), 0)
			_, err := c.p.Apply(c.img, make([]float32, n))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one containing %q", err, c.want)
			}
		})
	}
}

// TestPreprocessMatchesBlobFromImage: plain resize (linear) + RGB + 1/255 must equal OpenCV's
// cv::dnn::blobFromImage, an independent implementation of the same pre-processing.
func TestPreprocessMatchesBlobFromImage(t *testing.T) {
	img := readImage(t, testdata(t, "models/yolo-fastest-1.1/dog.jpg"))
	for _, rgb := range []bool{false, true} {
		p := Preprocess{Width: 320, Height: 256, Mode: Resize, Interpolation: "linear", RGB: rgb, Scale: 1.0 / 255}
		ours := make([]float32, p.InputLen())
		if _, err := p.Apply(img, ours); err != nil {
			t.Fatal(err)
		}
		blob := gocv.BlobFromImage(img, 1.0/255, image.Pt(320, 256), gocv.NewScalar(0, 0, 0, 0), rgb, false)
		ref, err := blob.DataPtrFloat32()
		if err != nil {
			t.Fatal(err)
		}
		if len(ref) != len(ours) {
			t.Fatalf("blob has %d values, ours %d", len(ref), len(ours))
		}
		worst := 0.0
		for i := range ours {
			worst = math.Max(worst, math.Abs(float64(ours[i]-ref[i])))
		}
		blob.Close()
		// blobFromImage scales in float32 after the resize; ours rounds v/255 once.
		if worst > 1e-6 {
			t.Errorf("rgb=%v: max |ours - blobFromImage| = %g", rgb, worst)
		}
	}
}

// TestPlanarScaleDivides: every byte value becomes float32(v/255.0) exactly, as the FastestDet
// authors' numpy img/255.0.
func TestPlanarScaleDivides(t *testing.T) {
	pix := make([]uint8, 3*256)
	for v := 0; v < 256; v++ {
		pix[3*v], pix[3*v+1], pix[3*v+2] = uint8(v), uint8(v), uint8(v)
	}
	dst := make([]float32, 3*256)
	PlanarScale(dst, pix, 256, 1, 256, 1, 0, 0, false, 1.0/255)
	for v := 0; v < 256; v++ {
		if want := float32(float64(v) / 255.0); dst[v] != want {
			t.Errorf("%d -> %v, want %v", v, dst[v], want)
		}
	}
}
