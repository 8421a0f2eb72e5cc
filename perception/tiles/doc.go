// Package tiles runs a 2D detector over overlapping square tiles of a wide image and merges the
// results. Small square-input detectors (FastestDet's 352x352, Yolo-Fastest's 320x320) squash a
// 1242x375 KITTI frame by more than 3x horizontally when they see it whole; on N square tiles
// (side = the image height, spread evenly across the width) objects keep their shape and size.
// Boxes are shifted back to image pixels and merged by class-aware NMS.
//
//	dets, err := tiles.Detect(det, img, 3, 0.45) // det is a *detect.Detector
package tiles
