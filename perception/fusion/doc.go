// Package fusion combines lidar objects with camera detections (late fusion, as Apollo's and
// Autoware's camera-lidar fusion): each lidar box is projected into each camera with the
// camera's intrinsics and extrinsics, the projections are paired with the camera's 2D detections
// by the Hungarian method on 1 - IoU, and a paired object takes the camera's class and score
// (the camera knows what, the lidar knows where). Camera detections no lidar box explains become
// camera-only objects: the bottom centre of the 2D box is cast onto the ground plane (z = 0 of
// the vehicle frame) for a depth, and the box gets the class's typical size. Lidar objects no
// camera sees keep their size-based class hint.
//
//	f, _ := fusion.New(fusion.DefaultOptions())
//	objs := f.Fuse(lidarObjs, []fusion.View{{Name: "front", Camera: cam, Detections: dets}})
package fusion
