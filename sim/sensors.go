package sim

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"

	"google.golang.org/protobuf/proto"

	"github.com/avstack/avstack/config"
	"github.com/avstack/avstack/geom"
	"github.com/avstack/avstack/msg"
	"github.com/avstack/avstack/msg/av"
	"github.com/avstack/avstack/msg/foxglove"
	"github.com/avstack/avstack/node"
	"github.com/avstack/avstack/sim/raycast"
	"github.com/avstack/avstack/sim/render"
	"github.com/avstack/avstack/sim/scenario"
)

// JPEGQuality of simulated camera frames.
const JPEGQuality = 85

// CameraModel converts a configured camera into the pinhole model the renderer uses. Lens
// distortion (d) is not simulated; a camera given only by calibration_file is refused.
func CameraModel(c config.Camera) (geom.PinholeCamera, error) {
	if len(c.K) != 9 {
		return geom.PinholeCamera{}, fmt.Errorf("sim: camera %s: needs k in the vehicle config (calibration_file alone is not supported by the simulator)", c.Name)
	}
	m := c.Mount
	return geom.PinholeCamera{Fx: c.K[0], Fy: c.K[4], Cx: c.K[2], Cy: c.K[5], Width: c.Width, Height: c.Height,
		VehicleToCamera: geom.CameraExtrinsics(m.X, m.Y, m.Z, m.Roll, m.Pitch, m.Yaw)}, nil
}

type simCamera struct {
	cfg    config.Camera
	r      *render.Renderer
	every  uint64 // ticks per frame
	last   []render.Label
	frames uint64
}

type simLidar struct {
	cfg   config.Lidar
	l     *raycast.Lidar
	every uint64
	buf   []float32
}

type outMsg struct {
	subject string
	msg     proto.Message
}

// sensorSet renders the cameras and casts the lidars of a run.
type sensorSet struct {
	w       *World
	cams    []*simCamera
	lidars  []*simLidar
	rng     *rand.Rand
	objects []render.Object
}

func ticksPer(rate float64, what string) (uint64, error) {
	if !(rate > 0) {
		return 0, fmt.Errorf("sim: %s: rate_hz must be positive to simulate it", what)
	}
	n := math.Round(1 / (rate * TickPeriod))
	if n < 1 {
		n = 1
	}
	return uint64(n), nil
}

func selected(name string, list []string) bool {
	if len(list) == 0 {
		return true
	}
	for _, n := range list {
		if n == name {
			return true
		}
	}
	return false
}

// newSensorSet builds the cameras and, when lidars is set, the lidars of the run.
func newSensorSet(w *World, lidars bool) (*sensorSet, error) {
	sc := w.Scenario.Sensors
	v := w.Vehicle
	for i, n := range sc.Cameras {
		if _, ok := v.Camera(n); !ok {
			return nil, fmt.Errorf("sim: %s: sensors.cameras[%d] = %q: no such camera in %s", w.Scenario.File, i, n, v.File)
		}
	}
	for i, n := range sc.Lidars {
		if _, ok := v.Lidar(n); !ok {
			return nil, fmt.Errorf("sim: %s: sensors.lidars[%d] = %q: no such lidar in %s", w.Scenario.File, i, n, v.File)
		}
	}
	s := &sensorSet{w: w, rng: rand.New(rand.NewPCG(w.Seed, 0x6c69646172))}
	for _, c := range v.Cameras {
		if !selected(c.Name, sc.Cameras) {
			continue
		}
		cm, err := CameraModel(c)
		if err != nil {
			s.Close()
			return nil, err
		}
		every, err := ticksPer(c.RateHz, "camera "+c.Name)
		if err != nil {
			s.Close()
			return nil, err
		}
		r, err := render.New(cm, w.Map)
		if err != nil {
			s.Close()
			return nil, fmt.Errorf("sim: camera %s: %w", c.Name, err)
		}
		s.cams = append(s.cams, &simCamera{cfg: c, r: r, every: every})
	}
	for _, l := range v.Lidars {
		if !lidars || !selected(l.Name, sc.Lidars) {
			continue
		}
		m := l.Mount
		ld, err := raycast.New(l.Model, geom.FromMount(m.X, m.Y, m.Z, m.Roll, m.Pitch, m.Yaw))
		if err != nil {
			s.Close()
			return nil, fmt.Errorf("sim: lidar %s: %w", l.Name, err)
		}
		every, err := ticksPer(l.RateHz, "lidar "+l.Name)
		if err != nil {
			s.Close()
			return nil, err
		}
		s.lidars = append(s.lidars, &simLidar{cfg: l, l: ld, every: every})
	}
	return s, nil
}

func (s *sensorSet) Close() {
	for _, c := range s.cams {
		c.r.Close()
	}
}

func inWindows(t float64, ws []scenario.Window) bool {
	for _, w := range ws {
		if t >= w.FromS && t < w.ToS {
			return true
		}
	}
	return false
}

