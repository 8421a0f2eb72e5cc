// Package kitti reads the KITTI vision benchmark layouts.
//
// The object layout (training/ or testing/ of the 3D object benchmark) is a folder with
// velodyne/NNNNNN.bin (float32 x, y, z, reflectance per point, little-endian, lidar frame x
// forward / y left / z up), image_2/NNNNNN.png (left colour camera), calib/NNNNNN.txt (P0..P3,
// R0_rect, Tr_velo_to_cam, Tr_imu_to_velo) and label_2/NNNNNN.txt (one object per line).
//
//	ds, err := kitti.OpenObject(root)      // lists frame ids
//	f, err := ds.Load("000134")            // points, calibration, labels, image path
//	m := f.Calib.VeloToImage(2)            // P2 * R0_rect * Tr_velo_to_cam (3x4)
//	u, v, depth, ok := m.Project(x, y, z)  // pixel of a lidar point
//
// The raw sequence layout (2011_09_26/2011_09_26_drive_NNNN_sync) has one timestamps.txt per
// sensor folder (image_02, velodyne_points, oxts) with lines "2011-09-26 13:02:25.964389445";
// OpenSequence reads them and Sequence.Frames pairs the camera and lidar files by index, so a
// source can publish them at the dataset's own pace.
//
// Every reader returns an error naming the file and line/field at fault ("kitti: ...").
// The package is read-only and imports nothing of the stack but nothing else either, so
// perception evaluation can use it freely.
package kitti
