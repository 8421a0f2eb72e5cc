package sim

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/avstack/avstack/config"
	"github.com/avstack/avstack/geom"
	"github.com/avstack/avstack/msg"
	"github.com/avstack/avstack/msg/av"
	"github.com/avstack/avstack/node"
	"github.com/avstack/avstack/sim/render"
	"github.com/avstack/avstack/sim/scenario"
)

// Test nodes: a controller that brakes gently on every vehicle state, a 10 Hz timer node, a
// node triggered by the timer node's output (transitive scheduling), and one that never answers.
type brakeNode struct{ steps int }

func (n *brakeNode) Spec() node.Spec {
	return node.Spec{Inputs: []node.Input{{Subject: msg.SubjectVehicleState, Trigger: true}, {Subject: msg.SubjectSimTruth}},
		Outputs: []string{msg.SubjectControl}}
}

func (n *brakeNode) Step(in []node.Message, now int64) ([]node.Output, error) {
	n.steps++
	return []node.Output{{Subject: msg.SubjectControl, Value: &av.ControlCommand{Acceleration: -1, Mode: av.ControlCommand_MODE_AUTONOMOUS}}}, nil
}

type timerNode struct{}

func (timerNode) Spec() node.Spec {
	return node.Spec{Inputs: []node.Input{{Subject: msg.SubjectVehicleState}}, Outputs: []string{msg.SubjectTrajectory}, Period: 100 * time.Millisecond}
}

func (timerNode) Step(in []node.Message, now int64) ([]node.Output, error) {
	// The number of states seen since the last step goes into the output, so the stream
	// depends on delivery being complete at every step.
	return []node.Output{{Subject: msg.SubjectTrajectory, Value: &av.Trajectory{Behavior: "test", TargetSpeed: float64(len(in))}}}, nil
}

type chainNode struct{}

func (chainNode) Spec() node.Spec {
	return node.Spec{Inputs: []node.Input{{Subject: msg.SubjectTrajectory, Trigger: true}}, Outputs: []string{msg.SubjectPrediction, msg.SubjectLabels}}
}

// Step publishes its primary output and then a secondary one: the tick must include both.
func (chainNode) Step(in []node.Message, now int64) ([]node.Output, error) {
	return []node.Output{{Subject: msg.SubjectPrediction, Value: &av.PredictionList{Model: "test"}},
		{Subject: msg.SubjectLabels, Value: &av.ObjectList{}}}, nil
}

// camsNode is triggered by every camera through one latest-only wildcard subscription.
type camsNode struct{}

func (camsNode) Spec() node.Spec {
	return node.Spec{Inputs: []node.Input{{Subject: "av.sensor.camera.*", Trigger: true}}, Outputs: []string{msg.Detections("all")}}
}

func (camsNode) Step(in []node.Message, now int64) ([]node.Output, error) {
	return []node.Output{{Subject: msg.Detections("all"), Value: &av.Detections2D{Camera: "all"}}}, nil
}

// fusionNode is triggered by the lidar and reads the camera: the camera frame of the same tick
// is published before the lidar, so each step must find it (and the one from half a period
// before) in its inputs.
type fusionNode struct{}

func (fusionNode) Spec() node.Spec {
	return node.Spec{Inputs: []node.Input{{Subject: msg.Lidar("top"), Trigger: true}, {Subject: msg.Camera("front")}}, Outputs: []string{msg.SubjectObjects}}
}

func (fusionNode) Step(in []node.Message, now int64) ([]node.Output, error) {
	cams, latest := 0, int64(-1)
	for _, m := range in {
		if m.Subject == msg.Camera("front") {
			cams++
			latest = m.Stamp
		}
	}
	// Score carries how many camera frames the step saw, Id whether the newest is this tick's.
	o := &av.Object{Score: float32(cams)}
	if latest == now {
		o.Id = 1
	}
	return []node.Output{{Subject: msg.SubjectObjects, Value: &av.ObjectList{Objects: []*av.Object{o}}}}, nil
}

type silentNode struct{}

func (silentNode) Spec() node.Spec {
	return node.Spec{Inputs: []node.Input{{Subject: msg.SubjectSimClock, Trigger: true}}, Outputs: []string{msg.SubjectObjects}}
}

