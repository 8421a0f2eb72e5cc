package perceive

import (
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/avstack/avstack/config"
	"github.com/avstack/avstack/geom"
	"github.com/avstack/avstack/msg"
	"github.com/avstack/avstack/msg/av"
	"github.com/avstack/avstack/msg/foxglove"
	"github.com/avstack/avstack/node"
	"github.com/avstack/avstack/perception/fusion"
	"github.com/avstack/avstack/perception/lidar"
	"github.com/avstack/avstack/perception/track"
)

func init() {
	node.Register("perception", func(ctx node.Context) (node.Core, error) {
		s := DefaultSettings()
		if err := ctx.Settings(&s); err != nil {
			return nil, err
		}
		return New(ctx.Vehicle, s)
	})
}

// camState is one camera: its model and the newest input not yet used.
type camState struct {
	name     string
	cam      geom.PinholeCamera
	detSubj  string
	imgSubj  string
	det      *av.Detections2D
	detStamp int64
	img      *foxglove.CompressedImage
	imgStamp int64
}

// Core is the perception node's algorithm.
type Core struct {
	s          Settings
	lidarName  string
	lidarSubj  string
	lidarFrame string
	toVehicle  geom.Pose3
	ego        egoBox
	cams       []*camState
	det        *lidar.Detector
	fuser      *fusion.Fuser
	tracker    *track.Tracker
	camera     cameraDetector // nil unless detector.enabled
	states     []*av.VehicleState
	lastScan   int64
	haveScan   bool
	points     []lidar.Point
	counters   map[string]float64
	frame      string
}

