package node

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"google.golang.org/protobuf/proto"

	"github.com/avstack/avstack/bus"
	"github.com/avstack/avstack/msg"
	"github.com/avstack/avstack/msg/av"
)

// RunOptions configure a Runner.
type RunOptions struct {
	// Name of the node: status subject and metric label.
	Name string
	// Clock drives timers and status (default bus.WallClock). With a *bus.SimClock, timers and
	// status follow sim time, so a lockstep run is deterministic.
	Clock bus.Clock
	// StatusPeriod between heartbeats (default 1 s; negative disables them).
	StatusPeriod time.Duration
	// Registry receives the node's Prometheus metrics (default: a new registry, see Registry()).
	Registry *prometheus.Registry
	// Logf logs errors (default log.Printf).
	Logf func(format string, args ...any)
	// Lockstep makes every input reliable (none dropped), whatever the catalogue says: when a
	// player or simulator drives the node tick by tick, a latest-only drop would make the run
	// depend on timing.
	Lockstep bool
}

// Runner adapts a Core to the bus.
type Runner struct {
	conn  *bus.Conn
	core  Core
	spec  Spec
	opts  RunOptions
	start time.Time

	mu          sync.Mutex
	pending     []Message
	headers     Headers
	subs        []*bus.Subscription
	nextDue     int64
	lastStatus  int64
	steps       uint64
	errs        uint64
	bad         uint64 // inputs of the wrong type or undecodable (decoded here, not in bus)
	lastErr     error
	latSum      time.Duration
	latMax      time.Duration
	latN        int
	closed      bool
	statusStamp int64

	mSteps   prometheus.Counter
	mErrors  prometheus.Counter
	mLatency prometheus.Histogram
	mPub     *prometheus.CounterVec
	mDrops   *prometheus.GaugeVec
	mBad     *prometheus.GaugeVec
	mCounter *prometheus.GaugeVec
}

// NewRunner subscribes the core's inputs. Call Run to serve until the context ends, or Close.
func NewRunner(conn *bus.Conn, core Core, o RunOptions) (*Runner, error) {
	if o.Name == "" {
		return nil, errors.New("node: runner needs a name")
	}
	if o.Clock == nil {
		o.Clock = bus.WallClock{}
	}
	if o.StatusPeriod == 0 {
		o.StatusPeriod = time.Second
	}
	if o.Registry == nil {
		o.Registry = prometheus.NewRegistry()
	}
	if o.Logf == nil {
		o.Logf = log.Printf
	}
	r := &Runner{conn: conn, core: core, spec: core.Spec(), opts: o, start: time.Now()}
	labels := prometheus.Labels{"node": o.Name}
	r.mSteps = prometheus.NewCounter(prometheus.CounterOpts{Name: "avstack_node_steps_total", Help: "Steps run.", ConstLabels: labels})
	r.mErrors = prometheus.NewCounter(prometheus.CounterOpts{Name: "avstack_node_step_errors_total", Help: "Steps that returned an error.", ConstLabels: labels})
	r.mLatency = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "avstack_node_step_seconds", Help: "Step duration.", ConstLabels: labels,
		Buckets: prometheus.ExponentialBuckets(50e-6, 2, 14)})
	r.mPub = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "avstack_node_published_total", Help: "Messages published.", ConstLabels: labels}, []string{"subject"})
	r.mDrops = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "avstack_node_input_dropped", Help: "Latest-only input messages replaced before use.", ConstLabels: labels}, []string{"subject"})
	r.mBad = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "avstack_node_input_bad", Help: "Input messages of the wrong type or undecodable.", ConstLabels: labels}, []string{"subject"})
	r.mCounter = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "avstack_node_counter", Help: "Counters the node's core reports (stage latencies, stale inputs...).", ConstLabels: labels}, []string{"name"})
	for _, c := range []prometheus.Collector{r.mSteps, r.mErrors, r.mLatency, r.mPub, r.mDrops, r.mBad, r.mCounter} {
		if err := o.Registry.Register(c); err != nil {
			return nil, fmt.Errorf("node: %s: metrics: %w", o.Name, err)
		}
	}
	for _, in := range r.spec.Inputs {
		if err := r.subscribe(in); err != nil {
			r.Close()
			return nil, err
		}
	}
	if sc, ok := o.Clock.(*bus.SimClock); ok {
		sc.OnTick(func(now int64, _ uint64) { r.onTime(now) })
	}
	return r, nil
}

