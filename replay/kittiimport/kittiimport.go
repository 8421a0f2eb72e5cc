package kittiimport

import (
	"bytes"
	"fmt"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/avstack/avstack/msg"
	"github.com/avstack/avstack/msg/av"
	"github.com/avstack/avstack/msg/foxglove"
	"github.com/avstack/avstack/node"
	"github.com/avstack/avstack/replay/mcapio"
	"github.com/avstack/avstack/replay/record"
	"github.com/avstack/avstack/sensors/kitti"
)

type protoMessage = proto.Message

// Options configure an import.
type Options struct {
	// Camera and Lidar name the subjects (default "front" and "top", as configs/vehicle.yaml).
	Camera string
	Lidar  string
	// Period between object-layout frames (default 100 ms, KITTI's 10 Hz).
	Period time.Duration
	// Limit imports only the first N frames (0 = all).
	Limit int
	// Writer options of the output file.
	Writer mcapio.WriterOptions
}

// Stats say what was imported.
type Stats struct {
	Layout   string
	Frames   int
	Messages int
	Labels   int
}

func (o *Options) defaults() {
	if o.Camera == "" {
		o.Camera = "front"
	}
	if o.Lidar == "" {
		o.Lidar = "top"
	}
	if o.Period <= 0 {
		o.Period = 100 * time.Millisecond
	}
}

// Import converts the KITTI folder dir into the recording out.
func Import(dir, out string, o Options) (Stats, error) {
	o.defaults()
	st, err := os.Stat(dir)
	if err != nil || !st.IsDir() {
		return Stats{}, fmt.Errorf("kittiimport: %s is not a folder", dir)
	}
	object := isDir(filepath.Join(dir, "velodyne")) || isDir(filepath.Join(dir, "image_2"))
	raw := isFile(filepath.Join(dir, "image_02", "timestamps.txt")) || isFile(filepath.Join(dir, "velodyne_points", "timestamps.txt"))
	if !object && !raw {
		return Stats{}, fmt.Errorf("kittiimport: %s: neither the object layout (velodyne/, image_2/, calib/, label_2/) nor a raw drive (image_02/ or velodyne_points/ with timestamps.txt)", dir)
	}
	md := map[string]string{"source": "kitti", "kitti.dir": dir}
	wo := o.Writer
	wo.Metadata = md
	w, err := mcapio.Create(out, wo)
	if err != nil {
		return Stats{}, fmt.Errorf("kittiimport: %w", err)
	}
	var s Stats
	if object {
		s, err = importObject(dir, w, o)
	} else {
		s, err = importRaw(dir, w, o)
	}
	if cerr := w.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("kittiimport: %w", cerr)
	}
	if err != nil {
		os.Remove(out)
		return s, err
	}
	return s, nil
}

func isDir(p string) bool  { st, err := os.Stat(p); return err == nil && st.IsDir() }
func isFile(p string) bool { st, err := os.Stat(p); return err == nil && st.Mode().IsRegular() }

