package harness

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/avstack/avstack/bus"
	"github.com/avstack/avstack/config"
	"github.com/avstack/avstack/msg"
	"github.com/avstack/avstack/msg/av"
	"github.com/avstack/avstack/node"
	"github.com/avstack/avstack/replay/mcapio"
	"github.com/avstack/avstack/replay/record"
)

// scaleSettings configure the test node: acceleration = gain * v + offset.
type scaleSettings struct {
	Gain   float64       `yaml:"gain"`
	Offset float64       `yaml:"offset"`
	Period time.Duration `yaml:"period"` // > 0: a timer node publishing the input count
}

func (s *scaleSettings) Validate() error { return nil }

// scaleCore is a small deterministic node: on each vehicle state it publishes a control
// command; as a timer node it counts the states it saw per period.
type scaleCore struct {
	s      scaleSettings
	closed bool
}

func (c *scaleCore) Spec() node.Spec {
	if c.s.Period > 0 {
		return node.Spec{Inputs: []node.Input{{Subject: msg.SubjectVehicleState}}, Outputs: []string{msg.SubjectTrajectory}, Period: c.s.Period}
	}
	return node.Spec{Inputs: []node.Input{{Subject: msg.SubjectVehicleState, Trigger: true}}, Outputs: []string{msg.SubjectControl, msg.Status("scale-extra")}}
}

func (c *scaleCore) Step(in []node.Message, now int64) ([]node.Output, error) {
	if c.s.Period > 0 {
		return []node.Output{{Subject: msg.SubjectTrajectory, Value: &av.Trajectory{TargetSpeed: float64(len(in)), Reason: fmt.Sprint(now)}}}, nil
	}
	v := 0.0
	for _, m := range in {
		v = m.Value.(*av.VehicleState).GetV()
	}
	outs := []node.Output{{Subject: msg.SubjectControl, Value: &av.ControlCommand{Acceleration: c.s.Gain*v + c.s.Offset, Steering: 0.1}}}
	if v > 5 {
		outs = append(outs, node.Output{Subject: msg.Status("scale-extra"), Value: &av.NodeStatus{Node: "scale-extra", Steps: uint64(v)}})
	}
	return outs, nil
}

func (c *scaleCore) Close() error { c.closed = true; return nil }

func init() {
	node.Register("harness-test-scale", func(ctx node.Context) (node.Core, error) {
		s := scaleSettings{Gain: 1}
		if err := ctx.Settings(&s); err != nil {
			return nil, err
		}
		return &scaleCore{s: s}, nil
	})
}

