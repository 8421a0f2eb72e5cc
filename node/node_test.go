package node_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/avstack/avstack/bus"
	"github.com/avstack/avstack/config"
	"github.com/avstack/avstack/internal/poll"
	"github.com/avstack/avstack/msg"
	"github.com/avstack/avstack/msg/av"
	"github.com/avstack/avstack/node"
	_ "github.com/avstack/avstack/node/heartbeat"
)

// echo turns each vehicle state into an object list with one object at the vehicle's position.
type echo struct {
	mu     sync.Mutex
	got    [][]string
	nows   []int64
	failAt float64
}

func (e *echo) Spec() node.Spec {
	return node.Spec{
		Inputs: []node.Input{
			{Subject: msg.SubjectVehicleState, Trigger: true},
			{Subject: msg.SubjectTrajectory},
		},
		Outputs: []string{msg.SubjectObjects},
	}
}

func (e *echo) Step(in []node.Message, now int64) ([]node.Output, error) {
	var subs []string
	var x float64
	for _, m := range in {
		subs = append(subs, m.Subject)
		if vs, ok := m.Value.(*av.VehicleState); ok {
			x = vs.X
		}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.got = append(e.got, subs)
	e.nows = append(e.nows, now)
	if x == e.failAt {
		return nil, fmt.Errorf("echo: refusing x=%g", x)
	}
	return []node.Output{{Subject: msg.SubjectObjects, Value: &av.ObjectList{Objects: []*av.Object{{Box: &av.Box3D{X: x}}}}}}, nil
}

func (e *echo) Counters() []*av.Counter {
	e.mu.Lock()
	defer e.mu.Unlock()
	return []*av.Counter{{Name: "steps_seen", Value: float64(len(e.got))}}
}

func setup(t *testing.T) *bus.Conn {
	srv, err := bus.StartServer(bus.ServerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown)
	c, err := bus.ConnectInProcess(srv, t.Name(), func(error) {})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

func TestRunnerStepsFillsHeadersAndReportsStatus(t *testing.T) {
	c := setup(t)
	core := &echo{failAt: -1}
	var mu sync.Mutex
	var outs []*av.ObjectList
	sub, err := bus.Subscribe(c, msg.SubjectObjects, func(m bus.Msg[*av.ObjectList]) {
		mu.Lock()
		outs = append(outs, m.Value)
		mu.Unlock()
	})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	var stMu sync.Mutex
	var statuses []*av.NodeStatus
	ssub, err := bus.Subscribe(c, msg.Status("echo"), func(m bus.Msg[*av.NodeStatus]) {
		stMu.Lock()
		statuses = append(statuses, m.Value)
		stMu.Unlock()
	}, bus.WithDelivery(msg.Reliable))
	if err != nil {
		t.Fatal(err)
	}
	defer ssub.Close()

	clock := bus.NewSimClock()
	r, err := node.NewRunner(c, core, node.RunOptions{Name: "echo", Clock: clock, StatusPeriod: time.Second, Logf: func(string, ...any) {}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()

	// A non-trigger input waits for the next trigger; the trigger's stamp is `now`.
	if err := c.Publish(msg.SubjectTrajectory, &av.Trajectory{}); err != nil {
		t.Fatal(err)
	}
	_ = c.Flush()
	time.Sleep(20 * time.Millisecond) // the trajectory must arrive before the trigger (separate subscriptions)
	for i := 1; i <= 3; i++ {
		if err := c.Publish(msg.SubjectVehicleState, &av.VehicleState{Header: &av.Header{StampNs: int64(i) * 1000}, X: float64(i)}); err != nil {
			t.Fatal(err)
		}
		_ = c.Flush()
		time.Sleep(5 * time.Millisecond)
	}
	// Garbage on an input is counted, not stepped.
	_ = c.PublishRaw(msg.SubjectVehicleState, "avstack.v1.VehicleState", []byte{0xff, 0xff})
	poll.Until(t, 5*time.Second, func() error {
		mu.Lock()
		defer mu.Unlock()
		if len(outs) != 3 {
			return fmt.Errorf("%d outputs", len(outs))
		}
		return nil
	})
	mu.Lock()
	for i, o := range outs {
		h := o.GetHeader()
		if h.GetSeq() != uint64(i+1) || h.GetSourceStampNs() != int64(i+1)*1000 || h.GetStampNs() != int64(i+1)*1000 || o.Objects[0].Box.X != float64(i+1) {
			t.Errorf("output %d: header %v, x %g", i, h, o.Objects[0].Box.X)
		}
	}
	mu.Unlock()
	core.mu.Lock()
	if len(core.got) != 3 || strings.Join(core.got[0], ",") != msg.SubjectTrajectory+","+msg.SubjectVehicleState {
		t.Errorf("inputs per step: %v", core.got)
	}
	core.mu.Unlock()
	// Every input (a trajectory, three states, the garbage) is handled before the heartbeat.
	poll.Until(t, 5*time.Second, func() error {
		if h := r.Handled(); h != 5 {
			return fmt.Errorf("runner handled %d inputs, want 5", h)
		}
		return nil
	})
	// Heartbeats follow the sim clock.
	clock.Set(2e9, 200, 1e7)
	poll.Until(t, 5*time.Second, func() error {
		stMu.Lock()
		defer stMu.Unlock()
		if len(statuses) == 0 {
			return fmt.Errorf("no status")
		}
		st := statuses[len(statuses)-1]
		// The garbage message is counted and makes the node degraded for that period.
		if st.Steps != 3 || st.BadMessages != 1 || st.Health != av.NodeStatus_HEALTH_DEGRADED {
			return fmt.Errorf("status %v", st)
		}
		return nil
	})
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	poll.Until(t, 5*time.Second, func() error {
		stMu.Lock()
		defer stMu.Unlock()
		if last := statuses[len(statuses)-1]; last.Health != av.NodeStatus_HEALTH_STOPPING {
			return fmt.Errorf("last status %v, want STOPPING on shutdown", last)
		}
		return nil
	})
}

func TestRunnerStepErrorIsCountedNotPublished(t *testing.T) {
	c := setup(t)
	core := &echo{failAt: 2}
	var errsMu sync.Mutex
	var logged []string
	r, err := node.NewRunner(c, core, node.RunOptions{Name: "echo", Clock: bus.NewSimClock(), Logf: func(f string, a ...any) {
		errsMu.Lock()
		logged = append(logged, fmt.Sprintf(f, a...))
		errsMu.Unlock()
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	// Vehicle state is latest-only: publish one at a time so none is dropped.
	for i := 1; i <= 3; i++ {
		_ = c.Publish(msg.SubjectVehicleState, &av.VehicleState{Header: &av.Header{StampNs: int64(i)}, X: float64(i)})
		_ = c.Flush()
		poll.Until(t, 5*time.Second, func() error {
			core.mu.Lock()
			defer core.mu.Unlock()
			if len(core.got) != i {
				return fmt.Errorf("%d steps after %d messages", len(core.got), i)
			}
			return nil
		})
	}
	st := r.Status(0)
	if st.Steps != 3 || st.Errors != 1 || st.Drops != 0 {
		t.Fatalf("status %v", st)
	}
	if len(st.Counters) != 1 || st.Counters[0].Name != "steps_seen" || st.Counters[0].Value != 3 {
		t.Fatalf("core counters not in status: %v", st.Counters)
	}
	errsMu.Lock()
	defer errsMu.Unlock()
	if len(logged) != 1 || !strings.Contains(logged[0], "refusing x=2") {
		t.Fatalf("logged %q", logged)
	}
}

// In lockstep every input counts, even on latest-only subjects.
func TestLockstepTakesEveryInput(t *testing.T) {
	c := setup(t)
	core := &echo{failAt: -1}
	block := make(chan struct{})
	r, err := node.NewRunner(c, &slowFirst{echo: core, block: block}, node.RunOptions{Name: "echo", Clock: bus.NewSimClock(), Lockstep: true, Logf: func(string, ...any) {}})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for i := 1; i <= 50; i++ {
		_ = c.Publish(msg.SubjectVehicleState, &av.VehicleState{Header: &av.Header{StampNs: int64(i)}, X: float64(i)})
	}
	_ = c.Flush()
	close(block)
	poll.Until(t, 5*time.Second, func() error {
		if st := r.Status(0); st.Steps != 50 || st.Drops != 0 {
			return fmt.Errorf("status %v", st)
		}
		return nil
	})
}

// slowFirst holds its first step until block closes, so the inputs pile up.
type slowFirst struct {
	*echo
	block chan struct{}
	once  sync.Once
}

func (s *slowFirst) Step(in []node.Message, now int64) ([]node.Output, error) {
	s.once.Do(func() { <-s.block })
	return s.echo.Step(in, now)
}

func TestTimerNodeOnSimClock(t *testing.T) {
	c := setup(t)
	v := &config.Vehicle{File: "test.yaml"}
	if err := config.Decode([]byte(`
dynamics: {wheelbase: 2.8, length: 4.7, width: 1.85, height: 1.5, max_steer: 0.6, max_steer_rate: 0.8, max_accel: 3, max_decel: 8, max_jerk: 10, max_speed: 40}
nodes:
  - name: hb
    kind: heartbeat
    settings: {period: 100ms}
`), "test.yaml", v); err != nil {
		t.Fatal(err)
	}
	v.File = "test.yaml"
	core, err := node.New(v, "hb")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var ticks []int64
	sub, err := bus.Subscribe(c, "av.system.heartbeat.hb", func(m bus.Msg[*av.Clock]) {
		mu.Lock()
		ticks = append(ticks, m.Value.TimeNs)
		mu.Unlock()
	}, bus.WithDelivery(msg.Reliable))
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	clock := bus.NewSimClock()
	r, err := node.NewRunner(c, core, node.RunOptions{Name: "hb", Clock: clock, StatusPeriod: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	// 10 ms ticks for 1 s of sim time: the 100 ms node steps 10 times, at 0, 100, ... 900 ms.
	for i := 0; i < 100; i++ {
		clock.Set(int64(i)*10e6, uint64(i), 10e6)
	}
	poll.Until(t, 5*time.Second, func() error {
		mu.Lock()
		defer mu.Unlock()
		if len(ticks) != 10 {
			return fmt.Errorf("%d steps: %v", len(ticks), ticks)
		}
		return nil
	})
	for i, ts := range ticks {
		if ts != int64(i)*100e6 {
			t.Fatalf("step %d at %d ns", i, ts)
		}
	}
}

func TestRegistryAndSettingsErrors(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "vehicle.yaml")
	write := func(s string) {
		if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	base := "dynamics: {wheelbase: 2.8, length: 4.7, width: 1.85, height: 1.5, max_steer: 0.6, max_steer_rate: 0.8, max_accel: 3, max_decel: 8, max_jerk: 10, max_speed: 40}\n"
	cases := []struct {
		name, yaml, node string
		want             []string
	}{
		{"unknown kind", base + "nodes: [{name: a, kind: nope}]\n", "a", []string{path, `"nope"`, "not registered"}},
		{"unknown node", base + "nodes: [{name: a, kind: heartbeat}]\n", "b", []string{path, `"b"`}},
		{"unknown setting", base + "nodes: [{name: a, kind: heartbeat, settings: {perod: 1s}}]\n", "a", []string{path, "nodes[0].settings", "perod"}},
		{"bad setting value", base + "nodes: [{name: a, kind: heartbeat, settings: {period: 1us}}]\n", "a", []string{path, "nodes[0].settings.period", "1µs"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			write(c.yaml)
			v, err := config.LoadVehicle(path)
			if err != nil {
				t.Fatal(err)
			}
			_, err = node.New(v, c.node)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}
