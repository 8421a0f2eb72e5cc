package control

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/avstack/avstack/geom"
	"github.com/avstack/avstack/msg"
	"github.com/avstack/avstack/msg/av"
	"github.com/avstack/avstack/node"
)

// drive runs the controller on a straight road at 15 m/s for dur seconds. feed decides, per
// tick time (s), which inputs arrive. It returns the commands.
func drive(t *testing.T, dur float64, objects func(now int64) *av.ObjectList, feed func(ts float64) (traj, objs, state bool), status func(ts float64) *av.NodeStatus) ([]*av.ControlCommand, *bicycle, *Controller) {
	t.Helper()
	road := make([]geom.Vec2, 0, 1000)
	for x := 0.0; x <= 1000; x++ {
		road = append(road, geom.Vec2{X: x})
	}
	c, err := New("control", DefaultSettings(testDyn), testDyn)
	if err != nil {
		t.Fatal(err)
	}
	b := &bicycle{v: 15, dyn: testDyn}
	var cmds []*av.ControlCommand
	cmd := &av.ControlCommand{}
	for tick := 0; float64(tick)*0.01 < dur; tick++ {
		now := int64(tick) * 10e6
		ts := float64(tick) * 0.01
		if tick%2 == 0 {
			tr, ob, st := feed(ts)
			var in []node.Message
			if tr && tick%10 == 0 {
				in = append(in, node.Message{Subject: msg.SubjectTrajectory, Value: trajectoryAlong(road, b.x, b.y, 15, 5, now)})
			}
			if ob && tick%10 == 0 {
				in = append(in, node.Message{Subject: msg.SubjectObjects, Value: objects(now)})
			}
			if st {
				in = append(in, node.Message{Subject: msg.SubjectVehicleState, Value: b.state(now)})
			}
			if status != nil {
				if s := status(ts); s != nil {
					in = append(in, node.Message{Subject: msg.Status(s.Node), Value: s})
				}
			}
			outs, err := c.Step(in, now)
			if err != nil {
				t.Fatal(err)
			}
			cmd = outs[0].Value.(*av.ControlCommand)
			cmds = append(cmds, cmd)
		}
		b.step(cmd.Steering, cmd.Acceleration, 0.01)
	}
	return cmds, b, c
}

func noObjects(now int64) *av.ObjectList {
	return &av.ObjectList{Header: &av.Header{StampNs: now, FrameId: "map"}}
}