func (silentNode) Step(in []node.Message, now int64) ([]node.Output, error) { return nil, nil }

func init() {
	node.Register("simtest-brake", func(node.Context) (node.Core, error) { return &brakeNode{}, nil })
	node.Register("simtest-timer", func(node.Context) (node.Core, error) { return timerNode{}, nil })
	node.Register("simtest-chain", func(node.Context) (node.Core, error) { return chainNode{}, nil })
	node.Register("simtest-fusion", func(node.Context) (node.Core, error) { return fusionNode{}, nil })
	node.Register("simtest-cams", func(node.Context) (node.Core, error) { return camsNode{}, nil })
	node.Register("simtest-silent", func(node.Context) (node.Core, error) { return silentNode{}, nil })
}

func withNodes(v *config.Vehicle, kinds ...string) *config.Vehicle {
	c := *v
	c.Nodes = nil
	for _, k := range kinds {
		c.Nodes = append(c.Nodes, config.NodeConfig{Name: strings.TrimPrefix(k, "simtest-"), Kind: k})
	}
	return &c
}

func shortScenario(t testing.TB, file string, dur float64) *scenario.Scenario {
	t.Helper()
	sc, err := scenario.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	sc.DurationS = dur
	return sc
}

// streamHash hashes every observed message; skip drops subjects from the hash.
type streamHash struct {
	mu     sync.Mutex
	h      [32]byte
	n      int
	bySubj map[string]int
	skip   func(string) bool
	last   [][4]string
}

func newStreamHash(skip func(string) bool) *streamHash {
	return &streamHash{bySubj: map[string]int{}, skip: skip}
}

func (s *streamHash) observe(subject, typ string, data []byte, logTime int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.bySubj[subject]++
	if s.skip != nil && s.skip(subject) {
		return
	}
	var t [8]byte
	binary.LittleEndian.PutUint64(t[:], uint64(logTime))
	h := sha256.New()
	h.Write(s.h[:])
	h.Write([]byte(subject + "\x00" + typ + "\x00"))
	h.Write(t[:])
	h.Write(data)
	copy(s.h[:], h.Sum(nil))
	s.n++
}

// TestDeterminism: the same scenario and seed give the same message stream (with camera and
// lidar on), a different seed a different one. Spec: issue 5, "Determinism".
func TestDeterminism(t *testing.T) {
	v := loadVehicle(t)
	sc := shortScenario(t, "../configs/scenarios/dense_highway.yaml", 1.5)
	sc.Sensors.LidarRangeNoise = 0.02
	sc.Sensors.OdomPosNoise = 0.02
	run := func(seed uint64) *streamHash {
		sh := newStreamHash(nil)
		if _, err := Run(context.Background(), sc, Options{Vehicle: v, Sensors: true, Seed: &seed, Observer: sh.observe}); err != nil {
			t.Fatal(err)
		}
		return sh
	}
	a, b, c := run(7), run(7), run(8)
	if a.n == 0 || a.bySubj["av.sensor.camera.front"] != 30 || a.bySubj["av.sensor.lidar.top"] != 15 || a.bySubj[msg.SubjectVehicleState] != 150 {
		t.Fatalf("unexpected stream: %d messages, per subject %v", a.n, a.bySubj)
	}
	if a.h != b.h || a.n != b.n {
		t.Fatalf("same seed, different streams (%d vs %d messages)", a.n, b.n)
	}
	if a.h == c.h {
		t.Fatal("different seeds, same stream")
	}
}

