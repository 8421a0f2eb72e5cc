package sim

import (
	"context"
	"errors"
	"fmt"
	"log"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/avstack/avstack/bus"
	"github.com/avstack/avstack/config"
	"github.com/avstack/avstack/msg"
	"github.com/avstack/avstack/msg/av"
	"github.com/avstack/avstack/node"
	"github.com/avstack/avstack/sim/dynamics"
	"github.com/avstack/avstack/sim/metrics"
	"github.com/avstack/avstack/sim/scenario"
)

// Mode is the scheduling mode.
type Mode string

// Modes.
const (
	// Lockstep: every tick waits for the nodes scheduled in it (deterministic).
	Lockstep Mode = "lockstep"
	// Realtime: ticks follow the wall clock; nodes run freely.
	Realtime Mode = "realtime"
)

// Driver says who drives the ego.
type Driver string

// Drivers.
const (
	// DriverBuiltin is the simulator's own lane follower (sees ground truth).
	DriverBuiltin Driver = "builtin"
	// DriverStack runs the nodes of the vehicle config and obeys av.control.command.
	DriverStack Driver = "stack"
)

// Observer sees every bus message of a run: subject, protobuf full name, encoded bytes and log
// time (the tick's sim time, ns).
type Observer func(subject, typeName string, data []byte, logTime int64)

// Options configure Run.
type Options struct {
	// Vehicle is the vehicle config (dynamics, sensors, nodes). Required.
	Vehicle *config.Vehicle
	// Seed overrides the scenario's seed when non-nil.
	Seed *uint64
	// Mode: Lockstep (default) or Realtime.
	Mode Mode
	// Driver: DriverBuiltin (default) or DriverStack.
	Driver Driver
	// Sensors renders and publishes the cameras and lidars (off = headless: clock, vehicle
	// state, truth and commands only).
	Sensors bool
	// Nodes to run with DriverStack (default: every enabled node of Vehicle, in file order).
	Nodes []string
	// StepTimeout bounds the lockstep wait for the nodes of one tick (default 10 s).
	StepTimeout time.Duration
	// Observer, if set, sees every message (the recorder's hook).
	Observer Observer
	// Video, if set, is an .avi (MJPG) or .mp4 (mp4v) file for the bird's-eye view beside the
	// first camera, at the camera's rate.
	Video string
	// Logf logs node errors (default log.Printf).
	Logf func(format string, args ...any)
	// StopNodes stops nodes of the stack mid-run (a crashed or killed node): from the first
	// tick at or after AtS the node's runner is closed and lockstep no longer waits for it.
	StopNodes []NodeStop
}

// NodeStop stops a node at a sim time.
type NodeStop struct {
	Name string
	AtS  float64
}

// Result is a run's outcome: the JSON object `avstack sim --json` prints.
type Result struct {
	Scenario       string  `json:"scenario"`
	Seed           uint64  `json:"seed"`
	Ticks          uint64  `json:"ticks"`
	SimTimeS       float64 `json:"sim_time_s"`
	WallTimeS      float64 `json:"wall_time_s"`
	RealtimeFactor float64 `json:"realtime_factor"`
	metrics.Summary
	Passed   bool     `json:"passed"`
	Failures []string `json:"failures"`
	Mode     Mode     `json:"mode"`
	Driver   Driver   `json:"driver"`
	// Messages published on the bus during the run (all publishers).
	Messages uint64 `json:"messages"`
	// EmergencyS is the time the stack spent in an emergency manoeuvre: control in
	// MODE_EMERGENCY_STOP or MODE_MINIMAL_RISK, or a plan that brakes harder than nuPlan's
	// comfort bound within its first second (behaviour emergency_brake, or an acceleration
	// below metrics.MinLongAccel): the planner judged comfort unaffordable. nuPlan's comfort
	// bounds apply to runs without one.
	EmergencyS float64 `json:"emergency_s"`
}