func (r *Runner) subscribe(in Input) error {
	typ := in.Type
	if typ == "" {
		e, ok := msg.Lookup(in.Subject)
		if !ok {
			return fmt.Errorf("node: %s: input %s is not in the catalogue; give its Type", r.opts.Name, in.Subject)
		}
		typ = e.Types[0]
	}
	var opts []bus.SubOption
	switch {
	case r.opts.Lockstep:
		opts = append(opts, bus.WithDelivery(msg.Reliable))
	case in.Delivery != nil:
		opts = append(opts, bus.WithDelivery(*in.Delivery))
	}
	trigger := in.Trigger
	sub, err := r.conn.SubscribeRaw(in.Subject, func(rm bus.RawMsg) {
		if rm.Type != "" && rm.Type != string(typ) {
			r.badInput(rm.Subject, fmt.Errorf("node: %s: input %s: message of type %s, want %s", r.opts.Name, rm.Subject, rm.Type, typ))
			return
		}
		v, err := msg.NewMessage(typ)
		if err == nil {
			err = proto.Unmarshal(rm.Data, v)
		}
		if err != nil {
			r.badInput(rm.Subject, fmt.Errorf("node: %s: input %s: undecodable %s: %w", r.opts.Name, rm.Subject, typ, err))
			return
		}
		r.onMessage(Message{Subject: rm.Subject, Value: v, Stamp: Stamp(v)}, trigger)
	}, opts...)
	if err != nil {
		return fmt.Errorf("node: %s: %w", r.opts.Name, err)
	}
	r.subs = append(r.subs, sub)
	return nil
}

func (r *Runner) badInput(subject string, err error) {
	r.mBad.WithLabelValues(subject).Inc()
	r.mu.Lock()
	r.bad++
	r.lastErr = err
	r.mu.Unlock()
	r.opts.Logf("%v", err)
}

func (r *Runner) onMessage(m Message, trigger bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return
	}
	r.pending = append(r.pending, m)
	if trigger {
		now := m.Stamp
		if now == 0 {
			now = r.opts.Clock.Now()
		}
		r.stepLocked(now, m.Stamp)
	}
}

// onTime runs timer steps and heartbeats due at clock time now.
func (r *Runner) onTime(now int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return
	}
	if p := int64(r.spec.Period); p > 0 {
		if r.nextDue == 0 {
			r.nextDue = now
		}
		if now >= r.nextDue {
			r.stepLocked(now, now)
			// Skip missed periods rather than bursting to catch up.
			for r.nextDue <= now {
				r.nextDue += p
			}
		}
	}
	if sp := int64(r.opts.StatusPeriod); sp > 0 && now-r.lastStatus >= sp {
		r.lastStatus = now
		r.publishStatusLocked(now, av.NodeStatus_HEALTH_UNKNOWN, "")
	}
}

func (r *Runner) stepLocked(now, source int64) {
	in := r.pending
	r.pending = nil
	t0 := time.Now()
	outs, err := r.core.Step(in, now)
	d := time.Since(t0)
	r.steps++
	r.mSteps.Inc()
	r.mLatency.Observe(d.Seconds())
	r.latSum += d
	r.latN++
	if d > r.latMax {
		r.latMax = d
	}
	if err != nil {
		r.errs++
		r.mErrors.Inc()
		r.lastErr = err
		r.opts.Logf("node: %s: step at %d: %v", r.opts.Name, now, err)
		return
	}
	for _, o := range outs {
		if err := r.publishLocked(o, now, source); err != nil {
			r.errs++
			r.lastErr = err
			r.opts.Logf("%v", err)
		}
	}
}

func (r *Runner) publishLocked(o Output, now, source int64) error {
	if o.Value == nil {
		return fmt.Errorf("node: %s: nil output on %s", r.opts.Name, o.Subject)
	}
	r.headers.Fill(o, now, source)
	if err := r.conn.Publish(o.Subject, o.Value); err != nil {
		return fmt.Errorf("node: %s: %w", r.opts.Name, err)
	}
	r.mPub.WithLabelValues(o.Subject).Inc()
	return nil
}

// Status builds the node's current status message (the heartbeat's body).
func (r *Runner) Status(now int64) *av.NodeStatus {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.statusLocked(now, av.NodeStatus_HEALTH_UNKNOWN, "")
}

