package control

import (
	"fmt"
	"math"
	"time"

	"github.com/avstack/avstack/config"
	"github.com/avstack/avstack/geom"
	"github.com/avstack/avstack/msg"
	"github.com/avstack/avstack/msg/av"
	"github.com/avstack/avstack/node"
)

// Settings of the control node (nodes[i].settings in configs/vehicle.yaml).
type Settings struct {
	// Lateral controller: lqr (default), pure_pursuit, stanley.
	Controller string        `yaml:"controller"`
	Period     time.Duration `yaml:"period"`
	// Watchdog limits on input age.
	TrajectoryTimeout time.Duration `yaml:"trajectory_timeout"`
	ObjectsTimeout    time.Duration `yaml:"objects_timeout"`
	StateTimeout      time.Duration `yaml:"state_timeout"`
	// Nodes whose ERROR/STOPPING status trips the watchdog (empty: all others).
	WatchNodes []string `yaml:"watch_nodes"`
	// Minimal-risk comfortable deceleration and emergency deceleration (positive, m/s^2).
	MRMDecel       float64 `yaml:"mrm_decel"`
	EmergencyDecel float64 `yaml:"emergency_decel"`
	// Emergency stop when contact with an object is predicted within this time in minimal-risk
	// mode (EmergencyTTC) or in normal driving (AEBTTC, 0 = off), s.
	EmergencyTTC float64 `yaml:"emergency_ttc"`
	AEBTTC       float64 `yaml:"aeb_ttc"`
	// Comfort jerk limit of the acceleration command in normal driving (m/s^3); emergencies use
	// the vehicle's max_jerk.
	JerkLimit float64 `yaml:"jerk_limit"`
	// Preview added to the trajectory time for the speed reference (actuator lag), s.
	Preview float64 `yaml:"preview"`
	// After start, the watchdog's "no input yet" coasts instead of braking for this long.
	StartupGrace time.Duration `yaml:"startup_grace"`
	// Weight of a new position measurement against the pose predicted from the last one
	// (odometry noise filter); 1 = use measurements as they are.
	PoseFilter float64 `yaml:"pose_filter"`
}

// DefaultSettings for a vehicle.
func DefaultSettings(d config.Dynamics) Settings {
	return Settings{Controller: "lqr", Period: 20 * time.Millisecond, TrajectoryTimeout: 300 * time.Millisecond,
		ObjectsTimeout: 300 * time.Millisecond, StateTimeout: 50 * time.Millisecond, MRMDecel: 2.5,
		EmergencyDecel: d.MaxDecel, EmergencyTTC: 1.5, AEBTTC: 0.6, JerkLimit: 3.5, Preview: 0.2, StartupGrace: time.Second, PoseFilter: 0.3}
}

// Validate names the bad field.
func (s *Settings) Validate() error {
	if _, err := NewLateral(s.Controller, Vehicle{Wheelbase: 1}); err != nil {
		return config.Errorf("controller", s.Controller, "want lqr, pure_pursuit or stanley")
	}
	if s.Period < time.Millisecond || s.Period > 200*time.Millisecond {
		return config.Errorf("period", s.Period, "want 1ms..200ms")
	}
	for _, f := range []struct {
		n string
		d time.Duration
	}{{"trajectory_timeout", s.TrajectoryTimeout}, {"objects_timeout", s.ObjectsTimeout}, {"state_timeout", s.StateTimeout}} {
		if f.d < s.Period || f.d > 10*time.Second {
			return config.Errorf(f.n, f.d, "want period..10s")
		}
	}
	if !(s.MRMDecel > 0 && s.MRMDecel <= s.EmergencyDecel && s.EmergencyDecel <= 15) {
		return config.Errorf("mrm_decel", s.MRMDecel, "want 0 < mrm_decel <= emergency_decel (%g) <= 15", s.EmergencyDecel)
	}
	if s.EmergencyTTC < 0 || s.EmergencyTTC > 10 || s.AEBTTC < 0 || s.AEBTTC > 10 {
		return config.Errorf("emergency_ttc", s.EmergencyTTC, "emergency_ttc and aeb_ttc want 0..10 s")
	}
	if !(s.JerkLimit > 0) {
		return config.Errorf("jerk_limit", s.JerkLimit, "want > 0")
	}
	if !(s.PoseFilter > 0 && s.PoseFilter <= 1) {
		return config.Errorf("pose_filter", s.PoseFilter, "want (0, 1]")
	}
	if s.StartupGrace < 0 || s.StartupGrace > 10*time.Second {
		return config.Errorf("startup_grace", s.StartupGrace, "want 0..10s")
	}
	if s.Preview < 0 || s.Preview > 2 {
		return config.Errorf("preview", s.Preview, "want 0..2 s")
	}
	return nil
}

