package detect

import (
	"fmt"
	"image"
	"math"

	"gocv.io/x/gocv"
)

// ResizeMode says how an image is brought to the network's input size.
type ResizeMode string

const (
	// Resize stretches the image to the input size (aspect ratio not kept).
	Resize ResizeMode = "resize"
	// Letterbox scales the image to fit inside the input keeping its aspect ratio and pads the
	// rest, centred, with PadValue.
	Letterbox ResizeMode = "letterbox"
)

// interpolations are the interpolation names a manifest may use, mapped to OpenCV's flags.
var interpolations = map[string]gocv.InterpolationFlags{
	"nearest": gocv.InterpolationNearestNeighbor,
	"linear":  gocv.InterpolationLinear,
	"cubic":   gocv.InterpolationCubic,
	"area":    gocv.InterpolationArea,
	"lanczos": gocv.InterpolationLanczos4,
}

// Preprocess turns a decoded 8-bit BGR image (what gocv.IMRead gives) into the network's input:
// a [1,3,Height,Width] tensor, channel-major, value = pixel*Scale.
type Preprocess struct {
	Width, Height int
	Mode          ResizeMode
	Interpolation string  // a key of interpolations: nearest, linear, cubic, area, lanczos
	RGB           bool    // swap BGR to RGB before writing the planes
	Scale         float64 // multiplies every 0..255 value, e.g. 1/255 (in float64, then rounded to float32)
	PadValue      uint8   // letterbox fill, per channel, before scaling
}

// Transform maps network-input pixel coordinates back to image pixels: image = (net - Pad) / Scale.
type Transform struct {
	ScaleX, ScaleY float64
	PadX, PadY     float64
	ImageW, ImageH int
}

// ToImage maps a box [x1,y1,x2,y2] in network-input pixels to image pixels, clipped to the image.
func (t Transform) ToImage(b [4]float32) [4]float32 {
	x1 := (float64(b[0]) - t.PadX) / t.ScaleX
	y1 := (float64(b[1]) - t.PadY) / t.ScaleY
	x2 := (float64(b[2]) - t.PadX) / t.ScaleX
	y2 := (float64(b[3]) - t.PadY) / t.ScaleY
	cl := func(v float64, hi int) float32 { return float32(math.Max(0, math.Min(v, float64(hi)))) }
	return [4]float32{cl(x1, t.ImageW), cl(y1, t.ImageH), cl(x2, t.ImageW), cl(y2, t.ImageH)}
}

// Validate checks the settings; the error names the field.
func (p Preprocess) Validate() error {
	if p.Width <= 0 || p.Height <= 0 {
		return fmt.Errorf("detect: preprocess: input size %dx%d must be positive", p.Width, p.Height)
	}
	if p.Mode != Resize && p.Mode != Letterbox {
		return fmt.Errorf("detect: preprocess: resize mode %q is not %q or %q", p.Mode, Resize, Letterbox)
	}
	if _, ok := interpolations[p.Interpolation]; !ok {
		return fmt.Errorf("detect: preprocess: interpolation %q is not one of nearest, linear, cubic, area, lanczos", p.Interpolation)
	}
	if !(p.Scale > 0) || math.IsInf(p.Scale, 0) {
		return fmt.Errorf("detect: preprocess: scale %v must be a positive finite number", p.Scale)
	}
	return nil
}

// InputLen is the number of float32 values Apply writes: 3*Width*Height.
func (p Preprocess) InputLen() int { return 3 * p.Width * p.Height }

// Apply writes img, pre-processed, into dst (len InputLen) and returns the transform back to image
// coordinates. img must be a non-empty 8-bit 3-channel (BGR) Mat.
func (p Preprocess) Apply(img gocv.Mat, dst []float32) (Transform, error) {
	if err := p.Validate(); err != nil {
		return Transform{}, err
	}
	if img.Empty() {
		return Transform{}, fmt.Errorf("detect: preprocess: empty image")
	}
	if img.Type() != gocv.MatTypeCV8UC3 {
		return Transform{}, fmt.Errorf("detect: preprocess: image type %v, want 8-bit 3-channel (CV_8UC3)", img.Type())
	}
	if len(dst) != p.InputLen() {
		panic(fmt.Sprintf("detect: preprocess: dst has %d values, want %d", len(dst), p.InputLen()))
	}
	w, h := img.Cols(), img.Rows()
	t := Transform{ImageW: w, ImageH: h}
	rw, rh := p.Width, p.Height
	if p.Mode == Letterbox {
		r := math.Min(float64(p.Width)/float64(w), float64(p.Height)/float64(h))
		rw = max(1, min(p.Width, int(math.Round(float64(w)*r))))
		rh = max(1, min(p.Height, int(math.Round(float64(h)*r))))
		t.PadX = float64((p.Width - rw) / 2)
		t.PadY = float64((p.Height - rh) / 2)
	}
	t.ScaleX = float64(rw) / float64(w)
	t.ScaleY = float64(rh) / float64(h)

	resized := gocv.NewMat()
	defer resized.Close()
	src := img
	if rw != w || rh != h {
		gocv.Resize(img, &resized, image.Pt(rw, rh), 0, 0, interpolations[p.Interpolation])
		src = resized
	}
	if !src.IsContinuous() {
		c := src.Clone()
		defer c.Close()
		src = c
	}
	pix, err := src.DataPtrUint8()
	if err != nil {
		return Transform{}, fmt.Errorf("detect: preprocess: %w", err)
	}
	if p.Mode == Letterbox {
		fill := float32(float64(p.PadValue) * p.Scale)
		for i := range dst {
			dst[i] = fill
		}
	}
	PlanarScale(dst, pix, rw, rh, p.Width, p.Height, int(t.PadX), int(t.PadY), p.RGB, p.Scale)
	return t, nil
}

// PlanarScale writes an interleaved 8-bit BGR image pix (w x h, rows packed) into the CHW planes
// of dst (W x H per plane) at offset (ox, oy), each value v becoming float32(float64(v)*scale)
// (as numpy's img/255.0 followed by astype(float32)); with rgb the planes are ordered R, G, B
// instead of B, G, R. Pixels of dst outside the image are left as they are.
func PlanarScale(dst []float32, pix []uint8, w, h, W, H, ox, oy int, rgb bool, scale float64) {
	if len(pix) != 3*w*h || len(dst) != 3*W*H || ox < 0 || oy < 0 || ox+w > W || oy+h > H {
		panic(fmt.Sprintf("detect: PlanarScale: image %dx%d (%d bytes) at (%d,%d) does not fit %dx%d (%d values)",
			w, h, len(pix), ox, oy, W, H, len(dst)))
	}
	var lut [256]float32
	for v := range lut {
		lut[v] = float32(float64(v) * scale)
	}
	plane := W * H
	for c := 0; c < 3; c++ {
		sc := c // source channel in BGR order
		if rgb {
			sc = 2 - c
		}
		out := dst[c*plane:]
		for y := 0; y < h; y++ {
			row := pix[y*w*3:]
			o := out[(y+oy)*W+ox:]
			for x := 0; x < w; x++ {
				o[x] = lut[row[x*3+sc]]
			}
		}
	}
}