// New builds the node for a vehicle.
func New(v *config.Vehicle, s Settings) (*Core, error) {
	if v == nil {
		return nil, fmt.Errorf("perceive: no vehicle configuration")
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	c := &Core{s: s, counters: map[string]float64{}, frame: "base_link"}
	if s.WorldFrame {
		c.frame = "map"
	}
	if len(v.Lidars) == 0 {
		return nil, fmt.Errorf("perceive: %s: the vehicle has no lidar", v.File)
	}
	var lc *config.Lidar
	if s.Lidar == "" {
		lc = &v.Lidars[0]
	}
	for i := range v.Lidars {
		if v.Lidars[i].Name == s.Lidar {
			lc = &v.Lidars[i]
		}
	}
	if lc == nil {
		return nil, fmt.Errorf("perceive: %s: settings.lidar = %q: no such lidar", v.File, s.Lidar)
	}
	c.lidarName, c.lidarSubj, c.lidarFrame = lc.Name, msg.Lidar(lc.Name), "lidar_"+lc.Name
	m := lc.Mount
	c.toVehicle = geom.FromMount(m.X, m.Y, m.Z, m.Roll, m.Pitch, m.Yaw)
	d := v.Dynamics
	c.ego = egoBox{minX: -d.RearOverhang - 0.2, maxX: d.FrontOverhang + 0.2, halfW: d.Width/2 + 0.2}

	ls := s.LidarDetection
	lo := lidar.DefaultOptions()
	lo.SensorX, lo.SensorY, lo.GroundZ = m.X, m.Y, 0
	if vr, ok := lidar.BeamSpacing(lc.Model); ok {
		lo.VerticalResolution = vr
	}
	lo.MaxRange, lo.MinRange, lo.GroundHeight, lo.MaxHeight = ls.MaxRange, ls.MinRange, ls.GroundHeight, ls.MaxHeight
	lo.CellSize, lo.Neighbour, lo.Voxel, lo.MinPoints, lo.MaxSlope = ls.CellSize, ls.Neighbour, ls.Voxel, ls.MinPoints, ls.MaxSlope
	var err error
	if c.det, err = lidar.NewDetector(lo); err != nil {
		return nil, fmt.Errorf("perceive: settings.lidar_detection: %w", err)
	}
	to := track.DefaultOptions()
	ts := s.Tracking
	to.ConfirmHits, to.MaxCoast, to.GateDistance, to.AccelNoise, to.PositionNoise = ts.ConfirmHits, ts.MaxCoast.Seconds(), ts.GateDistance, ts.AccelNoise, ts.PositionNoise
	if c.tracker, err = track.New(to); err != nil {
		return nil, fmt.Errorf("perceive: settings.tracking: %w", err)
	}
	fo := fusion.DefaultOptions()
	fo.MinIoU, fo.CameraOnly, fo.MaxCameraRange = s.Fusion.MinIoU, s.Fusion.CameraOnly, s.Fusion.MaxCameraRange
	if c.fuser, err = fusion.New(fo); err != nil {
		return nil, fmt.Errorf("perceive: settings.fusion: %w", err)
	}
	names := s.Cameras
	if names == nil {
		for _, cc := range v.Cameras {
			names = append(names, cc.Name)
		}
	}
	for _, n := range names {
		var cc *config.Camera
		for i := range v.Cameras {
			if v.Cameras[i].Name == n {
				cc = &v.Cameras[i]
			}
		}
		if cc == nil {
			return nil, fmt.Errorf("perceive: %s: settings.cameras: no camera named %q", v.File, n)
		}
		if len(cc.K) != 9 {
			return nil, fmt.Errorf("perceive: %s: camera %q: k has %d values, want 9 (set k or run the calibration)", v.File, n, len(cc.K))
		}
		cm := cc.Mount
		c.cams = append(c.cams, &camState{
			name: n, detSubj: msg.Detections(n), imgSubj: msg.Camera(n),
			cam: geom.PinholeCamera{Fx: cc.K[0], Fy: cc.K[4], Cx: cc.K[2], Cy: cc.K[5], Width: cc.Width, Height: cc.Height,
				VehicleToCamera: geom.CameraExtrinsics(cm.X, cm.Y, cm.Z, cm.Roll, cm.Pitch, cm.Yaw)},
		})
	}
	if s.Detector.Enabled {
		if c.camera, err = newCameraDetector(s.Detector); err != nil {
			return nil, fmt.Errorf("perceive: settings.detector: %w", err)
		}
	}
	return c, nil
}

// Spec: the lidar triggers; cameras and vehicle state are buffered.
func (c *Core) Spec() node.Spec {
	sp := node.Spec{
		Inputs:  []node.Input{{Subject: c.lidarSubj, Trigger: true}},
		Outputs: []string{msg.SubjectObjects, msg.SubjectScene},
	}
	if c.s.WorldFrame {
		sp.Inputs = append(sp.Inputs, node.Input{Subject: msg.SubjectVehicleState})
	}
	for _, cs := range c.cams {
		if c.camera != nil {
			sp.Inputs = append(sp.Inputs, node.Input{Subject: cs.imgSubj})
			sp.Outputs = append(sp.Outputs, cs.detSubj)
		} else {
			sp.Inputs = append(sp.Inputs, node.Input{Subject: cs.detSubj})
		}
	}
	return sp
}

func (c *Core) count(name string, d float64) { c.counters[name] += d }

// Counters returns the node's counters (drops, stale inputs, stage latencies of the last scan in
// ms), sorted by name.
func (c *Core) Counters() []*av.Counter {
	names := make([]string, 0, len(c.counters))
	for k := range c.counters {
		names = append(names, k)
	}
	sort.Strings(names)
	out := make([]*av.Counter, len(names))
	for i, n := range names {
		out[i] = &av.Counter{Name: n, Value: c.counters[n]}
	}
	return out
}

// Health is degraded while the node has no pose for the world frame.
func (c *Core) Health() (av.NodeStatus_Health, string) {
	if c.s.WorldFrame && len(c.states) == 0 && c.haveScan {
		return av.NodeStatus_HEALTH_DEGRADED, "no vehicle state: objects are not updated"
	}
	return av.NodeStatus_HEALTH_OK, ""
}

// Close releases the camera detector.
func (c *Core) Close() error {
	if c.camera != nil {
		return c.camera.Close()
	}
	return nil
}

// Step buffers camera and pose inputs and processes the newest lidar scan among in.
func (c *Core) Step(in []node.Message, now int64) ([]node.Output, error) {
	var scan *foxglove.PointCloud
	var scanStamp int64
	late := c.lastScan - int64(c.s.SyncWindow)
	for _, m := range in {
		switch v := m.Value.(type) {
		case *foxglove.PointCloud:
			if scan != nil {
				c.count("lidar_skipped", 1)
			}
			scan, scanStamp = v, m.Stamp
		case *av.VehicleState:
			if n := len(c.states); n > 0 && m.Stamp < node.Stamp(c.states[n-1]) {
				c.count("state_out_of_order", 1)
				continue
			}
			c.states = append(c.states, v)
			if len(c.states) > 256 {
				c.states = append(c.states[:0], c.states[len(c.states)-128:]...)
			}
		case *av.Detections2D:
			cs := c.camBySubject(m.Subject, false)
			if cs == nil {
				continue
			}
			if c.haveScan && m.Stamp < late {
				c.count("stale_detections_"+cs.name, 1)
				continue
			}
			if cs.det != nil {
				c.count("replaced_detections_"+cs.name, 1)
			}
			cs.det, cs.detStamp = v, m.Stamp
		case *foxglove.CompressedImage:
			cs := c.camBySubject(m.Subject, true)
			if cs == nil {
				continue
			}
			if c.haveScan && m.Stamp < late {
				c.count("stale_images_"+cs.name, 1)
				continue
			}
			if cs.img != nil {
				c.count("replaced_images_"+cs.name, 1)
			}
			cs.img, cs.imgStamp = v, m.Stamp
		default:
			return nil, fmt.Errorf("perceive: input %s: unexpected message %T", m.Subject, m.Value)
		}
	}
	if scan == nil {
		return nil, fmt.Errorf("perceive: step at %d without a lidar scan on %s", now, c.lidarSubj)
	}
	if scanStamp == 0 {
		scanStamp = now
	}
	if c.haveScan && scanStamp <= c.lastScan {
		c.count("stale_lidar", 1)
		// The tracks as they are, stamped with their time; the source is the stale scan, so a
		// scheduler waiting for this input's answer gets one.
		return c.publish(c.tracker.All(), c.lastScan, scanStamp, nil), nil
	}
	switch scan.FrameId {
	case "", c.lidarFrame, c.lidarName, "base_link":
	default:
		return nil, fmt.Errorf("perceive: %s: point cloud in frame %q; want %q or base_link", c.lidarSubj, scan.FrameId, c.lidarFrame)
	}
	toVehicle := c.toVehicle
	if scan.FrameId == "base_link" {
		toVehicle = geom.Identity3()
	}
	t0 := time.Now()
	var err error
	if c.points, err = decodeCloud(c.points, scan, toVehicle, c.ego); err != nil {
		return nil, fmt.Errorf("%s: %w", c.lidarSubj, err)
	}
	lobjs := c.det.Detect(c.points)
	t1 := time.Now()
	c.lastScan, c.haveScan = scanStamp, true

	var outs []node.Output
	var views []fusion.View
	for _, cs := range c.cams {
		dets, out, err := c.cameraFrame(cs, scanStamp)
		if err != nil {
			return nil, err
		}
		if out != nil {
			outs = append(outs, node.Output{Subject: cs.detSubj, Value: out})
		}
		if dets != nil {
			views = append(views, fusion.View{Name: cs.name, Camera: cs.cam, Detections: dets})
		}
	}
	t2 := time.Now()
	in3 := make([]fusion.Object, 0, len(lobjs))
	for _, o := range lobjs {
		if o.Class == av.ObjectClass_OBJECT_CLASS_UNKNOWN && !c.s.KeepUnknown {
			continue
		}
		in3 = append(in3, fusion.Object{Box: o.Box, Class: o.Class, Score: o.Score, Sources: uint32(av.SourceMask_SOURCE_LIDAR)})
	}
	fused := c.fuser.Fuse(in3, views)
	if !c.s.KeepUnknown {
		kept := fused[:0]
		for _, o := range fused {
			if o.Class != av.ObjectClass_OBJECT_CLASS_UNKNOWN {
				kept = append(kept, o)
			}
		}
		fused = kept
	}
	t3 := time.Now()
	tracks := c.tracker.All()
	if pose, ok := c.pose(scanStamp); ok || !c.s.WorldFrame {
		dets := make([]track.Detection, len(fused))
		for i, o := range fused {
			b := o.Box
			if c.s.WorldFrame {
				b = b.Transform(geom.Pose2{X: pose.X, Y: pose.Y, Yaw: pose.Yaw})
				b.Z += pose.Z
			}
			dets[i] = track.Detection{Box: b, Class: o.Class, Score: o.Score, Sources: o.Sources, ImageBoxes: o.ImageBoxes}
		}
		if _, err := c.tracker.Update(dets, scanStamp); err != nil {
			return nil, err
		}
		tracks = c.tracker.All()
	} else {
		c.count("no_pose", 1)
	}
	t4 := time.Now()
	c.counters["lidar_points"] = float64(len(c.points))
	c.counters["lidar_objects"] = float64(len(lobjs))
	c.counters["stage_lidar_ms"] = ms(t1.Sub(t0))
	c.counters["stage_camera_ms"] = ms(t2.Sub(t1))
	c.counters["stage_fusion_ms"] = ms(t3.Sub(t2))
	c.counters["stage_track_ms"] = ms(t4.Sub(t3))
	return c.publish(tracks, scanStamp, scanStamp, outs), nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1e3 }

// publish builds the object list of the confirmed tracks (primary output first) and the scene.
func (c *Core) publish(tracks []*track.Track, stamp, source int64, extra []node.Output) []node.Output {
	list := &av.ObjectList{Header: &av.Header{StampNs: stamp, FrameId: c.frame, SourceStampNs: source}}
	for _, t := range tracks {
		if t.Confirmed {
			list.Objects = append(list.Objects, t.Object(stamp))
		}
	}
	outs := []node.Output{
		{Subject: msg.SubjectObjects, Value: list},
		{Subject: msg.SubjectScene, Value: scene(list, stamp, c.frame)},
	}
	return append(outs, extra...)
}

func (c *Core) camBySubject(subj string, image bool) *camState {
	for _, cs := range c.cams {
		if (!image && cs.detSubj == subj) || (image && cs.imgSubj == subj) {
			return cs
		}
	}
	return nil
}

// cameraFrame returns the camera's detections to fuse with the scan at stamp (nil when the
// camera has nothing within the sync window), and, when the node runs the detector, the
// Detections2D message to publish.
func (c *Core) cameraFrame(cs *camState, stamp int64) ([]*av.Detection2D, *av.Detections2D, error) {
	win := int64(c.s.SyncWindow)
	if c.camera != nil {
		if cs.img == nil {
			return nil, nil, nil
		}
		if abs(cs.imgStamp-stamp) > win {
			c.count("out_of_window_images_"+cs.name, 1)
			if cs.imgStamp < stamp-win {
				cs.img = nil // it can only get older
			}
			return nil, nil, nil
		}
		out, err := c.camera.detect(cs.img, cs.name, cs.imgStamp)
		cs.img = nil
		if err != nil {
			c.count("bad_images_"+cs.name, 1)
			return nil, nil, fmt.Errorf("perceive: %s: %w", cs.imgSubj, err)
		}
		return scaleDetections(out, cs.cam), out, nil
	}
	if cs.det == nil {
		return nil, nil, nil
	}
	if abs(cs.detStamp-stamp) > win {
		c.count("out_of_window_detections_"+cs.name, 1)
		if cs.detStamp < stamp-win {
			cs.det = nil
		}
		return nil, nil, nil
	}
	d := cs.det
	cs.det = nil
	return scaleDetections(d, cs.cam), nil, nil
}

// scaleDetections maps detections made on an image of another size than the calibration's into
// the calibrated pixel grid.
func scaleDetections(d *av.Detections2D, cam geom.PinholeCamera) []*av.Detection2D {
	if d.Width == 0 || d.Height == 0 || (int(d.Width) == cam.Width && int(d.Height) == cam.Height) {
		return d.Detections
	}
	sx, sy := float32(cam.Width)/float32(d.Width), float32(cam.Height)/float32(d.Height)
	out := make([]*av.Detection2D, len(d.Detections))
	for i, x := range d.Detections {
		out[i] = &av.Detection2D{Class: x.Class, Label: x.Label, LabelId: x.LabelId, Score: x.Score,
			X1: x.X1 * sx, X2: x.X2 * sx, Y1: x.Y1 * sy, Y2: x.Y2 * sy}
	}
	return out
}

// pose returns the vehicle state nearest stamp within max_state_age.
func (c *Core) pose(stamp int64) (*av.VehicleState, bool) {
	var best *av.VehicleState
	bestD := int64(math.MaxInt64)
	for _, s := range c.states {
		if d := abs(node.Stamp(s) - stamp); d < bestD {
			best, bestD = s, d
		}
	}
	if best == nil || bestD > int64(c.s.MaxStateAge) {
		return nil, false
	}
	return best, true
}

func abs(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}
