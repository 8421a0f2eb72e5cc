// Package kittiimport turns KITTI data into an avstack recording, so real drives can be
// replayed through perception and scored.
//
// Object layout (a folder with velodyne/, image_2/, calib/ and label_2/): each frame becomes
// one time step, Period apart (KITTI's object frames are independent samples, so the time
// axis is made up: frame k at (k+1)*Period). Per frame:
//   - av.sensor.camera.<camera>: foxglove.CompressedImage, the image_2 PNG as is (format png);
//   - av.sensor.camera.<camera>.info: foxglove.CameraCalibration from P2 (K = P2's left 3x3,
//     P = P2, R = identity: the images are rectified, no distortion);
//   - av.sensor.lidar.<lidar>: foxglove.PointCloud, the velodyne scan's bytes as is (x, y, z,
//     intensity float32, 16-byte stride; KITTI's lidar frame: x forward, y left, z up);
//   - av.tf: foxglove.FrameTransforms, the camera's optical frame in the lidar frame
//     (inverse of R0_rect * Tr_velo_to_cam);
//   - av.dataset.labels: avstack.v1.ObjectList, every label except DontCare, as a 3D box in the
//     lidar frame (centre, length along the box's x, yaw about z) with its 2D box in image_2.
//
// Raw sequence layout (a drive folder with image_02/ and/or velodyne_points/, each with
// data/ and timestamps.txt): camera and lidar samples at their own timestamps. Raw drives keep
// their calibration in the date folder in another format and have no labels; those channels
// are left out.
package kittiimport
