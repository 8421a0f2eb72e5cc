package perceive

import (
	"encoding/binary"
	"math"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"
	"gopkg.in/yaml.v3"

	"github.com/avstack/avstack/config"
	"github.com/avstack/avstack/geom"
	"github.com/avstack/avstack/msg"
	"github.com/avstack/avstack/msg/av"
	"github.com/avstack/avstack/msg/foxglove"
	"github.com/avstack/avstack/node"
)

// vehicle is the default stack's geometry: camera "front" 640x360 at x 1.5, z 1.5; lidar "top"
// at x 1.2, z 1.9.
func vehicle() *config.Vehicle {
	return &config.Vehicle{
		Name:     "test",
		File:     "test.yaml",
		Dynamics: config.Dynamics{Wheelbase: 2.8, Length: 4.7, Width: 1.85, Height: 1.5, FrontOverhang: 3.7, RearOverhang: 1},
		Cameras:  []config.Camera{{Name: "front", Width: 640, Height: 360, RateHz: 20, K: []float64{320, 0, 320, 0, 320, 180, 0, 0, 1}, Mount: config.Mount{X: 1.5, Z: 1.5}}},
		Lidars:   []config.Lidar{{Name: "top", Model: "HDL-32E", RateHz: 10, Mount: config.Mount{X: 1.2, Z: 1.9}}},
	}
}

// cloud renders flat ground and the sensor-facing faces of boxes (vehicle frame) as a lidar
// scan in the lidar's frame (mount at x 1.2, z 1.9), in the velodyne driver's point layout.
func cloud(stamp int64, boxes ...geom.Box) *foxglove.PointCloud {
	mount := geom.FromMount(1.2, 0, 1.9, 0, 0, 0).Inverse()
	var pts []geom.Vec3
	for r := 4.0; r < 50; r += 0.5 {
		for a := 0.0; a < 2*math.Pi; a += 0.02 {
			pts = append(pts, geom.Vec3{X: 1.2 + r*math.Cos(a), Y: r * math.Sin(a), Z: 0})
		}
	}
	for _, b := range boxes {
		pose := geom.Pose2{X: b.X, Y: b.Y, Yaw: b.Yaw}
		hl, hw := b.Length/2, b.Width/2
		c := []geom.Vec2{{X: hl, Y: -hw}, {X: hl, Y: hw}, {X: -hl, Y: hw}, {X: -hl, Y: -hw}}
		for i := range c {
			a, e := c[i], c[(i+1)%4]
			mid := pose.Apply(a.Add(e).Scale(0.5))
			out := mid.Sub(geom.Vec2{X: b.X, Y: b.Y})
			if out.Dot(mid.Sub(geom.Vec2{X: 1.2})) >= 0 {
				continue // faces away from the lidar
			}
			for s := 0.0; s <= 1; s += 0.02 {
				p := pose.Apply(a.Add(e.Sub(a).Scale(s)))
				for z := 0.1; z < b.Height; z += 0.1 {
					pts = append(pts, geom.Vec3{X: p.X, Y: p.Y, Z: z})
				}
			}
		}
	}
	data := make([]byte, 16*len(pts))
	for i, p := range pts {
		q := mount.Apply(p)
		for k, v := range []float64{q.X, q.Y, q.Z, 0.5} {
			binary.LittleEndian.PutUint32(data[16*i+4*k:], math.Float32bits(float32(v)))
		}
	}
	f32 := foxglove.PackedElementField_FLOAT32
	return &foxglove.PointCloud{
		Timestamp: node.Timestamp(stamp), FrameId: "lidar_top", PointStride: 16, Data: data,
		Fields: []*foxglove.PackedElementField{{Name: "x", Offset: 0, Type: f32}, {Name: "y", Offset: 4, Type: f32}, {Name: "z", Offset: 8, Type: f32}, {Name: "intensity", Offset: 12, Type: f32}},
	}
}