func importObject(dir string, w *mcapio.Writer, o Options) (Stats, error) {
	ds, err := kitti.OpenObject(dir)
	if err != nil {
		return Stats{}, fmt.Errorf("kittiimport: %w", err)
	}
	s := Stats{Layout: "object"}
	camFrame, lidarFrame := o.Camera+"_optical", o.Lidar
	for k, id := range ds.IDs {
		if o.Limit > 0 && k >= o.Limit {
			break
		}
		t := int64(k+1) * int64(o.Period)
		f, err := ds.Load(id)
		if err != nil {
			return s, fmt.Errorf("kittiimport: frame %s: %w", id, err)
		}
		img, err := os.ReadFile(f.ImagePath)
		if err != nil {
			return s, fmt.Errorf("kittiimport: frame %s: %w", id, err)
		}
		cfg, err := png.DecodeConfig(bytes.NewReader(img))
		if err != nil {
			return s, fmt.Errorf("kittiimport: %s: not a PNG image: %w", f.ImagePath, err)
		}
		cloud, err := os.ReadFile(ds.VelodynePath(id))
		if err != nil {
			return s, fmt.Errorf("kittiimport: frame %s: %w", id, err)
		}
		ts := node.Timestamp(t)
		p2 := f.Calib.P[2]
		fx, fy, cx, cy := f.Calib.Intrinsics(2)
		write := func(subject string, m protoMessage) error {
			if err := record.WriteProto(w, subject, m, t); err != nil {
				return fmt.Errorf("kittiimport: frame %s: %w", id, err)
			}
			s.Messages++
			return nil
		}
		info := &foxglove.CameraCalibration{Timestamp: ts, FrameId: camFrame, Width: uint32(cfg.Width), Height: uint32(cfg.Height),
			DistortionModel: "plumb_bob", D: []float64{0, 0, 0, 0, 0},
			K: []float64{fx, 0, cx, 0, fy, cy, 0, 0, 1}, R: []float64{1, 0, 0, 0, 1, 0, 0, 0, 1}, P: p2[:]}
		tf := cameraInLidar(f.Calib)
		tf.Timestamp, tf.ParentFrameId, tf.ChildFrameId = ts, lidarFrame, camFrame
		pc := &foxglove.PointCloud{Timestamp: ts, FrameId: lidarFrame, PointStride: 16, Data: cloud,
			Pose:   &foxglove.Pose{Position: &foxglove.Vector3{}, Orientation: &foxglove.Quaternion{W: 1}},
			Fields: cloudFields()}
		labels := &av.ObjectList{Header: &av.Header{StampNs: t, FrameId: lidarFrame}}
		for i, l := range f.Labels {
			if l.Type == "DontCare" {
				continue
			}
			labels.Objects = append(labels.Objects, labelObject(uint64(i+1), l, f.Calib, o.Camera))
		}
		s.Labels += len(labels.Objects)
		for _, x := range []struct {
			subject string
			m       protoMessage
		}{
			{msg.SubjectTF, &foxglove.FrameTransforms{Transforms: []*foxglove.FrameTransform{tf}}},
			{msg.CameraInfo(o.Camera), info},
			{msg.Camera(o.Camera), &foxglove.CompressedImage{Timestamp: ts, FrameId: camFrame, Data: img, Format: "png"}},
			{msg.Lidar(o.Lidar), pc},
			{msg.SubjectLabels, labels},
		} {
			if err := write(x.subject, x.m); err != nil {
				return s, err
			}
		}
		s.Frames++
	}
	if s.Frames == 0 {
		return s, fmt.Errorf("kittiimport: %s: no frames", dir)
	}
	return s, nil
}

func cloudFields() []*foxglove.PackedElementField {
	f := func(name string, off uint32) *foxglove.PackedElementField {
		return &foxglove.PackedElementField{Name: name, Offset: off, Type: foxglove.PackedElementField_FLOAT32}
	}
	return []*foxglove.PackedElementField{f("x", 0), f("y", 4), f("z", 8), f("intensity", 12)}
}

func importRaw(dir string, w *mcapio.Writer, o Options) (Stats, error) {
	seq, err := kitti.OpenSequence(dir)
	if err != nil {
		return Stats{}, fmt.Errorf("kittiimport: %w", err)
	}
	s := Stats{Layout: "raw"}
	n := 0
	for _, e := range seq.Events() {
		if o.Limit > 0 && n >= o.Limit {
			break
		}
		data, err := os.ReadFile(e.Path)
		if err != nil {
			return s, fmt.Errorf("kittiimport: %w", err)
		}
		ts := node.Timestamp(e.StampNs)
		var subject string
		var m protoMessage
		switch e.Sensor {
		case "camera":
			if _, err := png.DecodeConfig(bytes.NewReader(data)); err != nil {
				return s, fmt.Errorf("kittiimport: %s: not a PNG image: %w", e.Path, err)
			}
			subject, m = msg.Camera(o.Camera), &foxglove.CompressedImage{Timestamp: ts, FrameId: o.Camera + "_optical", Data: data, Format: "png"}
			n++
		case "lidar":
			if _, err := kitti.DecodeVelodyne(e.Path, data); err != nil {
				return s, fmt.Errorf("kittiimport: %w", err)
			}
			subject, m = msg.Lidar(o.Lidar), &foxglove.PointCloud{Timestamp: ts, FrameId: o.Lidar, PointStride: 16, Data: data,
				Pose: &foxglove.Pose{Position: &foxglove.Vector3{}, Orientation: &foxglove.Quaternion{W: 1}}, Fields: cloudFields()}
		default:
			return s, fmt.Errorf("kittiimport: %s: unknown sensor %q", e.Path, e.Sensor)
		}
		if err := record.WriteProto(w, subject, m, e.StampNs); err != nil {
			return s, fmt.Errorf("kittiimport: %w", err)
		}
		s.Messages++
	}
	s.Frames = n
	if s.Messages == 0 {
		return s, fmt.Errorf("kittiimport: %s: no samples", dir)
	}
	return s, nil
}