// TestLockstepStack runs nodes through the bus in lockstep: the ego obeys the commands of a
// node triggered by the vehicle state, a timer node steps at 10 Hz with complete inputs, and
// a node triggered by the timer node's output is waited for too. Two runs give the same stream.
func TestLockstepStack(t *testing.T) {
	v := withNodes(loadVehicle(t), "simtest-brake", "simtest-timer", "simtest-chain")
	sc := shortScenario(t, "../configs/scenarios/lane_keep_straight.yaml", 2)
	var hashes [][32]byte
	for i := 0; i < 2; i++ {
		// Node status is part of the stream: on a sim clock it carries no wall-clock figures.
		sh := newStreamHash(nil)
		var trajIn []float64
		obs := func(subject, typ string, data []byte, logTime int64) {
			sh.observe(subject, typ, data, logTime)
			if subject == msg.SubjectTrajectory {
				var tr av.Trajectory
				if err := proto.Unmarshal(data, &tr); err != nil {
					t.Error(err)
				}
				trajIn = append(trajIn, tr.TargetSpeed)
			}
		}
		res, err := Run(context.Background(), sc, Options{Vehicle: v, Driver: DriverStack, Observer: obs, StepTimeout: 20 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		hashes = append(hashes, sh.h)
		if sh.bySubj[msg.Status("brake")] == 0 {
			t.Fatalf("no node status in the stream: %v", sh.bySubj)
		}
		if got := sh.bySubj[msg.SubjectControl]; got != 200 {
			t.Fatalf("%d commands, want one per tick (200)", got)
		}
		if got := sh.bySubj[msg.SubjectTrajectory]; got != 20 || sh.bySubj[msg.SubjectPrediction] != 20 || sh.bySubj[msg.SubjectLabels] != 20 {
			t.Fatalf("%d trajectories, %d predictions, want 20 each (10 Hz timer over 2 s)", got, sh.bySubj[msg.SubjectPrediction])
		}
		// The timer node sees the 10 states published since its last step (the first sees none).
		for k, n := range trajIn[1:] {
			if n != 10 {
				t.Fatalf("timer step %d saw %v vehicle states, want 10", k+1, n)
			}
		}
		// The node demands -1 m/s^2; through the 0.2 s actuator lag the ego reaches it.
		if math.Abs(res.Summary.MaxAbsLongAccel-1) > 0.05 || math.Abs(res.Summary.MinLongAccel+1) > 0.05 {
			t.Fatalf("long accel %.3f..%.3f, want the commanded -1", res.Summary.MinLongAccel, res.Summary.MaxLongAccel)
		}
	}
	if hashes[0] != hashes[1] {
		t.Fatal("two lockstep runs with the same seed gave different streams")
	}
}

// TestLockstepTimeoutNamesNode: a node that never publishes its primary output stops the run
// with an error naming it.
func TestLockstepTimeoutNamesNode(t *testing.T) {
	v := withNodes(loadVehicle(t), "simtest-brake", "simtest-silent")
	sc := shortScenario(t, "../configs/scenarios/lane_keep_straight.yaml", 1)
	_, err := Run(context.Background(), sc, Options{Vehicle: v, Driver: DriverStack, StepTimeout: 300 * time.Millisecond, Logf: func(string, ...any) {}})
	var te *TimeoutError
	if !errors.As(err, &te) || len(te.Missing) != 1 || te.Missing[0] != "silent" || te.Tick != 0 {
		t.Fatalf("err = %v, want a timeout at tick 0 naming node silent", err)
	}
}

// TestTruthImageBoxes: the 2D boxes on av.sim.truth are the projection of the 3D boxes through
// the camera calibration from the ego pose of the same tick. Spec: issue 5, "ground-truth 2D
// boxes match the projection of the 3D boxes".
func TestTruthImageBoxes(t *testing.T) {
	v := loadVehicle(t)
	sc := shortScenario(t, "../configs/scenarios/dense_highway.yaml", 1)
	cam, err := CameraModel(v.Cameras[0])
	if err != nil {
		t.Fatal(err)
	}
	var ego geom.Pose2
	checked := 0
	obs := func(subject, typ string, data []byte, logTime int64) {
		switch subject {
		case msg.SubjectVehicleState:
			var vs av.VehicleState
			_ = proto.Unmarshal(data, &vs)
			ego = geom.Pose2{X: vs.X, Y: vs.Y, Yaw: vs.Yaw}
		case msg.SubjectSimTruth:
			var ol av.ObjectList
			_ = proto.Unmarshal(data, &ol)
			for _, o := range ol.Objects {
				b := o.Box
				box := geom.Box{X: b.X, Y: b.Y, Z: b.Z, Length: b.Length, Width: b.Width, Height: b.Height, Yaw: b.Yaw}
				rel := box.Transform(ego.Inverse())
				want, ok := cam.ProjectBox(rel)
				if cc := cam.VehicleToCamera.Apply(rel.Center()); cc.Norm() > render.DrawRange {
					ok = false
				}
				if !ok {
					if len(o.ImageBoxes) != 0 {
						t.Errorf("object %d: image box %+v but it does not project", o.Id, o.ImageBoxes[0])
					}
					continue
				}
				if len(o.ImageBoxes) != 1 {
					// Projects but drew no face (entirely behind nearer things is still drawn): must not happen.
					t.Errorf("object %d projects to %+v but has %d image boxes", o.Id, want, len(o.ImageBoxes))
					continue
				}
				ib := o.ImageBoxes[0]
				for _, d := range []float64{float64(ib.X1) - want.X1, float64(ib.Y1) - want.Y1, float64(ib.X2) - want.X2, float64(ib.Y2) - want.Y2} {
					if math.Abs(d) > 1e-3 {
						t.Errorf("object %d: image box %+v, projection %+v", o.Id, ib, want)
					}
				}
				if ib.Visibility < 0 || ib.Visibility > 1 {
					t.Errorf("object %d: visibility %v", o.Id, ib.Visibility)
				}
				checked++
			}
		}
	}
	if _, err := Run(context.Background(), sc, Options{Vehicle: v, Sensors: true, Observer: obs}); err != nil {
		t.Fatal(err)
	}
	if checked < 20 {
		t.Fatalf("only %d image boxes checked", checked)
	}
}

// TestRealtime: in real-time mode the nodes run freely and their commands still reach the ego.
func TestRealtime(t *testing.T) {
	v := withNodes(loadVehicle(t), "simtest-brake")
	sc := shortScenario(t, "../configs/scenarios/lane_keep_straight.yaml", 1)
	res, err := Run(context.Background(), sc, Options{Vehicle: v, Driver: DriverStack, Mode: Realtime})
	if err != nil {
		t.Fatal(err)
	}
	if res.Ticks != 100 || res.Summary.MinLongAccel > -0.9 {
		t.Fatalf("%d ticks, min long accel %.2f: want 100 ticks and the node's braking", res.Ticks, res.Summary.MinLongAccel)
	}
}

// TestRouteMessages: the mission goes out at the start and whenever a signal changes between
// go and stop; it lists every lane of the map (links resolve), the route and the goal.
func TestRouteMessages(t *testing.T) {
	v := loadVehicle(t)
	sc := shortScenario(t, "../configs/scenarios/red_light_stop.yaml", 20)
	var times []int64
	var first, last *av.Route
	obs := func(subject, typ string, data []byte, logTime int64) {
		if subject != SubjectRoute {
			return
		}
		var r av.Route
		if err := proto.Unmarshal(data, &r); err != nil || typ != "avstack.v1.Route" {
			t.Fatalf("route message %q: %v", typ, err)
		}
		times = append(times, logTime)
		if first == nil {
			first = &r
		}
		last = &r
	}
	if _, err := Run(context.Background(), sc, Options{Vehicle: v, Observer: obs}); err != nil {
		t.Fatal(err)
	}
	// East-west turns yellow at 13 s, north-south green at 17 s.
	want := []int64{0, 13e9, 17e9}
	if len(times) != len(want) || times[0] != want[0] || times[1] != want[1] || times[2] != want[2] {
		t.Fatalf("route published at %v, want %v", times, want)
	}
	ids := map[string]bool{}
	for _, l := range first.Lanes {
		ids[l.Id] = true
	}
	for _, l := range first.Lanes {
		for _, ref := range append([]string{l.LeftId, l.RightId}, l.SuccessorIds...) {
			if ref != "" && !ids[ref] {
				t.Fatalf("lane %s links to %s, which the message lacks", l.Id, ref)
			}
		}
	}
	if strings.Join(first.RouteLaneIds, ",") != "s_in,s_n,n_out" || first.GoalLaneId != "n_out" || first.GoalLaneS != 60 || first.Map != "intersection" {
		t.Fatalf("route %v goal %s %v map %s", first.RouteLaneIds, first.GoalLaneId, first.GoalLaneS, first.Map)
	}
	active := func(r *av.Route, lane string) bool {
		for _, sl := range r.StopLines {
			if sl.LaneId == lane {
				return sl.Active
			}
		}
		t.Fatalf("no stop line on %s", lane)
		return false
	}
	if !active(first, "s_in") || active(first, "w_in") || active(last, "s_in") || !active(last, "w_in") {
		t.Fatal("stop line activity does not follow the signals")
	}
}

// TestStopNode: a node stopped mid-run no longer answers; lockstep stops waiting for it and the
// ego keeps the last command it sent.
func TestStopNode(t *testing.T) {
	v := withNodes(loadVehicle(t), "simtest-brake", "simtest-timer")
	sc := shortScenario(t, "../configs/scenarios/lane_keep_straight.yaml", 2)
	n := 0
	obs := func(subject, typ string, data []byte, logTime int64) {
		if subject == msg.SubjectControl {
			n++
		}
	}
	_, err := Run(context.Background(), sc, Options{Vehicle: v, Driver: DriverStack, Observer: obs, Logf: func(string, ...any) {},
		StopNodes: []NodeStop{{Name: "brake", AtS: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	if n != 100 {
		t.Fatalf("%d commands, want 100 (the node stops after 1 s)", n)
	}
	if _, err := Run(context.Background(), sc, Options{Vehicle: v, Driver: DriverStack, StopNodes: []NodeStop{{Name: "nobody", AtS: 1}}}); err == nil {
		t.Fatal("unknown node accepted")
	}
}

// TestLockstepLatestOnlyWildcard: two cameras publishing in the same tick to a node that listens
// to both through one latest-only subscription may give one step or two; lockstep waits for
// at least one and does not time out.
func TestLockstepLatestOnlyWildcard(t *testing.T) {
	v := withNodes(loadVehicle(t), "simtest-cams")
	rear := v.Cameras[0]
	rear.Name = "rear"
	rear.Mount.Yaw = math.Pi
	v.Cameras = append(append([]config.Camera{}, v.Cameras...), rear)
	sc := shortScenario(t, "../configs/scenarios/dense_highway.yaml", 1)
	n := 0
	obs := func(subject, typ string, data []byte, logTime int64) {
		if subject == msg.Detections("all") {
			n++
		}
	}
	if _, err := Run(context.Background(), sc, Options{Vehicle: v, Driver: DriverStack, Sensors: true, Observer: obs, StepTimeout: 5 * time.Second}); err != nil {
		t.Fatal(err)
	}
	if n < 20 || n > 40 {
		t.Fatalf("%d steps for 20 frames of two cameras, want 20..40", n)
	}
}

// TestLockstepSameTickInputs: a step triggered by one of the tick's messages finds the tick's
// earlier messages in its inputs (the simulator settles them before publishing the trigger).
func TestLockstepSameTickInputs(t *testing.T) {
	v := withNodes(loadVehicle(t), "simtest-fusion")
	sc := shortScenario(t, "../configs/scenarios/dense_highway.yaml", 2)
	var steps []*av.Object
	obs := func(subject, typ string, data []byte, logTime int64) {
		if subject == msg.SubjectObjects {
			var ol av.ObjectList
			if err := proto.Unmarshal(data, &ol); err != nil {
				t.Fatal(err)
			}
			steps = append(steps, ol.Objects[0])
		}
	}
	if _, err := Run(context.Background(), sc, Options{Vehicle: v, Driver: DriverStack, Sensors: true, Observer: obs}); err != nil {
		t.Fatal(err)
	}
	if len(steps) != 20 {
		t.Fatalf("%d lidar steps in 2 s, want 20", len(steps))
	}
	for i, o := range steps {
		want := float32(2)
		if i == 0 {
			want = 1
		}
		if o.Score != want || o.Id != 1 {
			t.Fatalf("step %d saw %v camera frames (newest from this tick: %v), want %v including this tick's", i, o.Score, o.Id == 1, want)
		}
	}
}
