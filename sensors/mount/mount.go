// Package mount turns the sensor mounting of a vehicle config (cameras[].mount, lidars[].mount:
// sensor body pose in base_link) into the frame tree the stack publishes on av.tf as
// foxglove.FrameTransforms, and names the frames every sensor message uses.
//
// Frames (all right-handed):
//
//	base_link                       vehicle: x forward, y left, z up; origin rear axle on the ground
//	├── camera_<name>               camera body at its mount: x along the optical axis, y left, z up
//	│   └── camera_<name>_optical   optical frame of its images: z forward, x right, y down
//	└── lidar_<name>                lidar at its mount: x forward, y left, z up (point clouds)
//
// Perception puts a point p of frame F into the vehicle frame with Transform(...).Apply(p), or
// reads the same transforms off av.tf. The "mount" node publishes them (once at start and then
// at a slow period, since late joiners need them and the subject is reliable, not latched).
package mount

import (
	"fmt"

	"github.com/avstack/avstack/config"
	"github.com/avstack/avstack/geom"
	"github.com/avstack/avstack/msg/foxglove"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// BaseFrame is the vehicle frame.
const BaseFrame = "base_link"

// CameraFrame is a camera's body frame; CameraOpticalFrame the frame of its images.
func CameraFrame(name string) string        { return "camera_" + name }
func CameraOpticalFrame(name string) string { return "camera_" + name + "_optical" }

// LidarFrame is a lidar's frame (its point clouds' frame_id).
func LidarFrame(name string) string { return "lidar_" + name }

// Pose returns the sensor-to-vehicle pose of a mount (maps sensor-frame points into base_link).
func Pose(m config.Mount) geom.Pose3 {
	return geom.FromMount(m.X, m.Y, m.Z, m.Roll, m.Pitch, m.Yaw)
}

// bodyFromOptical maps optical-frame points (z forward, x right, y down) into the body frame
// (x forward, y left, z up).
var bodyFromOptical = geom.Pose3{R: [9]float64{
	0, 0, 1,
	-1, 0, 0,
	0, -1, 0,
}}

// OpticalToVehicle maps a camera's optical-frame points into base_link (the inverse of
// geom.CameraExtrinsics for the same mount).
func OpticalToVehicle(m config.Mount) geom.Pose3 {
	return Pose(m).Compose(bodyFromOptical)
}

// Edge is one parent -> child transform: Pose maps child-frame points into the parent frame.
type Edge struct {
	Parent, Child string
	Pose          geom.Pose3
}

// Tree lists the frame tree of a vehicle's sensors.
func Tree(v *config.Vehicle) []Edge {
	var out []Edge
	for _, c := range v.Cameras {
		out = append(out,
			Edge{BaseFrame, CameraFrame(c.Name), Pose(c.Mount)},
			Edge{CameraFrame(c.Name), CameraOpticalFrame(c.Name), bodyFromOptical})
	}
	for _, l := range v.Lidars {
		out = append(out, Edge{BaseFrame, LidarFrame(l.Name), Pose(l.Mount)})
	}
	return out
}

// Transforms builds the foxglove message of a vehicle's frame tree stamped at stampNs.
func Transforms(v *config.Vehicle, stampNs int64) (*foxglove.FrameTransforms, error) {
	ts := &timestamppb.Timestamp{Seconds: stampNs / 1e9, Nanos: int32(stampNs % 1e9)}
	out := &foxglove.FrameTransforms{}
	for _, e := range Tree(v) {
		qx, qy, qz, qw := e.Pose.Quaternion()
		for _, f := range []float64{qx, qy, qz, qw, e.Pose.T.X, e.Pose.T.Y, e.Pose.T.Z} {
			if f != f {
				return nil, fmt.Errorf("mount: %s -> %s: pose is not finite", e.Parent, e.Child)
			}
		}
		out.Transforms = append(out.Transforms, &foxglove.FrameTransform{
			Timestamp:     ts,
			ParentFrameId: e.Parent,
			ChildFrameId:  e.Child,
			Translation:   &foxglove.Vector3{X: e.Pose.T.X, Y: e.Pose.T.Y, Z: e.Pose.T.Z},
			Rotation:      &foxglove.Quaternion{X: qx, Y: qy, Z: qz, W: qw},
		})
	}
	return out, nil
}
