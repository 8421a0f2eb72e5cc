// Package detect is avstack's camera object detector: image pre-processing with gocv (plain resize
// or letterbox, BGR or RGB, scaling into a CHW float32 tensor), decoders for the output layouts of
// the YOLO family (FastestDet's anchor-free single head, YOLOv3/Darknet heads with anchors, YOLOv5
// rows), class-aware non-maximum suppression, class-name files, the map from COCO classes to the
// classes a car cares about, and a Detector that ties them together from a model manifest YAML
// (configs/models/*.yaml).
//
// Two engines run the network itself: "avstack", the project's own nn graph (nn/onnx, nn/darknet),
// and "opencv", OpenCV's DNN module through gocv. The OpenCV engine is the reference the nn graph is
// held to (parity tests on the same pre-processed input) and the baseline `avstack bench nn` times
// it against.
//
// Typical use:
//
//	m, err := detect.LoadManifest("configs/models/fastestdet.yaml")
//	d, err := detect.New(m, detect.WithEngine(detect.EngineAvstack))
//	defer d.Close()
//	img := gocv.IMRead("3.jpg", gocv.IMReadColor)
//	defer img.Close()
//	dets, err := d.Detect(img) // boxes in image pixels, after NMS
//
// For Darknet models both engines return the raw tensors feeding each [yolo] section
// ([1, A*(5+C), H, W], in cfg order) and this package decodes them (YOLOv3 decoder, anchors read
// from the cfg), so the engines are compared before any decoding.
//
// Tests that use real models read $AVSTACK_TESTDATA (skipped when unset, failing when a file is
// missing): go test ./perception/detect with AVSTACK_TESTDATA=../shared/testdata. Build with
// -tags matprofile to also check that no gocv Mat leaks.
//
// Coordinates: decoders produce boxes in network-input pixels; the Transform returned by
// pre-processing maps them back to image pixels (undoing the resize and any letterbox padding).
// Detector.Detect is not safe for concurrent use: it reuses one input buffer.
package detect
