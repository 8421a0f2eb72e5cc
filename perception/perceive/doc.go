// Package perceive is the perception node (kind "perception"): on every lidar scan it runs the
// lidar detector (perception/lidar), fuses the objects with the cameras' 2D detections
// (perception/fusion), moves them into the world frame with the ego pose, tracks them
// (perception/track) and publishes:
//
//   - av.perception.objects (primary): avstack.v1.ObjectList of confirmed tracks, header stamp and
//     source_stamp = the lidar scan's stamp, frame "map" (or "base_link" with world_frame: false);
//   - av.viz.scene: a foxglove.SceneUpdate with a cube and a label per object;
//   - av.perception.detections.<camera> when it runs the camera detector itself
//     (detector.enabled; off by default: a separate detector node may publish them instead).
//
// Inputs: the lidar (trigger), av.vehicle.state (for world_frame), and per camera either its
// detections (av.perception.detections.<camera>) or its images (when running the detector).
// Synchronisation: a camera frame is used with the scan when their stamps differ by at most
// sync_window; the pose is the vehicle state nearest the scan within max_state_age. Inputs
// older than the last scan minus sync_window arrive too late to be used: they are dropped and
// counted (Counters), as are detections replaced by newer ones before a scan used them.
//
// Settings (nodes[i].settings; all optional):
//
//	lidar: top                 # vehicle.lidars[].name (default: the first lidar)
//	cameras: [front]           # default: every camera of the vehicle
//	sync_window: 60ms
//	max_state_age: 100ms
//	world_frame: true
//	keep_unknown: false        # report clusters without a class hint as UNKNOWN objects
//	lidar_detection: {max_range: 80, min_range: 1, ground_height: 0.25, max_height: 3.5,
//	                  cell_size: 0.2, neighbour: 2, voxel: 0.1, min_points: 5, max_slope: 0.15}
//	tracking: {confirm_hits: 3, max_coast: 500ms, gate_distance: 5, accel_noise: 2, position_noise: 0.3}
//	fusion: {min_iou: 0.3, camera_only: true, max_camera_range: 50}
//	detector: {enabled: false, model: configs/models/fastestdet.yaml, engine: avstack, tiles: 1}
//
// Determinism: Step reads no clock for its results (stage timings, measured for monitoring, go
// only to Counters), so a replay of the same inputs gives the same outputs.
package perceive
