package perceive

import (
	"fmt"

	"gocv.io/x/gocv"

	"github.com/avstack/avstack/msg/av"
	"github.com/avstack/avstack/msg/foxglove"
	"github.com/avstack/avstack/perception/detect"
	"github.com/avstack/avstack/perception/tiles"
)

// cameraDetector runs the 2D detector on camera images inside the node.
type cameraDetector interface {
	detect(img *foxglove.CompressedImage, camera string, stamp int64) (*av.Detections2D, error)
	Close() error
}

// drivingClass maps perception/detect's driving classes to the message enum.
var drivingClass = map[detect.DrivingClass]av.ObjectClass{
	detect.Car:          av.ObjectClass_OBJECT_CLASS_CAR,
	detect.Truck:        av.ObjectClass_OBJECT_CLASS_TRUCK,
	detect.Bus:          av.ObjectClass_OBJECT_CLASS_BUS,
	detect.Motorcycle:   av.ObjectClass_OBJECT_CLASS_MOTORCYCLE,
	detect.Bicycle:      av.ObjectClass_OBJECT_CLASS_BICYCLE,
	detect.Person:       av.ObjectClass_OBJECT_CLASS_PEDESTRIAN,
	detect.TrafficLight: av.ObjectClass_OBJECT_CLASS_TRAFFIC_LIGHT,
	detect.StopSign:     av.ObjectClass_OBJECT_CLASS_STOP_SIGN,
}

// ToMessage converts detector output to a Detections2D message, keeping only the classes a car
// cares about.
func ToMessage(dets []detect.Detection, camera, model string, width, height int, stamp int64) *av.Detections2D {
	out := &av.Detections2D{Header: &av.Header{StampNs: stamp, SourceStampNs: stamp, FrameId: "camera_" + camera + "_optical"},
		Camera: camera, Width: uint32(width), Height: uint32(height), Model: model}
	for _, d := range dets {
		dc, ok := detect.DrivingClassOf(d.Name)
		if !ok {
			continue
		}
		out.Detections = append(out.Detections, &av.Detection2D{Class: drivingClass[dc], Label: d.Name, LabelId: int32(d.Class),
			Score: d.Score, X1: d.Box[0], Y1: d.Box[1], X2: d.Box[2], Y2: d.Box[3]})
	}
	return out
}

type gocvDetector struct {
	d     *detect.Detector
	tiles int
}

func newCameraDetector(s DetectorSettings) (cameraDetector, error) {
	m, err := detect.ResolveModel(s.Model)
	if err != nil {
		return nil, err
	}
	d, err := detect.New(m, detect.WithEngine(detect.Engine(s.Engine)))
	if err != nil {
		return nil, err
	}
	return &gocvDetector{d: d, tiles: s.Tiles}, nil
}

func (g *gocvDetector) detect(img *foxglove.CompressedImage, camera string, stamp int64) (*av.Detections2D, error) {
	if len(img.Data) == 0 {
		return nil, fmt.Errorf("empty %q image", img.Format)
	}
	mat, err := gocv.IMDecode(img.Data, gocv.IMReadColor)
	if err != nil {
		return nil, fmt.Errorf("decoding %q image: %w", img.Format, err)
	}
	defer mat.Close()
	if mat.Empty() {
		return nil, fmt.Errorf("undecodable %q image of %d bytes", img.Format, len(img.Data))
	}
	dets, err := tiles.Detect(g.d, mat, g.tiles, g.d.Manifest().Thresholds.IoU)
	if err != nil {
		return nil, err
	}
	return ToMessage(dets, camera, g.d.Manifest().Name, mat.Cols(), mat.Rows(), stamp), nil
}

func (g *gocvDetector) Close() error { return g.d.Close() }
