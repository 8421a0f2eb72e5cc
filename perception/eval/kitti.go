package eval

import (
	"fmt"
	"math"

	"github.com/avstack/avstack/geom"
)

// KITTILabel is one object of a KITTI label_2 file.
type KITTILabel struct {
	// Type: Car, Van, Truck, Pedestrian, Person_sitting, Cyclist, Tram, Misc or DontCare.
	Type      string
	Truncated float64
	// Occluded: 0 fully visible, 1 partly, 2 largely, 3 unknown.
	Occluded int
	// Box2D is x1, y1, x2, y2 in image_2 pixels.
	Box2D [4]float64
	// H, W, L size and X, Y, Z bottom centre in the rectified camera frame; RotationY about its y.
	H, W, L, X, Y, Z, RotationY float64
}

// KITTIFrame is the ground truth and calibration of one KITTI object frame.
type KITTIFrame struct {
	ID     string
	Labels []KITTILabel
	// VeloToRect is R0_rect * Tr_velo_to_cam (3x4, row-major); VeloToImage is P2 times it.
	VeloToRect, VeloToImage [12]float64
	// ImageWidth and ImageHeight of image_2.
	ImageWidth, ImageHeight int
}

// rigid inverts the 3x4 affine map m (x -> A x + t).
func invertAffine(m [12]float64) ([12]float64, error) {
	a := [9]float64{m[0], m[1], m[2], m[4], m[5], m[6], m[8], m[9], m[10]}
	det := a[0]*(a[4]*a[8]-a[5]*a[7]) - a[1]*(a[3]*a[8]-a[5]*a[6]) + a[2]*(a[3]*a[7]-a[4]*a[6])
	if math.Abs(det) < 1e-9 || math.IsNaN(det) {
		return [12]float64{}, fmt.Errorf("eval: velo-to-camera transform is singular (det %g)", det)
	}
	inv := [9]float64{
		(a[4]*a[8] - a[5]*a[7]) / det, (a[2]*a[7] - a[1]*a[8]) / det, (a[1]*a[5] - a[2]*a[4]) / det,
		(a[5]*a[6] - a[3]*a[8]) / det, (a[0]*a[8] - a[2]*a[6]) / det, (a[2]*a[3] - a[0]*a[5]) / det,
		(a[3]*a[7] - a[4]*a[6]) / det, (a[1]*a[6] - a[0]*a[7]) / det, (a[0]*a[4] - a[1]*a[3]) / det,
	}
	t := [3]float64{m[3], m[7], m[11]}
	var out [12]float64
	for r := 0; r < 3; r++ {
		out[4*r] = inv[3*r]
		out[4*r+1] = inv[3*r+1]
		out[4*r+2] = inv[3*r+2]
		out[4*r+3] = -(inv[3*r]*t[0] + inv[3*r+1]*t[1] + inv[3*r+2]*t[2])
	}
	return out, nil
}

func apply34(m [12]float64, x, y, z float64) (float64, float64, float64) {
	return m[0]*x + m[1]*y + m[2]*z + m[3], m[4]*x + m[5]*y + m[6]*z + m[7], m[8]*x + m[9]*y + m[10]*z + m[11]
}

// LabelBoxes converts the 3D boxes of a frame's labels into the lidar frame (x forward, y left,
// z up): centre (not bottom centre), length along the heading. DontCare labels get a zero box.
func LabelBoxes(f KITTIFrame) ([]geom.Box, error) {
	inv, err := invertAffine(f.VeloToRect)
	if err != nil {
		return nil, fmt.Errorf("eval: frame %s: %w", f.ID, err)
	}
	out := make([]geom.Box, len(f.Labels))
	for i, l := range f.Labels {
		if l.Type == "DontCare" {
			continue
		}
		// Bottom centre and top centre (camera y points down).
		bx, by, bz := apply34(inv, l.X, l.Y, l.Z)
		tx, ty, tz := apply34(inv, l.X, l.Y-l.H, l.Z)
		// Heading: the box's x axis in the camera frame is (cos ry, 0, -sin ry).
		hx, hy, hz := apply34(inv, l.X+math.Cos(l.RotationY), l.Y, l.Z-math.Sin(l.RotationY))
		out[i] = geom.Box{
			X: (bx + tx) / 2, Y: (by + ty) / 2, Z: (bz + tz) / 2,
			Length: l.L, Width: l.W, Height: l.H,
			Yaw: math.Atan2(hy-by, hx-bx),
		}
		_ = hz
	}
	return out, nil
}

// Project maps a lidar-frame point to image_2 pixels; ok is false behind the camera.
func (f KITTIFrame) Project(x, y, z float64) (u, v float64, ok bool) {
	a, b, w := apply34(f.VeloToImage, x, y, z)
	if !(w > 0.1) {
		return 0, 0, false
	}
	return a / w, b / w, true
}

// InView reports whether a lidar-frame point projects inside image_2.
func (f KITTIFrame) InView(x, y, z float64) bool {
	u, v, ok := f.Project(x, y, z)
	return ok && u >= 0 && v >= 0 && u < float64(f.ImageWidth) && v < float64(f.ImageHeight)
}

// Validate checks a frame's labels for values the evaluation cannot use.
func (f KITTIFrame) Validate() error {
	if f.ImageWidth <= 0 || f.ImageHeight <= 0 {
		return fmt.Errorf("eval: frame %s: image size %dx%d", f.ID, f.ImageWidth, f.ImageHeight)
	}
	for i, l := range f.Labels {
		if l.Type == "DontCare" {
			continue
		}
		if !(l.L > 0 && l.W > 0 && l.H > 0) {
			return fmt.Errorf("eval: frame %s: label %d (%s): size h=%v w=%v l=%v must be > 0", f.ID, i, l.Type, l.H, l.W, l.L)
		}
	}
	return nil
}