// NodeStatusPeriod is the heartbeat period of the nodes the simulator runs (sim time).
const NodeStatusPeriod = time.Second

// hardBraking reports whether a trajectory brakes harder than the comfort bound within 1 s.
func hardBraking(tr *av.Trajectory) bool {
	for _, p := range tr.GetPoints() {
		if p.GetT() > 1 {
			break
		}
		if p.GetA() < metrics.MinLongAccel {
			return true
		}
	}
	return false
}

// TimeoutError is a lockstep tick whose nodes did not all answer in time.
type TimeoutError struct {
	Tick    uint64
	TimeNs  int64
	Missing []string // node names
}

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("sim: lockstep tick %d (t = %.2f s): no primary output within the step timeout from node(s) %s",
		e.Tick, float64(e.TimeNs)/1e9, strings.Join(e.Missing, ", "))
}

type stackNode struct {
	name   string
	spec   node.Spec
	runner *node.Runner
	conn   *bus.Conn
	// clock is the node's own sim clock: runners step their timers and heartbeats inside
	// SimClock.Set, so each is set in turn with a barrier between (see loop).
	clock      *bus.SimClock
	nextDue    int64
	lastStatus int64
	// inExpected counts the message copies the node's connection must have received: one per
	// observed message per input subscription it matches.
	inExpected uint64
}

type obsMsg struct {
	subject, typ string
	data         []byte
}

// runState is one run's bus plumbing.
type runState struct {
	opts    Options
	w       *World
	srv     *bus.Server
	simConn *bus.Conn
	obsConn *nats.Conn
	obsSub  *nats.Subscription
	nodes   []*stackNode
	sensors *sensorSet
	video   *videoWriter
	cmd     dynamics.Command
	msgs    uint64
	// emergency: the last command or plan was an emergency manoeuvre; emergencyS its total time.
	// engaged: control has sent an autonomous command (before that, while the first plan is on
	// its way, it holds minimal-risk mode at start-up; that is not a manoeuvre).
	cmdEmergency, planEmergency, engaged bool
	emergencyS                           float64
	// signals is the last published go/stop state of the signals; routeSeq the route's seq.
	signals  string
	routeSeq uint64
	truthSeq uint64
	cancel   context.CancelFunc
	errc     chan error
}

// Run runs a scenario to the end and scores it.
func Run(ctx context.Context, sc *scenario.Scenario, o Options) (*Result, error) {
	if o.Vehicle == nil {
		return nil, errors.New("sim: Options.Vehicle is required")
	}
	if o.Mode == "" {
		o.Mode = Lockstep
	}
	if o.Mode != Lockstep && o.Mode != Realtime {
		return nil, fmt.Errorf("sim: mode %q: must be lockstep or realtime", o.Mode)
	}
	if o.Driver == "" {
		o.Driver = DriverBuiltin
	}
	if o.Driver != DriverBuiltin && o.Driver != DriverStack {
		return nil, fmt.Errorf("sim: driver %q: must be builtin or stack", o.Driver)
	}
	if o.StepTimeout <= 0 {
		o.StepTimeout = 10 * time.Second
	}
	if o.Logf == nil {
		o.Logf = log.Printf
	}
	seed := sc.Seed
	if o.Seed != nil {
		seed = *o.Seed
	}
	w, err := NewWorld(sc, o.Vehicle, seed)
	if err != nil {
		return nil, err
	}
	rs := &runState{opts: o, w: w, errc: make(chan error, 16)}
	defer rs.close()
	if err := rs.start(ctx); err != nil {
		return nil, err
	}
	t0 := time.Now()
	if err := rs.loop(ctx); err != nil {
		return nil, err
	}
	wall := time.Since(t0).Seconds()
	sum := w.Metrics.Summary()
	res := &Result{Scenario: sc.Name, Seed: seed, Ticks: w.Tick, SimTimeS: w.Time(), WallTimeS: wall, Summary: sum,
		Mode: o.Mode, Driver: o.Driver, Messages: rs.msgs, EmergencyS: rs.emergencyS}
	if wall > 0 {
		res.RealtimeFactor = w.Time() / wall
	}
	res.Failures = Check(sc.Pass, sum)
	if res.Failures == nil {
		res.Failures = []string{}
	}
	res.Passed = len(res.Failures) == 0
	return res, nil
}