// classOf maps KITTI's object types onto the stack's classes.
func classOf(t string) av.ObjectClass {
	switch strings.ToLower(t) {
	case "car", "van":
		return av.ObjectClass_OBJECT_CLASS_CAR
	case "truck":
		return av.ObjectClass_OBJECT_CLASS_TRUCK
	case "tram":
		return av.ObjectClass_OBJECT_CLASS_BUS
	case "pedestrian", "person_sitting":
		return av.ObjectClass_OBJECT_CLASS_PEDESTRIAN
	case "cyclist":
		return av.ObjectClass_OBJECT_CLASS_BICYCLE
	}
	return av.ObjectClass_OBJECT_CLASS_UNKNOWN
}

// visibility maps KITTI's occlusion levels (0 fully visible, 1 partly, 2 largely occluded,
// 3 unknown) onto a coarse visible fraction; unknown is 0.
var visibility = [4]float32{1, 0.5, 0.25, 0}

// labelObject converts one label: the bottom centre in the rectified camera frame goes to the
// lidar frame (inverse of R0_rect * Tr_velo_to_cam), the box centre is half the height above
// it, and yaw about the lidar's z is -rotation_y - pi/2 (camera y points down, its z forward).
func labelObject(id uint64, l kitti.Label, c *kitti.Calib, camera string) *av.Object {
	inv := invertRigid(c.VeloToRect())
	// Centre in the rectified frame: y points down, so half the height up is -H/2.
	x, y, z := inv.Apply(l.X, l.Y-l.H/2, l.Z)
	yaw := normalizeAngle(-l.RotationY - math.Pi/2)
	vis := float32(0)
	if l.Occluded >= 0 && l.Occluded < len(visibility) {
		vis = visibility[l.Occluded]
	}
	return &av.Object{
		Id: id, Class: classOf(l.Type), Score: 1,
		Box:        &av.Box3D{X: x, Y: y, Z: z, Length: l.L, Width: l.W, Height: l.H, Yaw: yaw},
		ImageBoxes: []*av.ImageBox{{Camera: camera, X1: float32(l.Box[0]), Y1: float32(l.Box[1]), X2: float32(l.Box[2]), Y2: float32(l.Box[3]), Visibility: vis}},
		Sources:    uint32(av.SourceMask_SOURCE_TRUTH),
	}
}

func normalizeAngle(a float64) float64 {
	a = math.Mod(a+math.Pi, 2*math.Pi)
	if a < 0 {
		a += 2 * math.Pi
	}
	return a - math.Pi
}

// invertRigid inverts [R|t] assuming R is a rotation: [R^T | -R^T t].
func invertRigid(m kitti.Mat34) kitti.Mat34 {
	var out kitti.Mat34
	for i := 0; i < 3; i++ {
		for j := 0; j < 3; j++ {
			out[i*4+j] = m[j*4+i]
		}
	}
	for i := 0; i < 3; i++ {
		out[i*4+3] = -(out[i*4+0]*m[3] + out[i*4+1]*m[7] + out[i*4+2]*m[11])
	}
	return out
}

// cameraInLidar is the pose of the rectified camera frame in the lidar frame.
func cameraInLidar(c *kitti.Calib) *foxglove.FrameTransform {
	inv := invertRigid(c.VeloToRect())
	qx, qy, qz, qw := quaternion(inv)
	return &foxglove.FrameTransform{
		Translation: &foxglove.Vector3{X: inv[3], Y: inv[7], Z: inv[11]},
		Rotation:    &foxglove.Quaternion{X: qx, Y: qy, Z: qz, W: qw},
	}
}

// quaternion of the rotation part of m (Shepperd's method), normalised.
func quaternion(m kitti.Mat34) (x, y, z, w float64) {
	r00, r01, r02 := m[0], m[1], m[2]
	r10, r11, r12 := m[4], m[5], m[6]
	r20, r21, r22 := m[8], m[9], m[10]
	tr := r00 + r11 + r22
	switch {
	case tr > 0:
		s := math.Sqrt(tr+1) * 2
		w, x, y, z = s/4, (r21-r12)/s, (r02-r20)/s, (r10-r01)/s
	case r00 > r11 && r00 > r22:
		s := math.Sqrt(1+r00-r11-r22) * 2
		w, x, y, z = (r21-r12)/s, s/4, (r01+r10)/s, (r02+r20)/s
	case r11 > r22:
		s := math.Sqrt(1+r11-r00-r22) * 2
		w, x, y, z = (r02-r20)/s, (r01+r10)/s, s/4, (r12+r21)/s
	default:
		s := math.Sqrt(1+r22-r00-r11) * 2
		w, x, y, z = (r10-r01)/s, (r02+r20)/s, (r12+r21)/s, s/4
	}
	n := math.Sqrt(x*x + y*y + z*z + w*w)
	return x / n, y / n, z / n, w / n
}