// vehicle writes a vehicle file: configs/vehicle.yaml with the given nodes section.
func vehicle(t testing.TB, nodes string) string {
	base, err := os.ReadFile("../../configs/vehicle.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s := string(base)
	i := strings.Index(s, "\nnodes:")
	if i < 0 {
		t.Fatal("configs/vehicle.yaml has no nodes section")
	}
	p := filepath.Join(t.TempDir(), "vehicle.yaml")
	if err := os.WriteFile(p, []byte(s[:i]+"\nnodes:\n"+nodes), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func loadVehicle(t testing.TB, path string) *config.Vehicle {
	v, err := config.LoadVehicle(path)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// recordLiveRun runs the scale node under a real node.Runner on an in-process bus, feeds it
// vehicle states one at a time (waiting for each answer, as lockstep does) and records
// everything on the bus.
func recordLiveRun(t *testing.T, vpath string, n int) string {
	srv, err := bus.StartServer(bus.ServerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown()
	conns := map[string]*bus.Conn{}
	for _, name := range []string{"pub", "node", "rec", "watch"} {
		c, err := bus.ConnectInProcess(srv, name)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		conns[name] = c
	}
	path := filepath.Join(t.TempDir(), "live.mcap")
	w, err := mcapio.Create(path, mcapio.WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := record.Start(conns["rec"], w, record.Options{})
	if err != nil {
		t.Fatal(err)
	}
	core, err := node.New(loadVehicle(t, vpath), "scale")
	if err != nil {
		t.Fatal(err)
	}
	runner, err := node.NewRunner(conns["node"], core, node.RunOptions{Name: "scale", StatusPeriod: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer runner.Close()
	if err := conns["node"].Flush(); err != nil {
		t.Fatal(err)
	}
	answered := make(chan struct{}, n)
	sub, err := bus.Subscribe(conns["watch"], msg.SubjectControl, func(bus.Msg[*av.ControlCommand]) { answered <- struct{}{} }, bus.WithDelivery(msg.Reliable))
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	if err := conns["watch"].Flush(); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		st := &av.VehicleState{Header: &av.Header{StampNs: int64(i+1) * 10_000_000, FrameId: "map"}, X: float64(i), V: float64(i) * 0.25}
		if err := conns["pub"].Publish(msg.SubjectVehicleState, st); err != nil {
			t.Fatal(err)
		}
		select {
		case <-answered:
		case <-time.After(5 * time.Second):
			t.Fatalf("node did not answer input %d", i)
		}
	}
	// A sentinel from the node's own connection arrives at the recorder after everything the
	// node published (one publisher, one subscription: NATS keeps the order).
	if err := conns["node"].Publish("av.debug.sentinel", &av.Clock{}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for rec.Stats().Skipped["not recorded by the catalogue"] < 1 && time.Now().Before(deadline) {
		time.Sleep(2 * time.Millisecond)
	}
	rec.Stop(time.Second)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

const scaleNode = `  - name: scale
    kind: harness-test-scale
    settings: {gain: 2, offset: 0.5}
`

// TestReplayMatchesRunner: replaying a live run recorded off the bus reproduces every output
// byte for byte (the harness's step and header rules are node.Runner's).
func TestReplayMatchesRunner(t *testing.T) {
	vpath := vehicle(t, scaleNode)
	rec := recordLiveRun(t, vpath, 40)
	r, err := mcapio.Open(rec)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	res, err := Run(r, nil, Options{Vehicle: loadVehicle(t, vpath), Node: "scale"})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	res.Format(&b)
	t.Log(b.String())
	if !res.Equal || res.Inputs != 40 || res.Steps != 40 || len(res.Subjects) != 2 {
		t.Fatalf("not equal:\n%s", b.String())
	}
	for _, s := range res.Subjects {
		want := map[string]int{msg.SubjectControl: 40, msg.Status("scale-extra"): 19}[s.Subject]
		if s.Got != want || s.Identical != want {
			t.Fatalf("%s: got %d, %d identical; want %d", s.Subject, s.Got, s.Identical, want)
		}
	}
	if ExitCode(res, nil) != 0 {
		t.Fatal("exit code of an equal run is not 0")
	}
}

// TestChangedParameterIsRegression: the same recording replayed with a changed gain is a
// regression (exit 1) whose report names the field path and both values.
func TestChangedParameterIsRegression(t *testing.T) {
	rec := recordLiveRun(t, vehicle(t, scaleNode), 20)
	r, err := mcapio.Open(rec)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	changed := loadVehicle(t, vehicle(t, strings.Replace(scaleNode, "gain: 2", "gain: 2.5", 1)))
	res, err := Run(r, nil, Options{Vehicle: changed, Node: "scale", MaxDiffs: 3})
	if err != nil {
		t.Fatal(err)
	}
	if res.Equal || ExitCode(res, nil) != 1 {
		t.Fatal("a changed gain is not a regression")
	}
	// Input 0 has v = 0, so the first difference is message #1: v = 0.25.
	d := res.Diffs[0]
	if d.Subject != msg.SubjectControl || d.Index != 1 || d.Path != "acceleration" || d.Got != "1.125" || d.Want != "1" {
		t.Fatalf("first diff %+v, want av.control.command #1 acceleration got 1.125 want 1", d)
	}
	if len(res.Diffs) != 3 || res.DiffCount != 19 {
		t.Fatalf("%d diffs reported of %d; want 3 of 19", len(res.Diffs), res.DiffCount)
	}
	var b bytes.Buffer
	res.Format(&b)
	if !strings.Contains(b.String(), "REGRESSION") || !strings.Contains(b.String(), "acceleration: got 1.125, want 1") {
		t.Fatalf("report lacks the field path:\n%s", b.String())
	}
	// Within tolerance it passes; ignoring the field passes too.
	for name, tol := range map[string]Tolerance{
		"tolerance": {Abs: 2.5},
		"ignore":    {Ignore: []string{"acceleration"}},
	} {
		res, err := Run(r, nil, Options{Vehicle: changed, Node: "scale", Tolerance: &tol})
		if err != nil {
			t.Fatal(err)
		}
		if !res.Equal || res.Subjects[0].Within != 19 {
			t.Fatalf("%s: equal %v, %+v", name, res.Equal, res.Subjects)
		}
	}
}

// TestTimerNodeAndReference: a timer node steps on recorded clock ticks as node.Runner does;
// Update writes a reference file that the next run matches, and a changed period changes the
// count of outputs.
func TestTimerNodeAndReference(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "clock.mcap")
	w, err := mcapio.Create(path, mcapio.WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for ms := int64(0); ms <= 1000; ms += 10 {
		ts := ms * 1_000_000
		if err := record.WriteProto(w, msg.SubjectSimClock, &av.Clock{Header: &av.Header{StampNs: ts}, TimeNs: ts, Tick: uint64(ms / 10), PeriodNs: 1e7}, ts); err != nil {
			t.Fatal(err)
		}
		if ms%20 == 0 {
			if err := record.WriteProto(w, msg.SubjectVehicleState, &av.VehicleState{Header: &av.Header{StampNs: ts}, V: 1}, ts); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	timer := func(period string) *config.Vehicle {
		return loadVehicle(t, vehicle(t, "  - name: tick\n    kind: harness-test-scale\n    settings: {period: "+period+"}\n"))
	}
	r, err := mcapio.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	res, err := Run(r, nil, Options{Vehicle: timer("100ms"), Node: "tick"})
	if err != nil {
		t.Fatal(err)
	}
	// Ticks at 0, 100, ..., 1000 ms: 11 steps; the recording itself holds no trajectories.
	if res.Steps != 11 || res.Subjects[0].Got != 11 || res.Subjects[0].Want != 0 || res.Equal {
		t.Fatalf("steps %d, %+v", res.Steps, res.Subjects)
	}
	ref := ReferencePath(path, "tick")
	if err := WriteReference(ref, res); err != nil {
		t.Fatal(err)
	}
	if got := ResolveReference(path, "tick", ""); got != ref {
		t.Fatalf("ResolveReference = %q, want %q", got, ref)
	}
	rr, err := mcapio.Open(ref)
	if err != nil {
		t.Fatal(err)
	}
	defer rr.Close()
	res, err = Run(r, rr, Options{Vehicle: timer("100ms"), Node: "tick"})
	if err != nil || !res.Equal {
		t.Fatalf("against its own reference: %v, %+v", err, res)
	}
	// Each step saw the 5 states since the previous one (the first saw 1).
	var tr av.Trajectory
	if err := proto.Unmarshal(res.Outputs[1].Data, &tr); err != nil || tr.TargetSpeed != 5 || tr.Header.GetSourceStampNs() != 100_000_000 || tr.Header.GetSeq() != 2 {
		t.Fatalf("second output %v (%v)", &tr, err)
	}
	res, err = Run(r, rr, Options{Vehicle: timer("200ms"), Node: "tick"})
	if err != nil || res.Equal || res.Subjects[0].Got != 6 || res.Subjects[0].Want != 11 || ExitCode(res, nil) != 1 {
		t.Fatalf("changed period: %v, %+v", err, res.Subjects)
	}
}

func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	v := loadVehicle(t, vehicle(t, scaleNode))
	write := func(name string, fn func(w *mcapio.Writer)) *mcapio.Reader {
		p := filepath.Join(dir, name)
		w, err := mcapio.Create(p, mcapio.WriterOptions{})
		if err != nil {
			t.Fatal(err)
		}
		fn(w)
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		r, err := mcapio.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { r.Close() })
		return r
	}
	noInputs := write("none.mcap", func(w *mcapio.Writer) {
		record.WriteProto(w, msg.SubjectObjects, &av.ObjectList{}, 1)
	})
	wrongType := write("wrong.mcap", func(w *mcapio.Writer) {
		record.WriteProto(w, msg.SubjectVehicleState, &av.ObjectList{}, 1)
	})
	garbage := write("garbage.mcap", func(w *mcapio.Writer) {
		w.Write(msg.SubjectVehicleState, "avstack.v1.VehicleState", []byte{0x0a, 0x7f}, 1, 1)
	})
	timerV := loadVehicle(t, vehicle(t, "  - name: tick\n    kind: harness-test-scale\n    settings: {period: 100ms}\n"))
	noClock := write("noclock.mcap", func(w *mcapio.Writer) {
		record.WriteProto(w, msg.SubjectVehicleState, &av.VehicleState{}, 1)
	})
	if _, err := Run(noClock, nil, Options{Vehicle: timerV, Node: "tick"}); !errors.Is(err, ErrBadInput) || !strings.Contains(err.Error(), "av.sim.clock") {
		t.Fatalf("timer node without a recorded clock: %v", err)
	}
	cases := []struct {
		name string
		r    *mcapio.Reader
		node string
		want string
	}{
		{"unknown node", noInputs, "nope", `no node named "nope"`},
		{"no inputs", noInputs, "scale", "no messages on the inputs"},
		{"wrong type", wrongType, "scale", "carries avstack.v1.ObjectList"},
		{"undecodable", garbage, "scale", "undecodable"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := Run(c.r, nil, Options{Vehicle: v, Node: c.node})
			if !errors.Is(err, ErrBadInput) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err %v, want ErrBadInput containing %q", err, c.want)
			}
			if ExitCode(res, err) != 2 {
				t.Fatal("bad input does not exit 2")
			}
		})
	}
}

// TestDiffMessages covers the field walker on nested, repeated and enum fields.
func TestDiffMessages(t *testing.T) {
	a := &av.ObjectList{Header: &av.Header{Seq: 1}, Objects: []*av.Object{{Id: 1, Class: av.ObjectClass_OBJECT_CLASS_CAR, Box: &av.Box3D{X: 1}, Covariance: []float64{1, 2}}, {Id: 2}}}
	cases := []struct {
		name string
		edit func(b *av.ObjectList)
		tol  Tolerance
		want []string // paths
	}{
		{"same", func(b *av.ObjectList) {}, Tolerance{}, nil},
		{"nested float", func(b *av.ObjectList) { b.Objects[0].Box.X = 1.5 }, Tolerance{}, []string{"objects[0].box.x"}},
		{"within abs", func(b *av.ObjectList) { b.Objects[0].Box.X = 1.0001 }, Tolerance{Abs: 1e-3}, nil},
		{"within rel", func(b *av.ObjectList) { b.Objects[0].Box.X = 1.0001 }, Tolerance{Rel: 1e-3}, nil},
		{"enum", func(b *av.ObjectList) { b.Objects[0].Class = av.ObjectClass_OBJECT_CLASS_TRUCK }, Tolerance{}, []string{"objects[0].class"}},
		{"list length", func(b *av.ObjectList) { b.Objects = b.Objects[:1] }, Tolerance{}, []string{"objects.length"}},
		{"repeated double", func(b *av.ObjectList) { b.Objects[0].Covariance[1] = 3 }, Tolerance{}, []string{"objects[0].covariance[1]"}},
		{"ignored", func(b *av.ObjectList) { b.Header.Seq = 9; b.Objects[1].Id = 5 }, Tolerance{Ignore: []string{"header", "objects.id"}}, nil},
		{"presence", func(b *av.ObjectList) { b.Objects[0].Box = nil }, Tolerance{}, []string{"objects[0].box"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := proto.Clone(a).(*av.ObjectList)
			c.edit(b)
			d := DiffMessages(b, a, c.tol)
			var paths []string
			for _, x := range d {
				paths = append(paths, x.Path)
			}
			if fmt.Sprint(paths) != fmt.Sprint(c.want) {
				t.Fatalf("paths %v, want %v (%+v)", paths, c.want, d)
			}
		})
	}
}