func (rs *runState) start(ctx context.Context) error {
	o := rs.opts
	var err error
	rs.srv, err = bus.StartServer(bus.ServerOptions{MaxPayload: o.Vehicle.NATS.MaxPayload})
	if err != nil {
		return fmt.Errorf("sim: %w", err)
	}
	rs.simConn, err = bus.ConnectInProcess(rs.srv, "sim")
	if err != nil {
		return fmt.Errorf("sim: %w", err)
	}
	obs, err := bus.ConnectInProcess(rs.srv, "sim-observer")
	if err != nil {
		return fmt.Errorf("sim: %w", err)
	}
	rs.obsConn = obs.NATS()
	rs.obsSub, err = rs.obsConn.SubscribeSync("av.>")
	if err != nil {
		return fmt.Errorf("sim: observer: %w", err)
	}
	_ = rs.obsSub.SetPendingLimits(-1, -1)
	if err := rs.obsConn.Flush(); err != nil {
		return fmt.Errorf("sim: observer: %w", err)
	}
	if o.Sensors || o.Video != "" {
		rs.sensors, err = newSensorSet(rs.w, o.Sensors)
		if err != nil {
			return err
		}
	}
	if o.Video != "" {
		rs.video, err = newVideoWriter(o.Video, rs.w, rs.sensors)
		if err != nil {
			return err
		}
	}
	if o.Driver == DriverStack {
		names := o.Nodes
		if len(names) == 0 {
			for _, n := range o.Vehicle.Nodes {
				if n.IsEnabled() {
					names = append(names, n.Name)
				}
			}
		}
		if len(names) == 0 {
			return fmt.Errorf("sim: driver stack: %s lists no enabled nodes", o.Vehicle.File)
		}
		for _, st := range o.StopNodes {
			found := false
			for _, n := range names {
				found = found || n == st.Name
			}
			if !found {
				return fmt.Errorf("sim: StopNodes: %q is not a node of this run (%v)", st.Name, names)
			}
		}
		rctx, cancel := context.WithCancel(ctx)
		rs.cancel = cancel
		for _, name := range names {
			core, err := node.New(o.Vehicle, name)
			if err != nil {
				return fmt.Errorf("sim: %w", err)
			}
			spec := core.Spec()
			if len(spec.Outputs) == 0 {
				return fmt.Errorf("sim: node %s declares no outputs: lockstep needs its primary output", name)
			}
			conn, err := bus.ConnectInProcess(rs.srv, name, func(err error) { o.Logf("sim: node %s: %v", name, err) })
			if err != nil {
				return fmt.Errorf("sim: %w", err)
			}
			clock := bus.NewSimClock()
			r, err := node.NewRunner(conn, core, node.RunOptions{Name: name, Clock: clock, StatusPeriod: NodeStatusPeriod, Logf: o.Logf})
			if err != nil {
				conn.Close()
				return fmt.Errorf("sim: %w", err)
			}
			sn := &stackNode{name: name, spec: spec, runner: r, conn: conn, clock: clock}
			rs.nodes = append(rs.nodes, sn)
			go func() {
				if err := r.Run(rctx); err != nil {
					select {
					case rs.errc <- fmt.Errorf("sim: node %s: %w", name, err):
					default:
					}
				}
			}()
		}
		// Let every runner's subscriptions reach the server before the first tick.
		for _, n := range rs.nodes {
			if err := n.conn.Flush(); err != nil {
				return fmt.Errorf("sim: node %s: %w", n.name, err)
			}
		}
	}
	return nil
}

