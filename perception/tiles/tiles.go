package tiles

import (
	"fmt"
	"image"
	"math"

	"gocv.io/x/gocv"

	"github.com/avstack/avstack/perception/detect"
)

// Detector finds objects in an 8-bit BGR image (a *detect.Detector is one).
type Detector interface {
	Detect(img gocv.Mat) ([]detect.Detection, error)
}

// Grid returns n tiles of a w x h image: n = 1 is the whole image; n > 1 tiles span the shorter
// edge and are spread evenly along the longer one (first at 0, last at the far end). A tile is a
// square with the side of the shorter edge when n such squares overlap by at least a quarter
// tile; otherwise it is stretched along the longer edge until they do.
func Grid(w, h, n int) ([]image.Rectangle, error) {
	if w <= 0 || h <= 0 {
		return nil, fmt.Errorf("tiles: image size %dx%d", w, h)
	}
	if n < 1 || n > 16 {
		return nil, fmt.Errorf("tiles: %d tiles: must be 1..16", n)
	}
	if n == 1 {
		return []image.Rectangle{image.Rect(0, 0, w, h)}, nil
	}
	long, short := max(w, h), min(w, h)
	// Neighbouring tiles overlap by at least a quarter of a tile, so an object cut by one
	// tile's edge is whole in the next; tiles are squares unless that overlap needs them longer.
	side := max(short, int(math.Ceil(float64(long)/(float64(n)-float64(n-1)*0.25))))
	side = min(side, long)
	out := make([]image.Rectangle, n)
	for i := range out {
		off := (long - side) * i / (n - 1)
		if w >= h {
			out[i] = image.Rect(off, 0, off+side, h)
		} else {
			out[i] = image.Rect(0, off, w, off+side)
		}
	}
	return out, nil
}

// Detect runs d on each of n tiles of img (see Grid), shifts the boxes to image pixels and
// merges them with class-aware NMS at iou. With n = 1 it is d.Detect(img).
func Detect(d Detector, img gocv.Mat, n int, iou float32) ([]detect.Detection, error) {
	if img.Empty() || img.Type() != gocv.MatTypeCV8UC3 {
		return nil, fmt.Errorf("tiles: need a non-empty 8-bit 3-channel image, got %dx%d type %v", img.Cols(), img.Rows(), img.Type())
	}
	grid, err := Grid(img.Cols(), img.Rows(), n)
	if err != nil {
		return nil, err
	}
	if n == 1 {
		return d.Detect(img)
	}
	var all []detect.Detection
	for _, r := range grid {
		tile := img.Region(r)
		dets, err := d.Detect(tile)
		tile.Close()
		if err != nil {
			return nil, fmt.Errorf("tiles: tile %v: %w", r, err)
		}
		for _, dt := range dets {
			dt.Box[0] += float32(r.Min.X)
			dt.Box[2] += float32(r.Min.X)
			dt.Box[1] += float32(r.Min.Y)
			dt.Box[3] += float32(r.Min.Y)
			all = append(all, dt)
		}
	}
	return detect.NMS(all, iou), nil
}
