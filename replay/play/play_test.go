package play

import (
	"context"
	"fmt"
	"math"
	"math/rand"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/avstack/avstack/bus"
	"github.com/avstack/avstack/msg"
	"github.com/avstack/avstack/msg/av"
	"github.com/avstack/avstack/msg/foxglove"
	"github.com/avstack/avstack/node"
	"github.com/avstack/avstack/replay/mcapio"
	"github.com/avstack/avstack/replay/record"
)

// synthLog writes a drive-like recording of the given length: camera 20 Hz (imgBytes),
// lidar 10 Hz (cloudBytes), vehicle state 100 Hz, objects 10 Hz. Log time = stamp.
func synthLog(t testing.TB, dur time.Duration, imgBytes, cloudBytes int) string {
	path := filepath.Join(t.TempDir(), "synth.mcap")
	w, err := mcapio.Create(path, mcapio.WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewSource(7))
	img := make([]byte, imgBytes)
	cloud := make([]byte, cloudBytes)
	const t0 = int64(1_700_000_000_000_000_000)
	for ms := int64(0); ms < dur.Milliseconds(); ms++ {
		ts := t0 + ms*1e6
		var ms2 []struct {
			s string
			m proto.Message
		}
		add := func(s string, m proto.Message) {
			ms2 = append(ms2, struct {
				s string
				m proto.Message
			}{s, m})
		}
		if ms%10 == 0 {
			add(msg.SubjectVehicleState, &av.VehicleState{Header: &av.Header{StampNs: ts}, X: float64(ms) / 100, V: 10})
		}
		if ms%50 == 3 {
			rng.Read(img)
			add(msg.Camera("front"), &foxglove.CompressedImage{Timestamp: node.Timestamp(ts), Data: img, Format: "jpeg"})
		}
		if ms%100 == 7 {
			rng.Read(cloud)
			add(msg.Lidar("top"), &foxglove.PointCloud{Timestamp: node.Timestamp(ts), Data: cloud, PointStride: 16})
			add(msg.SubjectObjects, &av.ObjectList{Header: &av.Header{StampNs: ts}, Objects: []*av.Object{{Id: 1, Box: &av.Box3D{X: float64(ms)}}}})
		}
		for _, x := range ms2 {
			if err := record.WriteProto(w, x.s, x.m, ts); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

type got struct {
	subject string
	data    []byte
	at      time.Time
}

// listen collects everything published under av.>; collect(n) waits (up to 10 s) until at
// least n messages have arrived, then returns them.
func listen(t testing.TB, srv *bus.Server) (func(n int) []got, func()) {
	c, err := dial(srv, "listener")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var out []got
	sub, err := c.SubscribeRaw("av.>", func(m bus.RawMsg) {
		mu.Lock()
		out = append(out, got{m.Subject, m.Data, m.Received})
		mu.Unlock()
	}, bus.WithDelivery(msg.Reliable), bus.WithQueueLen(1<<20))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Flush(); err != nil {
		t.Fatal(err)
	}
	return func(n int) []got {
			deadline := time.Now().Add(10 * time.Second)
			for time.Now().Before(deadline) {
				mu.Lock()
				k := len(out)
				mu.Unlock()
				if k >= n {
					break
				}
				time.Sleep(2 * time.Millisecond)
			}
			sub.Drain(5 * time.Second)
			mu.Lock()
			defer mu.Unlock()
			return append([]got(nil), out...)
		}, func() {
			sub.Close()
			c.Close()
		}
}

func setup(t testing.TB) (*bus.Server, *bus.Conn) { return setupOn(t, false) }

// setupOn starts a server and connects the player in process, or over TCP on loopback.
func setupOn(t testing.TB, tcp bool) (*bus.Server, *bus.Conn) {
	srv, err := bus.StartServer(bus.ServerOptions{MaxPayload: 8 << 20, Listen: tcp})
	if err != nil {
		t.Fatal(err)
	}
	conn, err := dial(srv, "player")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(); srv.Shutdown() })
	return srv, conn
}

// dial connects over TCP when the server listens, else in process.
func dial(srv *bus.Server, name string) (*bus.Conn, error) {
	if u := srv.URL(); u != "" {
		return bus.Connect(bus.ConnectOptions{URL: u, Name: name})
	}
	return bus.ConnectInProcess(srv, name)
}

func recorded(t testing.TB, path string, f mcapio.Filter) []mcapio.Message {
	r, err := mcapio.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var out []mcapio.Message
	if err := r.Each(f, func(m mcapio.Message) error {
		m.Data = append([]byte(nil), m.Data...)
		out = append(out, m)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestPlayAll: rate 0 publishes every recorded message with identical bytes in recorded
// order, plus a synthesized clock (time = log time, one tick per 10 ms of log time).
// TestPlayAll plays a 2 s log as fast as possible and in timed playback (which reads ahead in
// the publisher's slack): every message arrives once, in order, with its bytes, with a clock
// tick at each vehicle state; timed playback takes at least the log's duration over the rate.
func TestPlayAll(t *testing.T) {
	path := synthLog(t, 2*time.Second, 5000, 20000)
	for _, rate := range []float64{0, 4, 1} {
		t.Run(fmt.Sprintf("rate %g", rate), func(t *testing.T) { playAll(t, path, rate) })
	}
}

func playAll(t *testing.T, path string, rate float64) {
	srv, conn := setup(t)
	collect, stop := listen(t, srv)
	defer stop()
	r, err := mcapio.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	st, err := Play(context.Background(), conn, r, Options{Rate: rate})
	if err != nil {
		t.Fatal(err)
	}
	want := recorded(t, path, mcapio.Filter{})
	all := collect(len(want) + 200)
	var msgs []got
	var ticks []int64
	for _, g := range all {
		if g.subject == msg.SubjectSimClock {
			var c av.Clock
			if err := proto.Unmarshal(g.data, &c); err != nil {
				t.Fatal(err)
			}
			ticks = append(ticks, c.TimeNs)
			continue
		}
		msgs = append(msgs, g)
	}
	if len(msgs) != len(want) || st.Messages != uint64(len(want)) {
		t.Fatalf("received %d, stats %d, recorded %d", len(msgs), st.Messages, len(want))
	}
	for i := range want {
		if msgs[i].subject != want[i].Subject || string(msgs[i].data) != string(want[i].Data) {
			t.Fatalf("message %d: got %s, want %s (bytes equal %v)", i, msgs[i].subject, want[i].Subject, string(msgs[i].data) == string(want[i].Data))
		}
	}
	// Vehicle state comes every 10 ms of log time, so each one gets a tick at its log time.
	if len(ticks) != 200 || st.Clock != 200 || ticks[0] != want[0].LogTime || ticks[199]-ticks[0] != 1990*int64(time.Millisecond) {
		t.Fatalf("%d ticks (stats %d) from %d to %d", len(ticks), st.Clock, ticks[0], ticks[len(ticks)-1])
	}
	if rate > 0 {
		if least := time.Duration(float64(1990*time.Millisecond) / rate); st.Elapsed < least {
			t.Fatalf("timed playback took %v, less than the log's %v at rate %g", st.Elapsed, least, rate)
		}
		// Lateness is never negative (a publish waits for its time), so consecutive gaps differ
		// from the recorded ones by at most the worst lateness.
		if st.LateP99 <= 0 || st.GapErrMax > st.LateMax || st.GapErrP99 > st.GapErrMax {
			t.Fatalf("timing stats inconsistent: late p99 %v max %v, gap error p99 %v max %v", st.LateP99, st.LateMax, st.GapErrP99, st.GapErrMax)
		}
	}
	t.Logf("rate %g: %d msgs in %v: %.0f msgs/s, %.1f MB/s; late p99 %v, gap error p99 %v", rate, st.Messages, st.Elapsed, st.MsgsPerSec, st.MBPerSec, st.LateP99, st.GapErrP99)
}

func TestPlayStartAndSubjects(t *testing.T) {
	path := synthLog(t, time.Second, 100, 100)
	srv, conn := setup(t)
	collect, stop := listen(t, srv)
	defer stop()
	r, err := mcapio.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, err := Play(context.Background(), conn, r, Options{Subjects: []string{"av.sensor.>"}, Start: 500 * time.Millisecond, ClockPeriod: -1}); err != nil {
		t.Fatal(err)
	}
	want := recorded(t, path, mcapio.Filter{Subjects: []string{"av.sensor.>"}, Start: r.Summary().Start + int64(500*time.Millisecond)})
	g := collect(len(want))
	if len(g) != len(want) || len(want) != 15 {
		t.Fatalf("got %d messages, want %d (= 10 camera + 5 lidar)", len(g), len(want))
	}
	for i := range g {
		if g[i].subject != want[i].Subject {
			t.Fatalf("message %d on %s, want %s", i, g[i].subject, want[i].Subject)
		}
	}
	for _, bad := range []Options{{Rate: -1}, {Start: 5 * time.Second}, {Subjects: []string{"av.nope"}}, {Subjects: []string{"av.sensor.>"}, Exclude: []string{"av.sensor.>"}}} {
		if _, err := Play(context.Background(), conn, r, bad); err == nil {
			t.Fatalf("options %+v accepted", bad)
		}
	}
}

// scaleCore publishes the vehicle speed times a gain on av.control.command for every state.
type scaleCore struct{ gain float64 }

func (c *scaleCore) Spec() node.Spec {
	return node.Spec{Inputs: []node.Input{{Subject: msg.SubjectVehicleState, Trigger: true}}, Outputs: []string{msg.SubjectControl}}
}

func (c *scaleCore) Step(in []node.Message, now int64) ([]node.Output, error) {
	v := 0.0
	for _, m := range in {
		v = m.Value.(*av.VehicleState).GetV()
	}
	return []node.Output{{Subject: msg.SubjectControl, Value: &av.ControlCommand{Acceleration: c.gain * v}}}, nil
}

// chainCore answers every control command with a trajectory (a second node downstream).
type chainCore struct{}

func (chainCore) Spec() node.Spec {
	return node.Spec{Inputs: []node.Input{{Subject: msg.SubjectControl, Trigger: true}}, Outputs: []string{msg.SubjectTrajectory}}
}

func (chainCore) Step(in []node.Message, now int64) ([]node.Output, error) {
	return []node.Output{{Subject: msg.SubjectTrajectory, Value: &av.Trajectory{Reason: fmt.Sprint(len(in))}}}, nil
}

// TestLockstep: with a real node.Runner on the bus, lockstep playback waits for one output per
// trigger, so the node sees every input (no latest-only drops) and answers each in order.
func TestLockstep(t *testing.T) {
	path := synthLog(t, time.Second, 100, 100)
	srv, conn := setup(t)
	nc, err := bus.ConnectInProcess(srv, "node")
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	core := &scaleCore{gain: 2}
	runner, err := node.NewRunner(nc, core, node.RunOptions{Name: "scale", StatusPeriod: -1})
	if err != nil {
		t.Fatal(err)
	}
	chain, err := node.NewRunner(nc, chainCore{}, node.RunOptions{Name: "chain", StatusPeriod: -1})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 2)
	go func() { done <- runner.Run(ctx) }()
	go func() { done <- chain.Run(ctx) }()
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	collect, stop := listen(t, srv)
	defer stop()
	r, err := mcapio.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	ls := &Lockstep{Nodes: []NodeSpec{{Name: "scale", Spec: core.Spec()}, {Name: "chain", Spec: chainCore{}.Spec()}}, Timeout: 5 * time.Second}
	st, err := Play(context.Background(), conn, r, Options{Lockstep: ls, Exclude: ls.Outputs()})
	cancel()
	<-done
	<-done
	if err != nil {
		t.Fatal(err)
	}
	var stamps []int64
	trajectories := 0
	for _, g := range collect(440) {
		if g.subject == msg.SubjectTrajectory {
			var tr av.Trajectory
			if err := proto.Unmarshal(g.data, &tr); err != nil {
				t.Fatal(err)
			}
			// Lockstep: each trajectory saw exactly one command.
			if tr.Reason != "1" {
				t.Fatalf("trajectory after %s commands", tr.Reason)
			}
			trajectories++
		}
		if g.subject == msg.SubjectControl {
			var c av.ControlCommand
			if err := proto.Unmarshal(g.data, &c); err != nil {
				t.Fatal(err)
			}
			if c.Acceleration != 20 {
				t.Fatalf("acceleration %v, want 20", c.Acceleration)
			}
			stamps = append(stamps, c.GetHeader().GetSourceStampNs())
		}
	}
	if trajectories != 100 {
		t.Fatalf("%d trajectories, want 100", trajectories)
	}
	if len(stamps) != 100 || st.Steps != 200 || !sort.SliceIsSorted(stamps, func(i, j int) bool { return stamps[i] < stamps[j] }) {
		t.Fatalf("%d outputs, %d steps (want 100 outputs in order, 200 steps)", len(stamps), st.Steps)
	}
	// A node that never answers is an error naming it.
	ls2 := &Lockstep{Nodes: []NodeSpec{{Name: "ghost", Spec: node.Spec{Inputs: []node.Input{{Subject: msg.SubjectVehicleState, Trigger: true}}, Outputs: []string{msg.SubjectTrajectory}}}}, Timeout: 100 * time.Millisecond}
	if _, err := Play(context.Background(), conn, r, Options{Lockstep: ls2}); err == nil {
		t.Fatal("lockstep without the node running did not fail")
	} else {
		t.Log(err)
	}
}

// gapErrors returns |received gap - recorded gap| for consecutive non-clock messages.
func gapErrors(t testing.TB, all []got, want []mcapio.Message) []time.Duration {
	var msgs []got
	for _, g := range all {
		if g.subject != msg.SubjectSimClock {
			msgs = append(msgs, g)
		}
	}
	if len(msgs) != len(want) {
		t.Fatalf("received %d, recorded %d", len(msgs), len(want))
	}
	var errs []time.Duration
	for i := 1; i < len(want); i++ {
		d := msgs[i].at.Sub(msgs[i-1].at) - time.Duration(want[i].LogTime-want[i-1].LogTime)
		errs = append(errs, time.Duration(math.Abs(float64(d))))
	}
	sort.Slice(errs, func(i, j int) bool { return errs[i] < errs[j] })
	return errs
}

// BenchmarkPlayRate1 plays a 10 s drive-like log at rate 1 and reports how closely the
// inter-message gaps seen by a subscriber follow the recording (gap-err-p99-ms; the target is
// 2 ms), how late publishes were behind schedule, and the gap error at the publisher
// (pub-gap-err-p99-ms: the player's own timing, without the bus's delivery of 200 KB clouds).
// In the same iteration a preloaded peer publishes the same messages from memory at the same
// times (peer-gap-err-p99-ms): what the bus delivers to the subscriber when the publisher does
// nothing but wait and publish, the floor the player's figure is measured against (ratio).
func BenchmarkPlayRate1(b *testing.B) {
	path := synthLog(b, 10*time.Second, 60_000, 200_000)
	want := recorded(b, path, mcapio.Filter{})
	for _, tr := range []struct {
		name string
		tcp  bool
	}{{"inprocess", false}, {"tcp", true}} {
		b.Run(tr.name, func(b *testing.B) { playRate1(b, path, want, tr.tcp) })
	}
}

func playRate1(b *testing.B, path string, want []mcapio.Message, tcp bool) {
	for i := 0; i < b.N; i++ {
		srv, conn := setupOn(b, tcp)
		collect, stop := listen(b, srv)
		r, err := mcapio.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		st, err := Play(context.Background(), conn, r, Options{Rate: 1})
		if err != nil {
			b.Fatal(err)
		}
		errs := gapErrors(b, collect(len(want)+1000), want)
		stop()
		r.Close()

		srv2, conn2 := setupOn(b, tcp)
		collect2, stop2 := listen(b, srv2)
		if err := preloadedPeer(conn2, want); err != nil {
			b.Fatal(err)
		}
		peer := gapErrors(b, collect2(len(want)), want)
		stop2()

		n := len(errs)
		within := 0
		for _, e := range errs {
			if e <= 2*time.Millisecond {
				within++
			}
		}
		p99, peer99 := errs[n*99/100], peer[len(peer)*99/100]
		b.ReportMetric(100*float64(within)/float64(n), "%gaps-within-2ms")
		b.ReportMetric(float64(errs[n*90/100])/1e6, "gap-err-p90-ms")
		b.ReportMetric(float64(errs[n/2])/1e6, "gap-err-p50-ms")
		b.ReportMetric(float64(p99)/1e6, "gap-err-p99-ms")
		b.ReportMetric(float64(errs[n-1])/1e6, "gap-err-max-ms")
		b.ReportMetric(float64(st.LateP99)/1e6, "late-p99-ms")
		b.ReportMetric(float64(st.GapErrP99)/1e6, "pub-gap-err-p99-ms")
		b.ReportMetric(float64(peer99)/1e6, "peer-gap-err-p99-ms")
		b.ReportMetric(float64(p99)/float64(max(peer99, 1)), "ratio")
		b.ReportMetric(float64(len(want)), "msgs")
	}
}

// preloadedPeer publishes msgs at their recorded pace from memory: the same wait as the player
// (sleepUntil) and nothing else, no reading, no clock.
func preloadedPeer(conn *bus.Conn, msgs []mcapio.Message) error {
	origin := time.Now()
	for _, m := range msgs {
		if err := sleepUntil(context.Background(), origin.Add(time.Duration(m.LogTime-msgs[0].LogTime))); err != nil {
			return err
		}
		if err := conn.PublishRaw(m.Subject, m.Type, m.Data); err != nil {
			return err
		}
	}
	return conn.Flush()
}

// BenchmarkPlayMax plays the same log as fast as possible (rate 0) to a subscriber that counts
// what arrives, and reports msgs/s and MB/s of the player.
func BenchmarkPlayMax(b *testing.B) {
	path := synthLog(b, 10*time.Second, 60_000, 200_000)
	srv, conn := setup(b)
	sc, err := bus.ConnectInProcess(srv, "counter")
	if err != nil {
		b.Fatal(err)
	}
	defer sc.Close()
	var mu sync.Mutex
	var got uint64
	sub, err := sc.SubscribeRaw("av.>", func(m bus.RawMsg) { mu.Lock(); got++; mu.Unlock() }, bus.WithDelivery(msg.Reliable), bus.WithQueueLen(1<<16))
	if err != nil {
		b.Fatal(err)
	}
	defer sub.Close()
	sc.Flush()
	r, err := mcapio.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	b.ResetTimer()
	var msgs, bytes uint64
	var elapsed time.Duration
	for i := 0; i < b.N; i++ {
		st, err := Play(context.Background(), conn, r, Options{Rate: 0})
		if err != nil {
			b.Fatal(err)
		}
		msgs, bytes, elapsed = msgs+st.Messages, bytes+st.Bytes, elapsed+st.Elapsed
	}
	b.StopTimer()
	b.SetBytes(int64(bytes) / int64(b.N))
	b.ReportMetric(float64(msgs)/elapsed.Seconds(), "msgs/s")
	b.ReportMetric(float64(bytes)/1e6/elapsed.Seconds(), "MB/s")
	sub.Drain(10 * time.Second)
	mu.Lock()
	defer mu.Unlock()
	if got < msgs {
		b.Fatalf("subscriber got %d of %d messages", got, msgs)
	}
}