// Controller is the control node's core: tracking, limits, watchdog, minimal-risk manoeuvres.
type Controller struct {
	set   Settings
	dyn   config.Dynamics
	lat   Lateral
	lon   *Longitudinal
	steer RateLimiter
	accel RateLimiter
	wd    *Watchdog

	path    *Path
	state   *av.VehicleState
	objects *av.ObjectList
	lastNow int64

	mode   av.ControlCommand_Mode
	reason string
	first  int64 // time of the first step (-1 before)
	filter PoseFilter
}

// New builds a controller.
func New(name string, s Settings, d config.Dynamics) (*Controller, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	lat, err := NewLateral(s.Controller, Vehicle{Wheelbase: d.Wheelbase, MaxSteer: d.MaxSteer, SteerTau: d.SteerTau})
	if err != nil {
		return nil, err
	}
	wd := NewWatchdog(s.TrajectoryTimeout, s.ObjectsTimeout, s.StateTimeout)
	wd.Watch, wd.Self = s.WatchNodes, name
	return &Controller{set: s, dyn: d, lat: lat, lon: DefaultLongitudinal(), first: -1, filter: PoseFilter{Alpha: s.PoseFilter},
		steer: RateLimiter{Min: -d.MaxSteer, Max: d.MaxSteer}, accel: RateLimiter{Min: -d.MaxDecel, Max: d.MaxAccel, last: 0, have: true}, wd: wd}, nil
}

// Spec implements node.Core.
func (c *Controller) Spec() node.Spec {
	// Statuses of every node come on one wildcard subscription: reliable, so that one node's
	// heartbeat cannot replace another's ERROR before a step reads it.
	rel := msg.Reliable
	return node.Spec{
		Inputs: []node.Input{
			{Subject: msg.SubjectTrajectory},
			{Subject: msg.SubjectVehicleState},
			{Subject: msg.SubjectObjects},
			{Subject: msg.Status("*"), Delivery: &rel},
		},
		Outputs: []string{msg.SubjectControl},
		Period:  c.set.Period,
	}
}

// Health implements node.Healther: degraded while in a minimal-risk or emergency manoeuvre.
func (c *Controller) Health() (av.NodeStatus_Health, string) {
	switch c.mode {
	case av.ControlCommand_MODE_MINIMAL_RISK, av.ControlCommand_MODE_EMERGENCY_STOP:
		return av.NodeStatus_HEALTH_DEGRADED, c.mode.String() + ": " + c.reason
	}
	return av.NodeStatus_HEALTH_OK, ""
}

// Mode is the mode of the last command.
func (c *Controller) Mode() (av.ControlCommand_Mode, string) { return c.mode, c.reason }

// Step implements node.Core.
func (c *Controller) Step(in []node.Message, now int64) ([]node.Output, error) {
	for _, m := range in {
		switch v := m.Value.(type) {
		case *av.Trajectory:
			if p := NewPath(v); p != nil {
				c.path = p
				c.wd.Trajectory(v.GetHeader().GetStampNs())
			}
		case *av.VehicleState:
			c.state = v
			c.wd.State(v.GetHeader().GetStampNs())
		case *av.ObjectList:
			c.objects = v
			c.wd.Objects(v.GetHeader().GetStampNs())
		case *av.NodeStatus:
			c.wd.Status(v)
		}
	}
	dt := c.set.Period.Seconds()
	if c.lastNow > 0 && now > c.lastNow {
		dt = float64(now-c.lastNow) / 1e9
	}
	c.lastNow = now
	cmd := c.command(now, dt)
	c.mode, c.reason = cmd.Mode, cmd.Reason
	return []node.Output{{Subject: msg.SubjectControl, Value: cmd}}, nil
}

