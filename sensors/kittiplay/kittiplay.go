// Package kittiplay is the "kitti" node: it plays a KITTI folder onto the bus as if the car's
// sensors were live — camera images (image_2 / image_02 PNGs, published as they are, format
// "png"), their calibration, lidar scans (velodyne .bin, in the velodyne.PointStride layout)
// and, for the object layout, the labels on av.dataset.labels (av.ObjectList in the lidar
// frame) for evaluation.
//
// Object layout (training/ with velodyne/, image_2/, calib/, label_2/): one frame per step at
// rate_hz; all of a frame's messages carry the same stamp. The calibration comes from P2.
// Raw layout (a drive's *_sync folder with image_02/ and velodyne_points/ and their
// timestamps.txt): camera and lidar samples at the dataset's own pace, shifted onto the
// runner's timeline at the first sample; the calibration comes from the cameras[] entry.
//
// Like every driver here it is a timer-driven node.Core (see sensors/doc.go).
package kittiplay

import (
	"bytes"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"time"

	"github.com/avstack/avstack/config"
	"github.com/avstack/avstack/msg"
	"github.com/avstack/avstack/msg/av"
	"github.com/avstack/avstack/msg/foxglove"
	"github.com/avstack/avstack/node"
	"github.com/avstack/avstack/sensors/kitti"
	"github.com/avstack/avstack/sensors/lidar"
	"github.com/avstack/avstack/sensors/mount"
)

// Settings of the "kitti" node.
type Settings struct {
	// Path of the object-layout folder or the raw drive folder.
	Path string `yaml:"path"`
	// Camera and Lidar name the subjects (av.sensor.camera.<camera>, av.sensor.lidar.<lidar>).
	Camera string `yaml:"camera"`
	Lidar  string `yaml:"lidar"`
	// RateHz of object-layout frames (default 10, KITTI's lidar rate).
	RateHz float64 `yaml:"rate_hz"`
	Loop   bool    `yaml:"loop"`
	// Labels publishes the object layout's labels (default true).
	Labels bool `yaml:"labels"`
	// PollPeriod for the raw layout's timeline (default 5 ms).
	PollPeriod time.Duration `yaml:"poll_period"`
}

// Validate names the first bad field.
func (s *Settings) Validate() error {
	if s.Path == "" {
		return config.Errorf("path", s.Path, "needs a KITTI object or raw drive folder")
	}
	if !(s.RateHz > 0) || s.RateHz > 100 {
		return config.Errorf("rate_hz", s.RateHz, "must be in (0, 100]")
	}
	if s.Camera == "" || s.Lidar == "" {
		return config.Errorf("camera", s.Camera, "camera and lidar names must be set")
	}
	if s.PollPeriod <= 0 {
		return config.Errorf("poll_period", s.PollPeriod, "must be positive")
	}
	return nil
}

// Core plays one KITTI folder.
type Core struct {
	s    Settings
	obj  *kitti.Object
	seq  *kitti.Sequence
	ev   []kitti.Event
	cam  *config.Camera // raw layout calibration
	next int
	// raw timeline
	shift int64
	set   bool
	ended bool
	last  error
}

// New opens the folder (object layout when it has velodyne/ and calib/, else a raw drive).
func New(s Settings, cam *config.Camera) (*Core, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	c := &Core{s: s, cam: cam}
	if _, err := os.Stat(filepath.Join(s.Path, "calib")); err == nil {
		o, err := kitti.OpenObject(s.Path)
		if err != nil {
			return nil, err
		}
		c.obj = o
		return c, nil
	}
	seq, err := kitti.OpenSequence(s.Path)
	if err != nil {
		return nil, fmt.Errorf("kittiplay: %s is neither an object folder (calib/) nor a raw drive: %w", s.Path, err)
	}
	c.seq, c.ev = seq, seq.Events()
	return c, nil
}