// stopNodes closes the runners whose stop time has come and forgets them.
func (rs *runState) stopNodes(t float64) {
	for _, st := range rs.opts.StopNodes {
		if t+1e-9 < st.AtS {
			continue
		}
		for i, n := range rs.nodes {
			if n.name != st.Name {
				continue
			}
			_ = n.runner.Close()
			n.conn.Close()
			rs.nodes = append(rs.nodes[:i:i], rs.nodes[i+1:]...)
			rs.opts.Logf("sim: node %s stopped at t = %.2f s (Options.StopNodes)", n.name, t)
			break
		}
	}
}

func (rs *runState) close() {
	if rs.cancel != nil {
		rs.cancel()
	}
	for _, n := range rs.nodes {
		_ = n.runner.Close()
		n.conn.Close()
	}
	if rs.video != nil {
		rs.video.Close()
	}
	if rs.sensors != nil {
		rs.sensors.Close()
	}
	if rs.obsSub != nil {
		_ = rs.obsSub.Unsubscribe()
	}
	if rs.obsConn != nil {
		rs.obsConn.Close()
	}
	if rs.simConn != nil {
		rs.simConn.Close()
	}
	rs.srv.Shutdown()
}

// publish sends a message from the simulator.
func (rs *runState) publish(subject string, m proto.Message) error {
	if err := rs.simConn.Publish(subject, m); err != nil {
		return fmt.Errorf("sim: %w", err)
	}
	return nil
}

func (rs *runState) loop(ctx context.Context) error {
	w := rs.w
	start := time.Now()
	for !w.Done() {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("sim: %w", err)
		}
		select {
		case err := <-rs.errc:
			return err
		default:
		}
		now := w.TimeNs()
		tick := w.Tick
		if rs.opts.Mode == Realtime {
			if d := time.Until(start.Add(time.Duration(now))); d > 0 {
				time.Sleep(d)
			}
		}
		rs.stopNodes(w.Time())
		// Each node's clock is set in turn: a timer node due steps inside Set, on this
		// goroutine, on the inputs of the ticks before; a heartbeat due is published. A barrier
		// after each node that published keeps the others from seeing it half-delivered.
		st := rs.newTick(now, tick)
		for i, n := range rs.nodes {
			due := false
			if p := int64(n.spec.Period); p > 0 && now >= n.nextDue {
				st.expected[i]++
				due = true
				for n.nextDue <= now {
					n.nextDue += p
				}
			}
			if sp := int64(NodeStatusPeriod); now-n.lastStatus >= sp {
				n.lastStatus = now
				due = true
			}
			n.clock.Set(now, tick, TickNs)
			if due && rs.opts.Mode == Lockstep {
				if err := st.barrier(); err != nil {
					return err
				}
			}
		}
		out, err := rs.tickMessages()
		if err != nil {
			return err
		}
		// Publish in order; after each message that triggers a node, wait for the steps it
		// causes, so every step of a tick sees the same inputs on every run.
		unsettled := false
		for i, m := range out {
			trig := rs.triggers(m.subject)
			// A step must find the messages published before its trigger in its queues.
			if trig && unsettled {
				if err := st.barrier(); err != nil {
					return err
				}
			}
			if err := rs.publish(m.subject, m.msg); err != nil {
				return err
			}
			unsettled = true
			if i == len(out)-1 || trig {
				if err := st.barrier(); err != nil {
					return err
				}
				unsettled = false
			}
		}
		if len(out) == 0 {
			if err := st.barrier(); err != nil {
				return err
			}
		}
		if err := rs.deliver(st.batch, now); err != nil {
			return err
		}
		w.Step(rs.cmd)
		if rs.cmdEmergency || rs.planEmergency {
			rs.emergencyS += TickPeriod
		}
	}
	return nil
}

