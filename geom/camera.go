package geom

import "math"

// PinholeCamera projects points of the vehicle frame into an image.
type PinholeCamera struct {
	Fx, Fy, Cx, Cy float64
	Width, Height  int
	// VehicleToCamera maps vehicle-frame points into the optical frame (z forward, x right,
	// y down). Build it with CameraExtrinsics from a mount.
	VehicleToCamera Pose3
	// MinDepth below which points are behind the camera (default 0.1 m when zero).
	MinDepth float64
}

// opticalFromBody rotates a body-style frame (x forward, y left, z up) into the optical frame.
var opticalFromBody = Pose3{R: [9]float64{
	0, -1, 0,
	0, 0, -1,
	1, 0, 0,
}}

// CameraExtrinsics returns the vehicle-to-optical transform of a camera mounted at (x, y, z)
// with roll, pitch, yaw in the vehicle frame (the mount describes the camera body: x forward
// along the optical axis, y left, z up).
func CameraExtrinsics(x, y, z, roll, pitch, yaw float64) Pose3 {
	mount := FromMount(x, y, z, roll, pitch, yaw) // body -> vehicle
	return opticalFromBody.Compose(mount.Inverse())
}

// Project maps a vehicle-frame point to pixel coordinates; ok is false behind the camera.
// Points outside the image still project (ok true); use InImage to test.
func (c PinholeCamera) Project(p Vec3) (u, v, depth float64, ok bool) {
	q := c.VehicleToCamera.Apply(p)
	min := c.MinDepth
	if min == 0 {
		min = 0.1
	}
	if q.Z < min {
		return 0, 0, q.Z, false
	}
	return c.Fx*q.X/q.Z + c.Cx, c.Fy*q.Y/q.Z + c.Cy, q.Z, true
}

// InImage reports whether a pixel lies within the image.
func (c PinholeCamera) InImage(u, v float64) bool {
	return u >= 0 && v >= 0 && u < float64(c.Width) && v < float64(c.Height)
}

// ProjectBox returns the image rectangle enclosing the projection of a box's corners, clipped
// to the image; ok is false when any corner is behind the camera or the rectangle is empty.
func (c PinholeCamera) ProjectBox(b Box) (Rect, bool) {
	r := Rect{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}
	for _, p := range b.Corners3() {
		u, v, _, ok := c.Project(p)
		if !ok {
			return Rect{}, false
		}
		r.X1, r.Y1 = math.Min(r.X1, u), math.Min(r.Y1, v)
		r.X2, r.Y2 = math.Max(r.X2, u), math.Max(r.Y2, v)
	}
	r = r.Intersect(Rect{0, 0, float64(c.Width), float64(c.Height)})
	if r.Area() == 0 {
		return Rect{}, false
	}
	return r, true
}

// Ray returns the unit direction, in the vehicle frame, of the ray through pixel (u, v), and
// the camera centre.
func (c PinholeCamera) Ray(u, v float64) (origin, dir Vec3) {
	inv := c.VehicleToCamera.Inverse()
	d := inv.Rotate(Vec3{(u - c.Cx) / c.Fx, (v - c.Cy) / c.Fy, 1})
	return inv.T, d.Scale(1 / d.Norm())
}