// Spec: a timer; camera image, calibration, lidar and labels out.
func (c *Core) Spec() node.Spec {
	p := time.Duration(float64(time.Second) / c.s.RateHz)
	if c.seq != nil {
		p = c.s.PollPeriod
	}
	return node.Spec{Outputs: []string{msg.Lidar(c.s.Lidar), msg.Camera(c.s.Camera), msg.CameraInfo(c.s.Camera), msg.SubjectLabels}, Period: p}
}

// Health reports the end of the data and the last unreadable file.
func (c *Core) Health() (av.NodeStatus_Health, string) {
	if c.last != nil {
		return av.NodeStatus_HEALTH_DEGRADED, c.last.Error()
	}
	if c.ended {
		return av.NodeStatus_HEALTH_DEGRADED, "end of " + c.s.Path
	}
	return av.NodeStatus_HEALTH_OK, ""
}

// Ended is true after the last frame (without loop).
func (c *Core) Ended() bool { return c.ended }

// Step publishes the next object frame, or the raw samples due at now.
func (c *Core) Step(_ []node.Message, now int64) ([]node.Output, error) {
	if c.ended {
		return nil, nil
	}
	if c.obj != nil {
		if c.next >= len(c.obj.IDs) {
			if !c.s.Loop {
				c.ended = true
				return nil, nil
			}
			c.next = 0
		}
		id := c.obj.IDs[c.next]
		c.next++
		outs, err := c.objectFrame(id, now)
		c.last = err
		return outs, err
	}
	var outs []node.Output
	for {
		if c.next >= len(c.ev) {
			if !c.s.Loop {
				c.ended = true
				return outs, nil
			}
			c.next, c.set = 0, false
		}
		e := c.ev[c.next]
		if !c.set {
			c.shift, c.set = now-e.StampNs, true
		}
		t := e.StampNs + c.shift
		if t > now {
			return outs, nil
		}
		c.next++
		o, err := c.rawSample(e, t)
		if err != nil {
			c.last = err
			return outs, err
		}
		outs = append(outs, o...)
	}
}

func (c *Core) objectFrame(id string, now int64) ([]node.Output, error) {
	f, err := c.obj.Load(id)
	if err != nil {
		return nil, err
	}
	img, w, h, err := readPNG(f.ImagePath)
	if err != nil {
		return nil, err
	}
	ts := node.Timestamp(now)
	frame := mount.CameraOpticalFrame(c.s.Camera)
	p := f.Calib.P[2]
	info := &foxglove.CameraCalibration{Timestamp: ts, FrameId: frame, Width: uint32(w), Height: uint32(h),
		DistortionModel: "plumb_bob", D: make([]float64, 5),
		K: []float64{p[0], p[1], p[2], p[4], p[5], p[6], p[8], p[9], p[10]},
		R: []float64{1, 0, 0, 0, 1, 0, 0, 0, 1}, P: p[:]}
	outs := []node.Output{
		{Subject: msg.Lidar(c.s.Lidar), Value: lidar.KittiCloud(f.Points, now, mount.LidarFrame(c.s.Lidar))},
		{Subject: msg.Camera(c.s.Camera), Value: &foxglove.CompressedImage{Timestamp: ts, FrameId: frame, Data: img, Format: "png"}},
		{Subject: msg.CameraInfo(c.s.Camera), Value: info},
	}
	if c.s.Labels && f.Labels != nil {
		outs = append(outs, node.Output{Subject: msg.SubjectLabels, Value: Labels(f, c.s.Camera, c.s.Lidar, now)})
	}
	return outs, nil
}