// tickMessages builds, in publishing order, what the simulator publishes at the current tick
// (rendering the sensors due and writing the video frame on the way).
func (rs *runState) tickMessages() ([]outMsg, error) {
	var out []outMsg
	w := rs.w
	now := w.TimeNs()
	if w.Tick == 0 && rs.sensors != nil {
		out = append(out, rs.sensors.infos(now)...)
	}
	if key := w.signalKey(); w.Tick == 0 || key != rs.signals {
		rs.signals = key
		rm := w.RouteMsg()
		rs.routeSeq++
		rm.Header.Seq = rs.routeSeq
		out = append(out, outMsg{SubjectRoute, rm})
	}
	out = append(out, outMsg{msg.SubjectSimClock, &av.Clock{Header: &av.Header{StampNs: now, FrameId: "map", Seq: w.Tick + 1, SourceStampNs: now},
		TimeNs: now, Tick: w.Tick, PeriodNs: TickNs}})
	vs := w.VehicleState()
	vs.Header.Seq = w.Tick + 1
	out = append(out, outMsg{msg.SubjectVehicleState, vs})
	var truthBoxes map[uint64][]*av.ImageBox
	if rs.sensors != nil {
		sens, boxes, err := rs.sensors.due(now)
		if err != nil {
			return nil, err
		}
		truthBoxes = boxes
		if rs.opts.Sensors {
			out = append(out, sens...)
		}
		if rs.video != nil {
			if err := rs.video.frame(now); err != nil {
				return nil, err
			}
		}
	}
	// Truth at 20 Hz (every 5th tick) and with every camera frame, carrying the image boxes of
	// the cameras rendered this tick.
	if w.Tick%5 == 0 || truthBoxes != nil {
		tr := w.Truth()
		rs.truthSeq++
		tr.Header.Seq = rs.truthSeq
		for _, ob := range tr.Objects {
			ob.ImageBoxes = truthBoxes[ob.Id]
		}
		out = append(out, outMsg{msg.SubjectSimTruth, tr})
	}
	if rs.opts.Driver == DriverBuiltin {
		c := w.BuiltinCommand()
		rs.cmd = c
		out = append(out, outMsg{msg.SubjectControl, &av.ControlCommand{Header: &av.Header{StampNs: now, FrameId: "base_link", Seq: w.Tick + 1, SourceStampNs: now},
			Steering: c.Steer, Acceleration: c.Accel, Mode: av.ControlCommand_MODE_AUTONOMOUS, Reason: "builtin lane follower"}})
	}
	return out, nil
}

// tickState follows one lockstep tick: the steps scheduled (expected) and answered per node,
// and every message observed.
type tickState struct {
	rs                 *runState
	now                int64
	tick               uint64
	deadline           time.Time
	expected, answered []int
	latestSeen         []map[int]bool
	batch              []obsMsg
}

func (rs *runState) newTick(now int64, tick uint64) *tickState {
	return &tickState{rs: rs, now: now, tick: tick, deadline: time.Now().Add(rs.opts.StepTimeout),
		expected: make([]int, len(rs.nodes)), answered: make([]int, len(rs.nodes)), latestSeen: make([]map[int]bool, len(rs.nodes))}
}

// triggers reports whether a subject triggers any node of the run.
func (rs *runState) triggers(subject string) bool {
	for _, n := range rs.nodes {
		for _, in := range n.spec.Inputs {
			if in.Trigger && msg.Match(in.Subject, subject) {
				return true
			}
		}
	}
	return false
}