// infos are the messages published once at the start: calibrations and the frame tree.
func (s *sensorSet) infos(now int64) []outMsg {
	var out []outMsg
	tf := &foxglove.FrameTransforms{}
	for _, c := range s.cams {
		cm := c.r.Camera()
		out = append(out, outMsg{msg.CameraInfo(c.cfg.Name), &foxglove.CameraCalibration{
			Timestamp: node.Timestamp(now), FrameId: c.cfg.Name, Width: uint32(cm.Width), Height: uint32(cm.Height),
			DistortionModel: "plumb_bob", D: []float64{0, 0, 0, 0, 0},
			K: []float64{cm.Fx, 0, cm.Cx, 0, cm.Fy, cm.Cy, 0, 0, 1},
			R: []float64{1, 0, 0, 0, 1, 0, 0, 0, 1},
			P: []float64{cm.Fx, 0, cm.Cx, 0, 0, cm.Fy, cm.Cy, 0, 0, 0, 1, 0}}})
		tf.Transforms = append(tf.Transforms, frameTransform(now, c.cfg.Name, cm.VehicleToCamera.Inverse()))
	}
	for _, l := range s.lidars {
		tf.Transforms = append(tf.Transforms, frameTransform(now, l.cfg.Name, l.l.Mount))
	}
	out = append(out, outMsg{msg.SubjectTF, tf})
	return out
}

func frameTransform(now int64, child string, p geom.Pose3) *foxglove.FrameTransform {
	x, y, z, w := p.Quaternion()
	return &foxglove.FrameTransform{Timestamp: node.Timestamp(now), ParentFrameId: "base_link", ChildFrameId: child,
		Translation: &foxglove.Vector3{X: p.T.X, Y: p.T.Y, Z: p.T.Z}, Rotation: &foxglove.Quaternion{X: x, Y: y, Z: z, W: w}}
}

func (s *sensorSet) renderObjects() []render.Object {
	s.objects = s.objects[:0]
	for _, a := range s.w.Traffic.Active() {
		s.objects = append(s.objects, render.Object{ID: a.Num, Kind: a.Shape.Kind, Box: a.Box(), Color: a.Color})
	}
	return s.objects
}

var pointFields = []*foxglove.PackedElementField{
	{Name: "x", Offset: 0, Type: foxglove.PackedElementField_FLOAT32},
	{Name: "y", Offset: 4, Type: foxglove.PackedElementField_FLOAT32},
	{Name: "z", Offset: 8, Type: foxglove.PackedElementField_FLOAT32},
	{Name: "intensity", Offset: 12, Type: foxglove.PackedElementField_FLOAT32},
}

// due renders and casts the sensors due at the current tick. It returns their messages and,
// per object id, the image boxes of the cameras rendered now (nil when no camera rendered).
func (s *sensorSet) due(now int64) ([]outMsg, map[uint64][]*av.ImageBox, error) {
	w := s.w
	t := w.Time()
	var out []outMsg
	var boxes map[uint64][]*av.ImageBox
	var objs []render.Object
	for _, c := range s.cams {
		if w.Tick%c.every != 0 {
			continue
		}
		if objs == nil {
			objs = s.renderObjects()
		}
		scene := render.Scene{Ego: w.EgoPose(), Objects: objs, Blackout: inWindows(t, w.Scenario.Sensors.CameraBlackout)}
		labels, err := c.r.Render(scene)
		if err != nil {
			return nil, nil, fmt.Errorf("sim: camera %s: %w", c.cfg.Name, err)
		}
		c.last = labels
		c.frames++
		if boxes == nil {
			boxes = map[uint64][]*av.ImageBox{}
		}
		jpeg, err := c.r.JPEG(JPEGQuality)
		if err != nil {
			return nil, nil, fmt.Errorf("sim: camera %s: %w", c.cfg.Name, err)
		}
		out = append(out, outMsg{msg.Camera(c.cfg.Name), &foxglove.CompressedImage{Timestamp: node.Timestamp(now), FrameId: c.cfg.Name, Data: jpeg, Format: "jpeg"}})
		for _, l := range labels {
			boxes[l.ID] = append(boxes[l.ID], &av.ImageBox{Camera: c.cfg.Name, X1: float32(l.Rect.X1), Y1: float32(l.Rect.Y1),
				X2: float32(l.Rect.X2), Y2: float32(l.Rect.Y2), Visibility: float32(l.Visibility)})
		}
	}
	sn := w.Scenario.Sensors
	for _, l := range s.lidars {
		if w.Tick%l.every != 0 {
			continue
		}
		// Frame drops draw from the generator on every frame, so a window does not shift later draws.
		drop := sn.LidarDropProb > 0 && s.rng.Float64() < sn.LidarDropProb
		if drop || inWindows(t, sn.LidarDropout) {
			continue
		}
		var targets []raycast.Target
		for _, a := range w.Traffic.Active() {
			targets = append(targets, raycast.Target{Box: a.Box(), Intensity: intensity(a.Shape.Kind)})
		}
		l.buf = l.l.Scan(geom.Pose3From2(w.EgoPose()), targets, raycast.Noise{Range: sn.LidarRangeNoise, Drop: sn.LidarPointDrop, Rand: s.rng}, l.buf[:0])
		data := make([]byte, 4*len(l.buf))
		for i, f := range l.buf {
			binary.LittleEndian.PutUint32(data[4*i:], math.Float32bits(f))
		}
		out = append(out, outMsg{msg.Lidar(l.cfg.Name), &foxglove.PointCloud{Timestamp: node.Timestamp(now), FrameId: l.cfg.Name,
			Pose: &foxglove.Pose{Position: &foxglove.Vector3{}, Orientation: &foxglove.Quaternion{W: 1}}, PointStride: 16, Fields: pointFields, Data: data}})
	}
	return out, boxes, nil
}

func intensity(kind string) float32 {
	switch kind {
	case "pedestrian", "cyclist":
		return 0.3
	case "barrier":
		return 0.9
	}
	return 0.6
}