func (c *Controller) command(now int64, dt float64) *av.ControlCommand {
	cmd := &av.ControlCommand{Header: &av.Header{FrameId: "base_link"}, Mode: av.ControlCommand_MODE_AUTONOMOUS}
	if c.path != nil {
		cmd.TrajectoryStampNs = c.path.Stamp
	}
	if c.first < 0 {
		c.first = now
	}
	if c.state == nil {
		// Nothing to track with: hold the wheel, coast during start-up, then brake gently.
		cmd.Mode, cmd.Reason = av.ControlCommand_MODE_MINIMAL_RISK, "no vehicle state yet"
		target := -c.set.MRMDecel
		if time.Duration(now-c.first) < c.set.StartupGrace {
			target = 0
		}
		cmd.Acceleration = c.accel.Step(target, c.set.JerkLimit, dt)
		cmd.Steering = c.steer.Last()
		return cmd
	}
	st := c.state
	pose := c.filter.Update(geom.Pose2{X: st.GetX(), Y: st.GetY(), Yaw: st.GetYaw()}, st.GetV(), st.GetYawRate(), st.GetHeader().GetStampNs())
	v := st.GetV()
	if !c.steer.have {
		c.steer.Reset(st.GetSteering())
	}
	why := c.wd.Check(now)

	// Steering: track the path, even a stale one (its geometry still says where the lane is).
	steer := st.GetSteering()
	var tr Tracking
	if c.path != nil {
		s, ey, yaw, kappa := c.path.Project(geom.Vec2{X: pose.X, Y: pose.Y})
		tr = Tracking{Pose: pose, V: v, Steer: st.GetSteering(), S: s, Ey: ey, Eyaw: geom.NormalizeAngle(pose.Yaw - yaw), Kappa: kappa, Path: c.path}
		if s < c.path.Length()+5 {
			steer = c.lat.Steer(tr, dt)
		}
	}

	var accel float64
	jerk := c.set.JerkLimit
	if why == "" {
		t := float64(now-c.path.Stamp)/1e9 + c.set.Preview
		vRef, aRef, sRef := c.path.AtTime(t)
		_, _, sNow := c.path.AtTime(t - c.set.Preview)
		accel = c.lon.Accel(vRef, aRef, sNow-tr.S, v, dt)
		_ = sRef
		if aRef < -4 {
			jerk = c.dyn.MaxJerk
		}
	} else {
		cmd.Mode, cmd.Reason = av.ControlCommand_MODE_MINIMAL_RISK, "watchdog: "+why
		// Ease off the brake as the car slows (decel 0.4 + 0.5 v, at most mrm_decel) so the
		// stop itself is not a jolt; hold it once stopped.
		accel = -math.Min(c.set.MRMDecel, 0.4+0.5*v)
		if v < 0.05 {
			accel = -c.lon.HoldBrake
		}
		if !c.wd.haveTraj && time.Duration(now-c.first) < c.set.StartupGrace {
			// Start-up: the first plan is on its way; coast rather than brake.
			accel, cmd.Reason = 0, "starting: "+why
		}
		c.lon.Reset()
	}
	// Emergency stop when contact is imminent.
	limit := c.set.AEBTTC
	if cmd.Mode == av.ControlCommand_MODE_MINIMAL_RISK {
		limit = c.set.EmergencyTTC
	}
	if limit > 0 && v > 0.5 {
		if ttc, id := c.imminent(now, pose, v, limit); ttc <= limit {
			cmd.Mode = av.ControlCommand_MODE_EMERGENCY_STOP
			cmd.Reason = fmt.Sprintf("contact with object %d predicted in %.2f s", id, ttc) + prefix("; ", cmd.Reason)
			accel = -c.set.EmergencyDecel
			jerk = c.dyn.MaxJerk
		}
	}
	cmd.Acceleration = c.accel.Step(accel, jerk, dt)
	prev := c.steer.Last()
	cmd.Steering = c.steer.Step(steer, c.dyn.MaxSteerRate, dt)
	if dt > 0 {
		cmd.SteeringRate = (cmd.Steering - prev) / dt
	}
	return cmd
}

func prefix(p, s string) string {
	if s == "" {
		return ""
	}
	return p + s
}

