// Package lidar finds objects in a single lidar scan without a neural network: the classical
// pipeline of Autoware's euclidean_cluster and Apollo's early lidar segmentation.
//
// Stages, each usable on its own:
//
//  1. SegmentGround: a polar grid (sectors x range bins) around the sensor; in each sector the
//     ground height is walked outwards from the sensor, accepting a bin's lowest point as ground
//     when it is within a slope bound of the last ground bin. Points less than GroundHeight above
//     their bin's ground are ground; points more than MaxHeight above it (trees, bridges) are
//     dropped. Works on slopes and hills because the ground follows the terrain bin by bin.
//  2. VoxelDownsample: the centroid of the remaining points per cubic voxel.
//  3. Cluster: connected components of the occupied cells of a bird's-eye-view grid (Euclidean
//     clustering with the cell size as the distance quantum).
//  4. FitBox: an oriented rectangle per cluster by L-shape fitting (search over headings with the
//     closeness criterion of Zhang et al., "Efficient L-Shape Fitting for Vehicle Detection Using
//     Laser Scanners", 2017), then a size-based class hint (car, truck, pedestrian, cyclist) and,
//     for vehicles, completion of the box to a typical size away from the sensor (a lidar only sees
//     the near faces).
//
// Typical use:
//
//	det := lidar.NewDetector(lidar.DefaultOptions())
//	objs := det.Detect(points) // points in a frame with z up, the sensor at (SensorX, SensorY)
//	st := det.Stats()          // per-stage timings and counts of the last scan
//
// The points' frame must have z up; GroundZ is the expected ground height at the sensor (0 in the
// vehicle frame base_link, about -1.73 m in KITTI's velodyne frame). A Detector reuses its buffers
// between scans, so it is not safe for concurrent use and allocates little per scan.
package lidar