func newCore(t *testing.T, mod func(*Settings)) *Core {
	t.Helper()
	s := DefaultSettings()
	if mod != nil {
		mod(&s)
	}
	c, err := New(vehicle(), s)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func lidarMsg(pc *foxglove.PointCloud) node.Message {
	return node.Message{Subject: msg.Lidar("top"), Value: pc, Stamp: node.Stamp(pc)}
}

func stateMsg(stamp int64, x, y, yaw float64) node.Message {
	s := &av.VehicleState{Header: &av.Header{StampNs: stamp, FrameId: "map"}, X: x, Y: y, Yaw: yaw}
	return node.Message{Subject: msg.SubjectVehicleState, Value: s, Stamp: stamp}
}

const period = int64(100e6)

// run drives the core through a car passing ahead at 5 m/s (vehicle frame), ego parked at
// (100, 50) facing yaw 0.5 in the map. It returns the object lists.
func run(t *testing.T, c *Core, steps int, withCamera bool) [][]node.Output {
	var all [][]node.Output
	for k := 0; k < steps; k++ {
		stamp := int64(1e9) + int64(k)*period
		car := geom.Box{X: 15 + 0.5*float64(k), Y: 3, Length: 4.2, Width: 1.8, Height: 1.5, Yaw: 0}
		in := []node.Message{stateMsg(stamp-5e6, 100, 50, 0.5)}
		if withCamera {
			cam := c.cams[0].cam
			r, ok := cam.ProjectBox(geom.Box{X: car.X, Y: car.Y, Z: 0.75, Length: car.Length, Width: car.Width, Height: car.Height})
			if !ok {
				t.Fatal("car not visible")
			}
			d := &av.Detections2D{Header: &av.Header{StampNs: stamp - 10e6}, Camera: "front", Width: 640, Height: 360,
				Detections: []*av.Detection2D{{Class: av.ObjectClass_OBJECT_CLASS_TRUCK, Score: 0.8, X1: float32(r.X1), Y1: float32(r.Y1), X2: float32(r.X2), Y2: float32(r.Y2)}}}
			in = append(in, node.Message{Subject: msg.Detections("front"), Value: d, Stamp: stamp - 10e6})
		}
		in = append(in, lidarMsg(cloud(stamp, car)))
		outs, err := c.Step(in, stamp)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, outs)
	}
	return all
}

func TestStepTracksInWorldFrame(t *testing.T) {
	c := newCore(t, nil)
	all := run(t, c, 10, false)
	for k, outs := range all {
		if len(outs) < 2 || outs[0].Subject != msg.SubjectObjects || outs[1].Subject != msg.SubjectScene {
			t.Fatalf("step %d: outputs %v", k, outs)
		}
		list := outs[0].Value.(*av.ObjectList)
		stamp := int64(1e9) + int64(k)*period
		if list.Header.StampNs != stamp || list.Header.SourceStampNs != stamp || list.Header.FrameId != "map" {
			t.Fatalf("step %d: header %+v", k, list.Header)
		}
		if k < 2 && len(list.Objects) != 0 {
			t.Fatalf("step %d: %d objects before confirmation", k, len(list.Objects))
		}
	}
	list := all[9][0].Value.(*av.ObjectList)
	if len(list.Objects) != 1 {
		t.Fatalf("%d objects at the end, want 1: %v", len(list.Objects), list.Objects)
	}
	o := list.Objects[0]
	// The car's centre in the vehicle frame at step 9 is about (19.5, 3); the lidar sees its rear
	// and left side, and the box is completed to the prior, so allow half a metre.
	ego := geom.Pose2{X: 100, Y: 50, Yaw: 0.5}
	want := ego.Apply(geom.Vec2{X: 19.5, Y: 3})
	if d := math.Hypot(o.Box.X-want.X, o.Box.Y-want.Y); d > 0.6 {
		t.Errorf("object at (%.2f, %.2f), want (%.2f, %.2f): %.2f m off", o.Box.X, o.Box.Y, want.X, want.Y, d)
	}
	// 5 m/s along the vehicle's x is along yaw 0.5 in the map.
	if math.Hypot(o.Vx-5*math.Cos(0.5), o.Vy-5*math.Sin(0.5)) > 1 {
		t.Errorf("velocity (%.2f, %.2f), want 5 m/s at yaw 0.5", o.Vx, o.Vy)
	}
	if o.Class != av.ObjectClass_OBJECT_CLASS_CAR || o.Sources != uint32(av.SourceMask_SOURCE_LIDAR) || len(o.Covariance) != 16 {
		t.Errorf("object %v", o)
	}
	sc := all[9][1].Value.(*foxglove.SceneUpdate)
	if len(sc.Entities) != 1 || len(sc.Entities[0].Cubes) != 1 || sc.Entities[0].FrameId != "map" {
		t.Errorf("scene %v", sc)
	}
}

func TestStepFusesCameraClass(t *testing.T) {
	c := newCore(t, nil)
	all := run(t, c, 5, true)
	list := all[4][0].Value.(*av.ObjectList)
	if len(list.Objects) != 1 {
		t.Fatalf("%d objects, want 1: %v", len(list.Objects), list.Objects)
	}
	o := list.Objects[0]
	both := uint32(av.SourceMask_SOURCE_LIDAR | av.SourceMask_SOURCE_CAMERA)
	if o.Class != av.ObjectClass_OBJECT_CLASS_TRUCK || o.Sources != both || len(o.ImageBoxes) != 1 {
		t.Errorf("fused object: class %v sources %b image boxes %d", o.Class, o.Sources, len(o.ImageBoxes))
	}
}

func TestStepDeterministic(t *testing.T) {
	a := run(t, newCore(t, nil), 6, true)
	b := run(t, newCore(t, nil), 6, true)
	for k := range a {
		for i := range a[k] {
			if !proto.Equal(a[k][i].Value, b[k][i].Value) {
				t.Fatalf("step %d output %d differs", k, i)
			}
		}
	}
}