// account books an observed message: copies each node must receive, steps it schedules (a
// reliable trigger input one per message, a latest-only one at most one per tick, since
// messages may coalesce), and answers (primary outputs with the tick's source stamp).
func (st *tickState) account(m obsMsg) {
	st.batch = append(st.batch, m)
	for i, n := range st.rs.nodes {
		for k, in := range n.spec.Inputs {
			if !msg.Match(in.Subject, m.subject) {
				continue
			}
			n.inExpected++
			if !in.Trigger {
				continue
			}
			if inputDelivery(in) == msg.LatestOnly {
				if st.latestSeen[i] == nil {
					st.latestSeen[i] = map[int]bool{}
				}
				if st.latestSeen[i][k] {
					continue
				}
				st.latestSeen[i][k] = true
			}
			st.expected[i]++
		}
		if m.subject == n.spec.Outputs[0] && sourceStamp(m) == st.now {
			st.answered[i]++
		}
	}
}

// barrier returns once everything published so far has been observed and, in lockstep, every
// scheduled node has answered and every runner has settled.
func (st *tickState) barrier() error {
	rs := st.rs
	if err := rs.simConn.Flush(); err != nil {
		return fmt.Errorf("sim: flush: %w", err)
	}
	if rs.opts.Mode == Realtime || len(rs.nodes) == 0 {
		return st.observe()
	}
	for {
		// Wait for the scheduled answers.
		for !done(st.expected, st.answered) {
			left := time.Until(st.deadline)
			if left <= 0 {
				var missing []string
				for i, n := range rs.nodes {
					if st.answered[i] < st.expected[i] {
						missing = append(missing, n.name)
					}
				}
				return &TimeoutError{Tick: st.tick, TimeNs: st.now, Missing: missing}
			}
			nm, err := rs.obsSub.NextMsg(min(left, 50*time.Millisecond))
			if errors.Is(err, nats.ErrTimeout) {
				continue
			}
			if err != nil {
				return fmt.Errorf("sim: observer: %w", err)
			}
			st.account(toObs(nm))
		}
		// Every node has finished its steps (its queues are drained, so what it publishes is
		// in its connection's buffer), everything published has reached the server and the
		// observer, and every node's connection has read its copies. Repeat until a round
		// brings no new message; new messages may schedule more steps.
		for {
			if err := rs.settle(st.deadline, st.tick, st.now); err != nil {
				return err
			}
			before := len(st.batch)
			if err := st.observe(); err != nil {
				return err
			}
			if len(st.batch) == before {
				break
			}
		}
		if done(st.expected, st.answered) {
			return nil
		}
	}
}

