// Package tiles runs a 2D detector over overlapping square tiles of a wide image and merges the
// results. Small square-input detectors (FastestDet's 352x352, Yolo-Fastest's 320x320) squash a
// 1242x375 KITTI frame by more than 3x horizontally when they see it whole; on N tiles spread
// across the width (squares of the image height, or wider where needed so that neighbours overlap
// by a quarter tile and an object cut by one tile is whole in the next) objects keep more of their
// shape and size.
// Boxes are shifted back to image pixels and merged by class-aware NMS.
//
//	dets, err := tiles.Detect(det, img, 3, 0.45) // det is a *detect.Detector
package tiles