func TestStaleInputsCounted(t *testing.T) {
	c := newCore(t, nil)
	run(t, c, 3, false)
	last := int64(1e9) + 2*period
	old := &av.Detections2D{Header: &av.Header{StampNs: last - 500e6}, Camera: "front"}
	outs, err := c.Step([]node.Message{
		{Subject: msg.Detections("front"), Value: old, Stamp: last - 500e6},
		lidarMsg(cloud(last)), // the same scan again
	}, last)
	if err != nil {
		t.Fatal(err)
	}
	if len(outs) == 0 || outs[0].Subject != msg.SubjectObjects {
		t.Fatalf("stale scan must still publish the primary output: %v", outs)
	}
	got := map[string]float64{}
	for _, ct := range c.Counters() {
		got[ct.Name] = ct.Value
	}
	if got["stale_detections_front"] != 1 || got["stale_lidar"] != 1 {
		t.Fatalf("counters %v", got)
	}
	for _, k := range []string{"stage_lidar_ms", "stage_track_ms", "lidar_points"} {
		if _, ok := got[k]; !ok {
			t.Errorf("counter %s missing", k)
		}
	}
}

func TestNoPoseKeepsTracks(t *testing.T) {
	c := newCore(t, nil)
	outs, err := c.Step([]node.Message{lidarMsg(cloud(1e9, geom.Box{X: 15, Y: 3, Length: 4, Width: 1.8, Height: 1.5}))}, 1e9)
	if err != nil {
		t.Fatal(err)
	}
	if len(outs[0].Value.(*av.ObjectList).Objects) != 0 {
		t.Fatal("objects without a pose")
	}
	if h, _ := c.Health(); h != av.NodeStatus_HEALTH_DEGRADED {
		t.Errorf("health %v without a pose, want degraded", h)
	}
	got := map[string]float64{}
	for _, ct := range c.Counters() {
		got[ct.Name] = ct.Value
	}
	if got["no_pose"] != 1 {
		t.Errorf("counters %v", got)
	}
}

func TestBadCloud(t *testing.T) {
	c := newCore(t, nil)
	cases := []struct {
		name string
		mod  func(*foxglove.PointCloud)
		want string
	}{
		{"no z", func(p *foxglove.PointCloud) { p.Fields = p.Fields[:2] }, "no x, y and z"},
		{"ragged data", func(p *foxglove.PointCloud) { p.Data = p.Data[:len(p.Data)-3] }, "whole number"},
		{"field past stride", func(p *foxglove.PointCloud) { p.Fields[2].Offset = 14 }, "does not fit"},
		{"foreign frame", func(p *foxglove.PointCloud) { p.FrameId = "camera_front" }, "frame"},
	}
	for i, cse := range cases {
		pc := cloud(int64(i+1) * 1e9)
		cse.mod(pc)
		_, err := c.Step([]node.Message{lidarMsg(pc)}, int64(i+1)*1e9)
		if err == nil || !strings.Contains(err.Error(), cse.want) {
			t.Errorf("%s: error %v, want it to mention %q", cse.name, err, cse.want)
		}
	}
}

func TestRegistryAndSettings(t *testing.T) {
	v := vehicle()
	var good, bad yaml.Node
	if err := yaml.Unmarshal([]byte("cameras: [front]\nsync_window: 80ms\ntracking: {confirm_hits: 2}\n"), &good); err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal([]byte("sync_windw: 80ms\n"), &bad); err != nil {
		t.Fatal(err)
	}
	v.Nodes = []config.NodeConfig{{Name: "perception", Settings: *good.Content[0]}, {Name: "p2", Kind: "perception", Settings: *bad.Content[0]}}
	core, err := node.New(v, "perception")
	if err != nil {
		t.Fatal(err)
	}
	c := core.(*Core)
	if c.s.SyncWindow.Milliseconds() != 80 || c.s.Tracking.ConfirmHits != 2 || c.s.Tracking.AccelNoise != 2 {
		t.Errorf("settings %+v", c.s)
	}
	sp := c.Spec()
	if sp.Inputs[0].Subject != "av.sensor.lidar.top" || !sp.Inputs[0].Trigger || sp.Outputs[0] != msg.SubjectObjects {
		t.Errorf("spec %+v", sp)
	}
	if _, err := node.New(v, "p2"); err == nil || !strings.Contains(err.Error(), "sync_windw") {
		t.Errorf("misspelt setting: %v", err)
	}
	s := DefaultSettings()
	s.Cameras = []string{"rear"}
	if _, err := New(vehicle(), s); err == nil || !strings.Contains(err.Error(), "rear") {
		t.Errorf("unknown camera: %v", err)
	}
}