func (r *Runner) statusLocked(now int64, health av.NodeStatus_Health, text string) *av.NodeStatus {
	st := &av.NodeStatus{Node: r.opts.Name, Steps: r.steps, Errors: r.errs, BadMessages: r.bad}
	for _, s := range r.subs {
		ss := s.Stats()
		st.Drops += ss.Dropped + ss.Overflows
		st.BadMessages += ss.Bad
		r.mDrops.WithLabelValues(s.Subject()).Set(float64(ss.Dropped + ss.Overflows))
	}
	if cc, ok := r.core.(Counterer); ok {
		for _, c := range cc.Counters() {
			if c == nil {
				continue
			}
			r.mCounter.WithLabelValues(c.Name).Set(c.Value)
			if _, sim := r.opts.Clock.(*bus.SimClock); sim && strings.HasSuffix(c.Name, "_ms") {
				continue
			}
			st.Counters = append(st.Counters, &av.Counter{Name: c.Name, Value: c.Value})
		}
	}
	// On a sim clock the status must be reproducible (lockstep runs are golden files): wall-clock
	// step latencies stay in the Prometheus histogram and out of the message.
	if _, sim := r.opts.Clock.(*bus.SimClock); r.latN > 0 && !sim {
		st.LatencyMsMean = float64(r.latSum.Microseconds()) / 1e3 / float64(r.latN)
		st.LatencyMsMax = float64(r.latMax.Microseconds()) / 1e3
	}
	r.latSum, r.latMax, r.latN = 0, 0, 0
	if _, sim := r.opts.Clock.(*bus.SimClock); sim {
		st.UptimeS = float64(now) / 1e9
	} else {
		st.UptimeS = time.Since(r.start).Seconds()
	}
	if health == av.NodeStatus_HEALTH_UNKNOWN {
		health = av.NodeStatus_HEALTH_OK
		if h, ok := r.core.(Healther); ok {
			health, text = h.Health()
		}
		if r.lastErr != nil && health == av.NodeStatus_HEALTH_OK {
			health, text = av.NodeStatus_HEALTH_DEGRADED, r.lastErr.Error()
		}
		r.lastErr = nil
	}
	st.Health, st.Message = health, text
	return st
}

func (r *Runner) publishStatusLocked(now int64, health av.NodeStatus_Health, text string) {
	st := r.statusLocked(now, health, text)
	if err := r.publishLocked(Output{Subject: msg.Status(r.opts.Name), Value: st}, now, now); err != nil {
		r.opts.Logf("%v", err)
	}
}

// Run serves until ctx ends: on a wall clock it runs the timer and the heartbeat itself; on a
// sim clock they follow the clock's ticks. It then publishes a last STOPPING status and closes.
func (r *Runner) Run(ctx context.Context) error {
	if _, sim := r.opts.Clock.(*bus.SimClock); !sim {
		tick := r.spec.Period
		if sp := r.opts.StatusPeriod; sp > 0 && (tick == 0 || sp < tick) {
			tick = sp
		}
		if tick > 0 {
			t := time.NewTicker(tick)
			defer t.Stop()
			for {
				select {
				case <-ctx.Done():
					return r.stop()
				case <-t.C:
					r.onTime(r.opts.Clock.Now())
				}
			}
		}
	}
	<-ctx.Done()
	return r.stop()
}

func (r *Runner) stop() error {
	r.mu.Lock()
	if !r.closed {
		r.publishStatusLocked(r.opts.Clock.Now(), av.NodeStatus_HEALTH_STOPPING, "shutting down")
	}
	r.mu.Unlock()
	_ = r.conn.Flush()
	return r.Close()
}

// Close unsubscribes; safe to call twice.
func (r *Runner) Close() error {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil
	}
	r.closed = true
	subs := r.subs
	r.mu.Unlock()
	var first error
	for _, s := range subs {
		if err := s.Close(); err != nil && first == nil {
			first = err
		}
	}
	if c, ok := r.core.(interface{ Close() error }); ok {
		if err := c.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// Drain waits until every input received so far has been handed to the core.
func (r *Runner) Drain(timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for _, s := range r.subs {
		if !s.Drain(time.Until(deadline)) {
			return false
		}
	}
	return true
}

// Handled counts the input messages the runner has finished with: handed to the core (and the
// step they triggered done), replaced before use (latest-only), lost to a full queue, or
// rejected as bad. Once it equals the number of messages its connection received, nothing is
// in flight inside the runner: the simulator's lockstep barrier waits for exactly that.
func (r *Runner) Handled() uint64 {
	var n uint64
	for _, s := range r.subs {
		st := s.Stats()
		n += st.Delivered + st.Dropped + st.Overflows + st.Bad
	}
	return n
}

// Registry is where the runner's metrics are registered.
func (r *Runner) Registry() *prometheus.Registry { return r.opts.Registry }

// ServeMetrics serves a registry on addr at /metrics until ctx ends.
func ServeMetrics(ctx context.Context, addr string, reg *prometheus.Registry) error {
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	select {
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		return srv.Shutdown(sctx)
	case err := <-errc:
		return fmt.Errorf("node: metrics on %s: %w", addr, err)
	}
}
