package mount

import (
	"math"
	"testing"

	"github.com/avstack/avstack/config"
	"github.com/avstack/avstack/geom"
)

func near(a, b geom.Vec3) bool {
	return math.Abs(a.X-b.X) < 1e-9 && math.Abs(a.Y-b.Y) < 1e-9 && math.Abs(a.Z-b.Z) < 1e-9
}

func TestFrames(t *testing.T) {
	v := &config.Vehicle{
		Cameras: []config.Camera{{Name: "front", Mount: config.Mount{X: 1.5, Z: 1.5}},
			{Name: "left", Mount: config.Mount{X: 1, Y: 0.9, Z: 1.2, Yaw: math.Pi / 2}}},
		Lidars: []config.Lidar{{Name: "top", Mount: config.Mount{X: 1.2, Z: 1.9, Pitch: 0.1}}},
	}
	cases := []struct {
		name     string
		pose     geom.Pose3
		in, want geom.Vec3
	}{
		// A point 10 m along the front camera's optical axis is 10 m ahead of the camera.
		{"front optical axis", OpticalToVehicle(v.Cameras[0].Mount), geom.Vec3{Z: 10}, geom.Vec3{X: 11.5, Z: 1.5}},
		// Image x (right) of the front camera is vehicle -y; image y (down) is -z.
		{"front optical right/down", OpticalToVehicle(v.Cameras[0].Mount), geom.Vec3{X: 1, Y: 1}, geom.Vec3{X: 1.5, Y: -1, Z: 0.5}},
		// The left camera looks along +y.
		{"left optical axis", OpticalToVehicle(v.Cameras[1].Mount), geom.Vec3{Z: 5}, geom.Vec3{X: 1, Y: 5.9, Z: 1.2}},
		{"lidar origin", Pose(v.Lidars[0].Mount), geom.Vec3{}, geom.Vec3{X: 1.2, Z: 1.9}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.pose.Apply(c.in); !near(got, c.want) {
				t.Errorf("%v -> %v, want %v", c.in, got, c.want)
			}
		})
	}
	// Consistent with geom's projection: CameraExtrinsics is the inverse of OpticalToVehicle.
	m := v.Cameras[1].Mount
	ext := geom.CameraExtrinsics(m.X, m.Y, m.Z, m.Roll, m.Pitch, m.Yaw)
	p := geom.Vec3{X: 3, Y: 7, Z: -1}
	if got := ext.Apply(OpticalToVehicle(m).Apply(p)); !near(got, p) {
		t.Errorf("CameraExtrinsics(OpticalToVehicle(p)) = %v, want %v", got, p)
	}

	tf, err := Transforms(v, 5e9)
	if err != nil {
		t.Fatal(err)
	}
	if len(tf.Transforms) != 5 {
		t.Fatalf("%d transforms, want 5 (2 cameras x 2 + 1 lidar)", len(tf.Transforms))
	}
	l := tf.Transforms[4]
	if l.ParentFrameId != "base_link" || l.ChildFrameId != "lidar_top" || l.Translation.Z != 1.9 || math.Abs(l.Rotation.Y-math.Sin(0.05)) > 1e-12 || l.Timestamp.Seconds != 5 {
		t.Errorf("lidar transform %v", l)
	}
	if o := tf.Transforms[1]; o.ParentFrameId != "camera_front" || o.ChildFrameId != "camera_front_optical" {
		t.Errorf("optical edge %v", o)
	}
}
