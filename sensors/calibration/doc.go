// Package calibration solves a camera's intrinsics and distortion from chessboard images and
// reads and writes the calibration YAML that the camera driver and configs/vehicle.yaml
// (cameras[].calibration_file) use.
//
//	res, err := calibration.Calibrate(paths, calibration.Board{Cols: 9, Rows: 6, Square: 0.025})
//	err = calibration.WriteFile("configs/cameras/front.yaml", res.File())
//	f, err := calibration.ReadFile("configs/cameras/front.yaml") // K, D, width, height
//
// The solver is OpenCV's (gocv): FindChessboardCorners on each grey image, CornerSubPix to
// refine, CalibrateCamera over every view where the whole board was found (plumb_bob model:
// k1 k2 p1 p2 k3). RMS is OpenCV's reprojection error in pixels.
//
// OpenCV aborts the process on an exception, so every input is checked first: images must
// decode, all have the same size, and the board needs at least 3x3 inner corners.
package calibration