// imminent predicts, up to horizon seconds, the first overlap of the ego box moving along the
// current path at its present speed with any object moving at constant velocity (objects are
// extrapolated from their stamp). It returns +Inf when there is none.
func (c *Controller) imminent(now int64, pose geom.Pose2, v, horizon float64) (float64, uint64) {
	if c.objects == nil || len(c.objects.GetObjects()) == 0 {
		return math.Inf(1), 0
	}
	d := c.dyn
	frame := c.objects.GetHeader().GetFrameId()
	age := math.Max(0, float64(now-c.objects.GetHeader().GetStampNs())/1e9)
	var s0 float64
	if c.path != nil {
		s0, _, _, _ = c.path.Project(geom.Vec2{X: pose.X, Y: pose.Y})
	}
	const step = 0.1
	for t := 0.0; t <= horizon+1e-9; t += step {
		// Ego rear axle at time t.
		var ex, ey, eyaw float64
		if c.path != nil && s0 < c.path.Length() {
			var p geom.Vec2
			p, eyaw = c.path.PoseAt(s0 + v*t)
			ex, ey = p.X, p.Y
		} else {
			ex, ey, eyaw = pose.X+v*t*math.Cos(pose.Yaw), pose.Y+v*t*math.Sin(pose.Yaw), pose.Yaw
		}
		off := (d.FrontOverhang - d.RearOverhang) / 2
		ego := geom.Box{X: ex + off*math.Cos(eyaw), Y: ey + off*math.Sin(eyaw), Length: d.Length + 0.4, Width: d.Width + 0.2, Height: d.Height, Yaw: eyaw}
		for _, o := range c.objects.GetObjects() {
			b := o.GetBox()
			ox, oy, oyaw := b.GetX(), b.GetY(), b.GetYaw()
			vx, vy := o.GetVx(), o.GetVy()
			if frame == "base_link" {
				// Relative to the ego pose when the list was made; close enough over a short horizon.
				w := pose.Apply(geom.Vec2{X: ox, Y: oy})
				ox, oy, oyaw = w.X, w.Y, oyaw+pose.Yaw
				cs, sn := math.Cos(pose.Yaw), math.Sin(pose.Yaw)
				vx, vy = cs*vx-sn*vy, sn*vx+cs*vy
			}
			tt := t + age
			ob := geom.Box{X: ox + vx*tt, Y: oy + vy*tt, Length: b.GetLength(), Width: b.GetWidth(), Height: b.GetHeight(), Yaw: oyaw}
			if geom.OverlapBEV(ego, ob) {
				return t, o.GetId()
			}
		}
	}
	return math.Inf(1), 0
}

func init() {
	node.Register("control", func(ctx node.Context) (node.Core, error) {
		if ctx.Vehicle == nil {
			return nil, fmt.Errorf("control: needs the vehicle's dynamics")
		}
		s := DefaultSettings(ctx.Vehicle.Dynamics)
		if err := ctx.Settings(&s); err != nil {
			return nil, err
		}
		return New(ctx.Name, s, ctx.Vehicle.Dynamics)
	})
}

// PoseFilter smooths noisy odometry positions: it predicts the pose from the previous filtered
// one with the measured speed and yaw rate (kinematic, straight over one step), then moves the
// prediction toward the measurement by Alpha. With Alpha = 1 it returns the measurement. A
// measurement more than 2 m from the prediction (a jump, a new run) resets it.
type PoseFilter struct {
	Alpha float64
	pose  geom.Pose2
	stamp int64
	have  bool
}

// Update folds in a measurement taken at stamp (ns).
func (f *PoseFilter) Update(meas geom.Pose2, v, yawRate float64, stamp int64) geom.Pose2 {
	if !f.have || f.Alpha >= 1 {
		f.pose, f.stamp, f.have = meas, stamp, true
		return meas
	}
	if stamp <= f.stamp { // the same measurement again: nothing new
		return f.pose
	}
	dt := float64(stamp-f.stamp) / 1e9
	yaw := f.pose.Yaw + yawRate*dt/2
	pred := geom.Pose2{X: f.pose.X + v*dt*math.Cos(yaw), Y: f.pose.Y + v*dt*math.Sin(yaw), Yaw: meas.Yaw}
	if math.Hypot(meas.X-pred.X, meas.Y-pred.Y) > 2 {
		pred = meas
	}
	f.pose = geom.Pose2{X: pred.X + f.Alpha*(meas.X-pred.X), Y: pred.Y + f.Alpha*(meas.Y-pred.Y), Yaw: meas.Yaw}
	f.stamp = stamp
	return f.pose
}
