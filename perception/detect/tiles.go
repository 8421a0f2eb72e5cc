package detect

import (
	"fmt"
	"image"

	"gocv.io/x/gocv"
)

// Tiles splits a w x h image into n overlapping square tiles of side min(w, h), spread evenly
// along the long side (the first at 0, the last flush with the far edge). n = 1 gives one centred
// square. Small detectors see wide frames (KITTI's 1242x375) at a usable scale this way.
func Tiles(w, h, n int) ([]image.Rectangle, error) {
	if w <= 0 || h <= 0 {
		return nil, fmt.Errorf("detect: tiles: image size %dx%d", w, h)
	}
	if n < 1 {
		return nil, fmt.Errorf("detect: tiles: %d tiles, want at least 1", n)
	}
	side := min(w, h)
	span := max(w, h) - side
	rects := make([]image.Rectangle, n)
	for i := range rects {
		off := span / 2
		if n > 1 {
			off = (span*i + (n-1)/2) / (n - 1)
		}
		if w >= h {
			rects[i] = image.Rect(off, 0, off+side, side)
		} else {
			rects[i] = image.Rect(0, off, side, off+side)
		}
	}
	return rects, nil
}

// DetectTiled runs Detect on each of n square tiles (see Tiles), moves the boxes back into image
// coordinates and merges them with class-aware NMS at the detector's IoU threshold.
func (d *Detector) DetectTiled(img gocv.Mat, n int) ([]Detection, error) {
	if img.Empty() {
		return nil, fmt.Errorf("detect: tiled: empty image")
	}
	rects, err := Tiles(img.Cols(), img.Rows(), n)
	if err != nil {
		return nil, err
	}
	var all []Detection
	for _, r := range rects {
		tile := img.Region(r)
		dets, err := d.Detect(tile)
		tile.Close()
		if err != nil {
			return nil, err
		}
		for _, x := range dets {
			x.Box[0] += float32(r.Min.X)
			x.Box[2] += float32(r.Min.X)
			x.Box[1] += float32(r.Min.Y)
			x.Box[3] += float32(r.Min.Y)
			all = append(all, x)
		}
	}
	return NMS(all, d.opts.IoU), nil
}
