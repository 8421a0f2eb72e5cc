// Package eval scores perception against ground truth:
//
//   - Lidar 3D detection on KITTI object frames (EvalLidar): per class, true positives by
//     bird's-eye-view IoU (cars, IoU >= 0.5) or centre distance (pedestrians and cyclists,
//     <= 1 m), within a range and occlusion limit, inside the camera's field of view.
//   - Camera 2D detection on KITTI label_2 (EvalCamera): recall and precision at IoU >= 0.5 for
//     cars (Car, Van, Truck) and persons (Pedestrian, Cyclist, Person_sitting) at least 40 px tall.
//     DefaultCameraConfig also fixes the detector's operating point (score > 0.25, class-aware
//     NMS at 0.5) so that every model is scored alike.
//   - Multi-object tracking (MOT): CLEAR MOT (MOTA, MOTP, id switches, fragmentations) and the
//     identity measures IDF1/IDP/IDR of Ristani et al. 2016, frame by frame against ground truth
//     ids.
//
// The package does not read files: callers convert their dataset types to KITTILabel and
// KITTIFrame (cmd/avstack does this from sensors/kitti) and their detections to the Pred types.
// Rules that decide what is ignored (neither true nor false positive) follow the KITTI devkit:
// detections of a neighbouring class (a Van for cars, Person_sitting for pedestrians), of ground
// truth outside the range or occlusion limit, or inside a DontCare region are ignored.
package eval
