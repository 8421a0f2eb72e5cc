package msg

import (
	"fmt"
	"strings"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	"github.com/avstack/avstack/msg/av"
	"github.com/avstack/avstack/msg/foxglove"
)

// Delivery says how subscribers receive a subject.
type Delivery int

const (
	// LatestOnly: a slow consumer always gets the newest message; older ones are dropped and counted.
	LatestOnly Delivery = iota
	// Reliable: every message, in order; a bounded queue whose overflow is an error.
	Reliable
)

func (d Delivery) String() string {
	switch d {
	case LatestOnly:
		return "latest-only"
	case Reliable:
		return "reliable"
	}
	return fmt.Sprintf("Delivery(%d)", int(d))
}

// Entry describes one subject pattern of the catalogue.
type Entry struct {
	// Pattern is a NATS subject; "*" stands for exactly one token (a camera or node name).
	Pattern string
	// Types are the full protobuf names allowed on the subject; the first is the default.
	Types []protoreflect.FullName
	// RateHz is the nominal publish rate; 0 means on change.
	RateHz   float64
	Delivery Delivery
	// Recorded subjects are written by the recorder by default.
	Recorded bool
	Doc      string
}

func names(ms ...proto.Message) []protoreflect.FullName {
	out := make([]protoreflect.FullName, len(ms))
	for i, m := range ms {
		out[i] = m.ProtoReflect().Descriptor().FullName()
	}
	return out
}

// Subjects of the stack. Subject helpers below build concrete names.
const (
	SubjectVehicleState = "av.vehicle.state"
	SubjectObjects      = "av.perception.objects"
	SubjectPrediction   = "av.planning.prediction"
	SubjectTrajectory   = "av.planning.trajectory"
	SubjectRoute        = "av.planning.route"
	SubjectControl      = "av.control.command"
	SubjectSimClock     = "av.sim.clock"
	SubjectSimTruth     = "av.sim.truth"
	SubjectScene        = "av.viz.scene"
	SubjectTF           = "av.tf"
	SubjectLabels       = "av.dataset.labels"
)

// Camera returns the image subject of the named camera.
func Camera(name string) string { return "av.sensor.camera." + name }

// CameraInfo returns the calibration subject of the named camera.
func CameraInfo(name string) string { return "av.sensor.camera." + name + ".info" }

// Lidar returns the point-cloud subject of the named lidar.
func Lidar(name string) string { return "av.sensor.lidar." + name }

// Detections returns the 2D detection subject of the named camera.
func Detections(camera string) string { return "av.perception.detections." + camera }

// Status returns the status subject of the named node.
func Status(node string) string { return "av.system.status." + node }

// Catalogue is the one table of subjects. Keep it in step with DESIGN.md.
var Catalogue = []Entry{
	{Pattern: "av.sensor.camera.*", Types: names(&foxglove.CompressedImage{}, &foxglove.RawImage{}), RateHz: 20, Delivery: LatestOnly, Recorded: true, Doc: "camera image (JPEG by default)"},
	{Pattern: "av.sensor.camera.*.info", Types: names(&foxglove.CameraCalibration{}), RateHz: 0, Delivery: Reliable, Recorded: true, Doc: "camera calibration"},
	{Pattern: "av.sensor.lidar.*", Types: names(&foxglove.PointCloud{}), RateHz: 10, Delivery: LatestOnly, Recorded: true, Doc: "lidar point cloud (x, y, z, intensity float32, ...)"},
	{Pattern: SubjectVehicleState, Types: names(&av.VehicleState{}), RateHz: 100, Delivery: LatestOnly, Recorded: true, Doc: "ego odometry"},
	{Pattern: SubjectTF, Types: names(&foxglove.FrameTransforms{}), RateHz: 0, Delivery: Reliable, Recorded: true, Doc: "sensor mounting and frame tree"},
	{Pattern: "av.perception.detections.*", Types: names(&av.Detections2D{}), RateHz: 20, Delivery: LatestOnly, Recorded: true, Doc: "2D detections per camera"},
	{Pattern: SubjectObjects, Types: names(&av.ObjectList{}), RateHz: 10, Delivery: Reliable, Recorded: true, Doc: "tracked 3D objects"},
	{Pattern: SubjectPrediction, Types: names(&av.PredictionList{}), RateHz: 10, Delivery: Reliable, Recorded: true, Doc: "predicted futures of objects"},
	{Pattern: SubjectRoute, Types: names(&av.Route{}), RateHz: 0, Delivery: Reliable, Recorded: true, Doc: "the mission: route lanes, stop lines, crosswalks, goal (on change)"},
	{Pattern: SubjectTrajectory, Types: names(&av.Trajectory{}), RateHz: 10, Delivery: Reliable, Recorded: true, Doc: "planned ego trajectory"},
	{Pattern: SubjectControl, Types: names(&av.ControlCommand{}), RateHz: 50, Delivery: Reliable, Recorded: true, Doc: "actuation command"},
	{Pattern: "av.system.status.*", Types: names(&av.NodeStatus{}), RateHz: 1, Delivery: LatestOnly, Recorded: true, Doc: "node heartbeat and health"},
	{Pattern: "av.system.heartbeat.*", Types: names(&av.Clock{}), RateHz: 1, Delivery: LatestOnly, Recorded: false, Doc: "placeholder heartbeat node output"},
	{Pattern: SubjectSimClock, Types: names(&av.Clock{}), RateHz: 100, Delivery: Reliable, Recorded: true, Doc: "simulation or log time"},
	{Pattern: SubjectSimTruth, Types: names(&av.ObjectList{}), RateHz: 20, Delivery: Reliable, Recorded: true, Doc: "simulator ground truth (3D and per-camera 2D boxes)"},
	{Pattern: SubjectLabels, Types: names(&av.ObjectList{}), RateHz: 0, Delivery: Reliable, Recorded: true, Doc: "dataset labels for evaluation (KITTI)"},
	{Pattern: SubjectScene, Types: names(&foxglove.SceneUpdate{}), RateHz: 10, Delivery: LatestOnly, Recorded: true, Doc: "Foxglove 3D scene (boxes, paths)"},
}

// Match reports whether a concrete subject matches a catalogue pattern ("*" = one token,
// ">" = one or more trailing tokens).
func Match(pattern, subject string) bool {
	p := strings.Split(pattern, ".")
	s := strings.Split(subject, ".")
	for i, tok := range p {
		if tok == ">" {
			return len(s) > i
		}
		if i >= len(s) {
			return false
		}
		if tok != "*" && tok != s[i] {
			return false
		}
		if s[i] == "" {
			return false
		}
	}
	return len(p) == len(s)
}

// Lookup finds the catalogue entry of a concrete subject.
func Lookup(subject string) (Entry, bool) {
	for _, e := range Catalogue {
		if Match(e.Pattern, subject) {
			return e, true
		}
	}
	return Entry{}, false
}

// Allows reports whether the entry admits messages of the given type.
func (e Entry) Allows(name protoreflect.FullName) bool {
	for _, t := range e.Types {
		if t == name {
			return true
		}
	}
	return false
}

// NewMessage makes an empty message of a registered type by full name.
func NewMessage(name protoreflect.FullName) (proto.Message, error) {
	mt, err := protoregistry.GlobalTypes.FindMessageByName(name)
	if err != nil {
		return nil, fmt.Errorf("msg: unknown message type %q: %w", name, err)
	}
	return mt.New().Interface(), nil
}
