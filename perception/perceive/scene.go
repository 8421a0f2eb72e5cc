package perceive

import (
	"fmt"
	"math"

	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/avstack/avstack/msg/av"
	"github.com/avstack/avstack/msg/foxglove"
)

// classColor gives each class a colour in Foxglove.
func classColor(c av.ObjectClass) *foxglove.Color {
	switch c {
	case av.ObjectClass_OBJECT_CLASS_CAR:
		return &foxglove.Color{R: 0.2, G: 0.6, B: 1, A: 0.5}
	case av.ObjectClass_OBJECT_CLASS_TRUCK, av.ObjectClass_OBJECT_CLASS_BUS:
		return &foxglove.Color{R: 0.1, G: 0.3, B: 0.9, A: 0.5}
	case av.ObjectClass_OBJECT_CLASS_PEDESTRIAN:
		return &foxglove.Color{R: 1, G: 0.3, B: 0.2, A: 0.6}
	case av.ObjectClass_OBJECT_CLASS_BICYCLE, av.ObjectClass_OBJECT_CLASS_MOTORCYCLE:
		return &foxglove.Color{R: 1, G: 0.7, B: 0.1, A: 0.6}
	}
	return &foxglove.Color{R: 0.6, G: 0.6, B: 0.6, A: 0.4}
}

// scene draws an object list: every update replaces the whole scene (a deletion of all
// entities, then one entity per object: a cube and a label).
func scene(list *av.ObjectList, stamp int64, frame string) *foxglove.SceneUpdate {
	ts := &timestamppb.Timestamp{Seconds: stamp / 1e9, Nanos: int32(stamp % 1e9)}
	up := &foxglove.SceneUpdate{Deletions: []*foxglove.SceneEntityDeletion{{Timestamp: ts, Type: foxglove.SceneEntityDeletion_ALL}}}
	for _, o := range list.Objects {
		b := o.Box
		sz, cz := math.Sincos(b.Yaw / 2)
		pose := &foxglove.Pose{Position: &foxglove.Vector3{X: b.X, Y: b.Y, Z: b.Z}, Orientation: &foxglove.Quaternion{Z: sz, W: cz}}
		label := fmt.Sprintf("%d %s %.0f%%", o.Id, className(o.Class), 100*o.Score)
		up.Entities = append(up.Entities, &foxglove.SceneEntity{
			Timestamp: ts,
			FrameId:   frame,
			Id:        fmt.Sprintf("object-%d", o.Id),
			Lifetime:  durationpb.New(0),
			Cubes:     []*foxglove.CubePrimitive{{Pose: pose, Size: &foxglove.Vector3{X: b.Length, Y: b.Width, Z: b.Height}, Color: classColor(o.Class)}},
			Texts: []*foxglove.TextPrimitive{{
				Pose:      &foxglove.Pose{Position: &foxglove.Vector3{X: b.X, Y: b.Y, Z: b.Z + b.Height/2 + 0.3}, Orientation: &foxglove.Quaternion{W: 1}},
				Billboard: true, FontSize: 14, ScaleInvariant: true, Color: &foxglove.Color{R: 1, G: 1, B: 1, A: 1}, Text: label,
			}},
			Metadata: []*foxglove.KeyValuePair{{Key: "vx", Value: fmt.Sprintf("%.2f", o.Vx)}, {Key: "vy", Value: fmt.Sprintf("%.2f", o.Vy)}},
		})
	}
	return up
}

func className(c av.ObjectClass) string {
	s := c.String()
	const p = "OBJECT_CLASS_"
	if len(s) > len(p) && s[:len(p)] == p {
		s = s[len(p):]
	}
	return s
}