func (c *Core) rawSample(e kitti.Event, t int64) ([]node.Output, error) {
	ts := node.Timestamp(t)
	if e.Sensor == "lidar" {
		pts, err := kitti.ReadVelodyne(e.Path)
		if err != nil {
			return nil, err
		}
		return []node.Output{{Subject: msg.Lidar(c.s.Lidar), Value: lidar.KittiCloud(pts, t, mount.LidarFrame(c.s.Lidar))}}, nil
	}
	img, w, h, err := readPNG(e.Path)
	if err != nil {
		return nil, err
	}
	frame := mount.CameraOpticalFrame(c.s.Camera)
	outs := []node.Output{{Subject: msg.Camera(c.s.Camera), Value: &foxglove.CompressedImage{Timestamp: ts, FrameId: frame, Data: img, Format: "png"}}}
	if c.cam != nil && len(c.cam.K) == 9 && e.Index == 0 {
		k := c.cam.K
		outs = append(outs, node.Output{Subject: msg.CameraInfo(c.s.Camera), Value: &foxglove.CameraCalibration{
			Timestamp: ts, FrameId: frame, Width: uint32(w), Height: uint32(h), DistortionModel: "plumb_bob",
			D: append(make([]float64, 0, 5), c.cam.D...), K: append([]float64(nil), k...), R: []float64{1, 0, 0, 0, 1, 0, 0, 0, 1},
			P: []float64{k[0], k[1], k[2], 0, k[3], k[4], k[5], 0, k[6], k[7], k[8], 0}}})
	}
	return outs, nil
}

// readPNG returns a PNG's bytes and size, checking it is one.
func readPNG(path string) ([]byte, int, int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("kittiplay: %w", err)
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		return nil, 0, 0, fmt.Errorf("kittiplay: %s: not a PNG: %w", path, err)
	}
	return b, cfg.Width, cfg.Height, nil
}

// classes maps KITTI types onto the stack's classes; DontCare regions are left out.
var classes = map[string]av.ObjectClass{
	"Car": av.ObjectClass_OBJECT_CLASS_CAR, "Van": av.ObjectClass_OBJECT_CLASS_CAR,
	"Truck": av.ObjectClass_OBJECT_CLASS_TRUCK, "Tram": av.ObjectClass_OBJECT_CLASS_BUS,
	"Pedestrian": av.ObjectClass_OBJECT_CLASS_PEDESTRIAN, "Person_sitting": av.ObjectClass_OBJECT_CLASS_PEDESTRIAN,
	"Cyclist": av.ObjectClass_OBJECT_CLASS_BICYCLE, "Misc": av.ObjectClass_OBJECT_CLASS_UNKNOWN,
}

// visibility of KITTI's occlusion levels 0..3 (3 = unknown).
var visibility = [4]float32{1, 0.5, 0.25, 0}

// Labels converts a frame's labels (not DontCare) to an ObjectList in the lidar frame, with
// each object's image_2 box.
func Labels(f *kitti.Frame, camera, lidarName string, stamp int64) *av.ObjectList {
	out := &av.ObjectList{Header: &av.Header{StampNs: stamp, FrameId: mount.LidarFrame(lidarName)}}
	for i, l := range f.Labels {
		cls, ok := classes[l.Type]
		if !ok {
			continue
		}
		x, y, z, yaw := l.VeloBox(f.Calib)
		vis := float32(0)
		if l.Occluded >= 0 && l.Occluded < 4 {
			vis = visibility[l.Occluded]
		}
		out.Objects = append(out.Objects, &av.Object{
			Id: uint64(i + 1), Class: cls, Score: 1,
			Box: &av.Box3D{X: x, Y: y, Z: z, Length: l.L, Width: l.W, Height: l.H, Yaw: yaw},
			ImageBoxes: []*av.ImageBox{{Camera: camera, X1: float32(l.Box[0]), Y1: float32(l.Box[1]),
				X2: float32(l.Box[2]), Y2: float32(l.Box[3]), Visibility: vis}},
			Sources: uint32(av.SourceMask_SOURCE_TRUTH),
		})
	}
	return out
}

func init() {
	node.Register("kitti", func(ctx node.Context) (node.Core, error) {
		s := Settings{Camera: "kitti", Lidar: "kitti", RateHz: 10, Labels: true, PollPeriod: 5 * time.Millisecond}
		if err := ctx.Settings(&s); err != nil {
			return nil, err
		}
		var cam *config.Camera
		if c, ok := ctx.Vehicle.Camera(s.Camera); ok {
			cam = &c
		}
		return New(s, cam)
	})
}