// TestWatchdogMinimalRisk: issue 8 — stale objects, stale trajectory or stale vehicle state
// switch to the minimal-risk manoeuvre, which stops the car in lane; the mode and reason say so.
func TestWatchdogMinimalRisk(t *testing.T) {
	cases := []struct {
		name   string
		feed   func(ts float64) (bool, bool, bool)
		status func(ts float64) *av.NodeStatus
		reason string
	}{
		{"stale objects", func(ts float64) (bool, bool, bool) { return true, ts < 3, true }, nil, "objects stale"},
		{"stale trajectory", func(ts float64) (bool, bool, bool) { return ts < 3, true, true }, nil, "trajectory stale"},
		{"stale vehicle state", func(ts float64) (bool, bool, bool) { return true, true, ts < 3 }, nil, "vehicle state stale"},
		{"node error", func(ts float64) (bool, bool, bool) { return true, true, true }, func(ts float64) *av.NodeStatus {
			if ts < 3 {
				return &av.NodeStatus{Node: "perception", Health: av.NodeStatus_HEALTH_OK}
			}
			return &av.NodeStatus{Node: "perception", Health: av.NodeStatus_HEALTH_ERROR, Message: "detector crashed"}
		}, "node perception ERROR: detector crashed"},
		{"node stopping", func(ts float64) (bool, bool, bool) { return true, true, true }, func(ts float64) *av.NodeStatus {
			if ts < 3 {
				return nil
			}
			return &av.NodeStatus{Node: "perception", Health: av.NodeStatus_HEALTH_STOPPING, Message: "shutting down"}
		}, "node perception STOPPING"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cmds, b, c := drive(t, 14, noObjects, tc.feed, tc.status)
			// Before the trip (after start-up): autonomous.
			if m := cmds[100].Mode; m != av.ControlCommand_MODE_AUTONOMOUS {
				t.Fatalf("t=2s: mode %v (%s), want autonomous", m, cmds[100].Reason)
			}
			// Within the limit plus one period of the trip the mode must change.
			trip := -1
			for i := 150; i < len(cmds); i++ {
				if cmds[i].Mode == av.ControlCommand_MODE_MINIMAL_RISK {
					trip = i
					break
				}
			}
			if trip < 0 {
				t.Fatalf("no minimal-risk command after the inputs went stale")
			}
			if delay := float64(trip-150) * 0.02; delay > 0.36 {
				t.Errorf("minimal-risk after %.2f s, want <= 0.36 s", delay)
			}
			last := cmds[len(cmds)-1]
			if last.Mode != av.ControlCommand_MODE_MINIMAL_RISK || !strings.Contains(last.Reason, tc.reason) {
				t.Errorf("last command mode %v reason %q, want minimal-risk with %q", last.Mode, last.Reason, tc.reason)
			}
			if b.v > 0.05 {
				t.Errorf("speed %.2f m/s after the manoeuvre, want stopped", b.v)
			}
			if math.Abs(b.y) > 0.3 {
				t.Errorf("stopped %.2f m off the lane centre, want in lane (<= 0.3 m)", b.y)
			}
			// Comfortable: no command below -mrm_decel - margin (no emergency without an object).
			for i := trip; i < len(cmds); i++ {
				if cmds[i].Acceleration < -2.5-1e-9 {
					t.Fatalf("command %d: acceleration %.2f below the minimal-risk deceleration", i, cmds[i].Acceleration)
				}
			}
			if h, msg := c.Health(); h != av.NodeStatus_HEALTH_DEGRADED || !strings.Contains(msg, "MINIMAL_RISK") {
				t.Errorf("health %v %q, want DEGRADED naming the minimal-risk mode", h, msg)
			}
		})
	}
}

// TestWatchdogFreshStaysAutonomous: with every input fresh the controller never leaves
// autonomous mode after start-up (the watchdog can fail: see TestWatchdogMinimalRisk).
func TestWatchdogFreshStaysAutonomous(t *testing.T) {
	cmds, b, _ := drive(t, 5, noObjects, func(float64) (bool, bool, bool) { return true, true, true }, nil)
	for i, c := range cmds[10:] {
		if c.Mode != av.ControlCommand_MODE_AUTONOMOUS {
			t.Fatalf("command %d: mode %v (%s)", i+10, c.Mode, c.Reason)
		}
	}
	if math.Abs(b.v-15) > 0.3 {
		t.Errorf("speed %.2f, want 15", b.v)
	}
}

// TestEmergencyStopWhenImminent: in minimal-risk mode with a stopped car ahead on the lane,
// contact is predicted and the command brakes at the emergency deceleration; the car stops
// before it.
func TestEmergencyStopWhenImminent(t *testing.T) {
	obstacle := func(now int64) *av.ObjectList {
		return &av.ObjectList{Header: &av.Header{StampNs: now, FrameId: "map"}, Objects: []*av.Object{
			{Id: 7, Class: av.ObjectClass_OBJECT_CLASS_CAR, Box: &av.Box3D{X: 60, Y: 0, Length: 4.5, Width: 1.8, Height: 1.5}}}}
	}
	// Trajectory goes stale at t=1 s: minimal risk at 15 m/s needs 45 m at 2.5 m/s^2 (> 40 m left).
	cmds, b, _ := drive(t, 12, obstacle, func(ts float64) (bool, bool, bool) { return ts < 1, true, true }, nil)
	sawEmergency := false
	for _, c := range cmds {
		if c.Mode == av.ControlCommand_MODE_EMERGENCY_STOP {
			sawEmergency = true
			if !strings.Contains(c.Reason, "object 7") {
				t.Errorf("emergency reason %q does not name the object", c.Reason)
			}
			break
		}
	}
	if !sawEmergency {
		t.Fatalf("no emergency stop")
	}
	front := b.x + testDyn.FrontOverhang
	if b.v > 0.05 || front > 60-2.25 {
		t.Errorf("ended at front x=%.2f speed %.2f, want stopped before the car's rear at 57.75", front, b.v)
	}
	_ = time.Second
}