// observe flushes every node connection (their buffered publishes reach the server; one round
// trip, concurrently), then the observer's, and books what arrived.
func (st *tickState) observe() error {
	rs := st.rs
	errs := make([]error, len(rs.nodes))
	var wg sync.WaitGroup
	for i, n := range rs.nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := n.conn.Flush(); err != nil {
				errs[i] = fmt.Errorf("sim: node %s: flush: %w", n.name, err)
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	if err := rs.obsConn.Flush(); err != nil {
		return fmt.Errorf("sim: observer flush: %w", err)
	}
	for {
		n, _, err := rs.obsSub.Pending()
		if err != nil {
			return fmt.Errorf("sim: observer: %w", err)
		}
		if n == 0 {
			return nil
		}
		nm, err := rs.obsSub.NextMsg(time.Second)
		if err != nil {
			return fmt.Errorf("sim: observer: %w", err)
		}
		st.account(toObs(nm))
	}
}

// settle waits until every node's runner has finished with every message copy its connection
// must have received (Runner.Handled counts messages delivered to the core, replaced, lost or
// rejected; a delivery is counted after the step it triggered returns), so nothing is in flight
// inside a node when the barrier looks for new outputs.
func (rs *runState) settle(deadline time.Time, tick uint64, now int64) error {
	for _, n := range rs.nodes {
		for spins := 0; n.runner.Handled() < n.inExpected; spins++ {
			if time.Now().After(deadline) {
				return &TimeoutError{Tick: tick, TimeNs: now, Missing: []string{fmt.Sprintf("%s (handled %d of %d input messages; its connection received %d)", n.name, n.runner.Handled(), n.inExpected, n.conn.NATS().Stats().InMsgs)}}
			}
			if spins < 1000 {
				runtime.Gosched()
			} else {
				time.Sleep(20 * time.Microsecond)
			}
		}
	}
	return nil
}

// inputDelivery is an input's delivery mode: its override, else the catalogue's (reliable for
// subjects outside the catalogue), as the bus decides it.
func inputDelivery(in node.Input) msg.Delivery {
	if in.Delivery != nil {
		return *in.Delivery
	}
	if e, ok := msg.Lookup(in.Subject); ok {
		return e.Delivery
	}
	return msg.Reliable
}

func done(expected, answered []int) bool {
	for i := range expected {
		if answered[i] < expected[i] {
			return false
		}
	}
	return true
}

func toObs(nm *nats.Msg) obsMsg {
	typ := ""
	if nm.Header != nil {
		typ = nm.Header.Get(bus.TypeHeader)
	}
	return obsMsg{subject: nm.Subject, typ: typ, data: nm.Data}
}

// sourceStamp decodes the avstack Header's source_stamp_ns of a message (0 if none).
func sourceStamp(m obsMsg) int64 {
	if m.typ == "" {
		return 0
	}
	v, err := msg.NewMessage(protoreflect.FullName(m.typ))
	if err != nil {
		return 0
	}
	if err := proto.Unmarshal(m.data, v); err != nil {
		return 0
	}
	type withHeader interface{ GetHeader() *av.Header }
	if h, ok := v.(withHeader); ok {
		return h.GetHeader().GetSourceStampNs()
	}
	return 0
}

// isSimSubject reports whether the simulator itself publishes on a subject.
func (rs *runState) isSimSubject(s string) bool {
	switch s {
	case msg.SubjectSimClock, msg.SubjectVehicleState, msg.SubjectSimTruth, msg.SubjectTF, SubjectRoute:
		return true
	case msg.SubjectControl:
		return rs.opts.Driver == DriverBuiltin
	}
	return strings.HasPrefix(s, "av.sensor.")
}

// deliver hands the tick's messages to the observer in canonical order and takes the newest
// control command.
func (rs *runState) deliver(batch []obsMsg, now int64) error {
	var own, others []obsMsg
	for _, m := range batch {
		if rs.isSimSubject(m.subject) {
			own = append(own, m)
		} else {
			others = append(others, m)
		}
	}
	sort.SliceStable(others, func(i, j int) bool { return others[i].subject < others[j].subject })
	for _, m := range append(own, others...) {
		rs.msgs++
		if rs.opts.Observer != nil {
			rs.opts.Observer(m.subject, m.typ, m.data, now)
		}
		if rs.opts.Driver == DriverStack && m.subject == msg.SubjectControl {
			var c av.ControlCommand
			if err := proto.Unmarshal(m.data, &c); err != nil {
				return fmt.Errorf("sim: %s: undecodable command: %w", msg.SubjectControl, err)
			}
			rs.cmd = dynamics.Command{Steer: c.GetSteering(), Accel: c.GetAcceleration()}
			rs.engaged = rs.engaged || c.GetMode() == av.ControlCommand_MODE_AUTONOMOUS
			rs.cmdEmergency = rs.engaged && (c.GetMode() == av.ControlCommand_MODE_EMERGENCY_STOP || c.GetMode() == av.ControlCommand_MODE_MINIMAL_RISK)
		}
		if rs.opts.Driver == DriverStack && m.subject == msg.SubjectTrajectory {
			var tr av.Trajectory
			if err := proto.Unmarshal(m.data, &tr); err != nil {
				return fmt.Errorf("sim: %s: undecodable trajectory: %w", msg.SubjectTrajectory, err)
			}
			rs.planEmergency = tr.GetBehavior() == "emergency_brake" || hardBraking(&tr)
		}
	}
	return nil
}
