package bus

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/avstack/avstack/internal/poll"
	"github.com/avstack/avstack/msg"
	"github.com/avstack/avstack/msg/av"
	"github.com/avstack/avstack/msg/foxglove"
)

type errs struct {
	mu   sync.Mutex
	list []error
}

func (e *errs) add(err error) { e.mu.Lock(); e.list = append(e.list, err); e.mu.Unlock() }
func (e *errs) all() []error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]error(nil), e.list...)
}

func inProcess(t *testing.T) (*Server, *Conn, *errs) {
	t.Helper()
	srv, err := StartServer(ServerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown)
	e := &errs{}
	c, err := ConnectInProcess(srv, t.Name(), e.add)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return srv, c, e
}

func TestRawImage4MiBRoundTrip(t *testing.T) {
	_, c, _ := inProcess(t)
	img := &foxglove.RawImage{FrameId: "front", Width: 1024, Height: 1366, Encoding: "bgr8", Step: 3072, Data: make([]byte, 4<<20)}
	for i := range img.Data {
		img.Data[i] = byte(i * 7)
	}
	got := make(chan *foxglove.RawImage, 1)
	sub, err := Subscribe(c, msg.Camera("front"), func(m Msg[*foxglove.RawImage]) { got <- m.Value })
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	if err := c.Publish(msg.Camera("front"), img); err != nil {
		t.Fatal(err)
	}
	select {
	case r := <-got:
		if r.Width != img.Width || r.Height != img.Height || !bytes.Equal(r.Data, img.Data) {
			t.Fatalf("image changed in transit: %dx%d, %d bytes", r.Width, r.Height, len(r.Data))
		}
	case <-time.After(5 * time.Second):
		t.Fatal("4 MiB RawImage not received")
	}
}

func TestPublishRejectsWrongTypeAndOversize(t *testing.T) {
	_, c, _ := inProcess(t)
	err := c.Publish(msg.SubjectVehicleState, &av.Trajectory{})
	if err == nil || !strings.Contains(err.Error(), "av.vehicle.state") || !strings.Contains(err.Error(), "avstack.v1.Trajectory") {
		t.Fatalf("wrong type: err = %v", err)
	}
	err = c.PublishRaw("test.big", "x", make([]byte, DefaultMaxPayload+1))
	if err == nil || !strings.Contains(err.Error(), "max_payload") {
		t.Fatalf("oversize: err = %v", err)
	}
}

// A latest-only subscriber slower than its publisher sees the newest message and counts drops.
func TestLatestOnlySlowConsumer(t *testing.T) {
	_, c, _ := inProcess(t)
	var mu sync.Mutex
	var seen []uint64
	release := make(chan struct{})
	sub, err := Subscribe(c, msg.SubjectVehicleState, func(m Msg[*av.VehicleState]) {
		mu.Lock()
		seen = append(seen, m.Value.Header.Seq)
		first := len(seen) == 1
		mu.Unlock()
		if first {
			<-release // hold the handler while the publisher races ahead
		}
	}, WithDelivery(msg.LatestOnly))
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	const n = 200
	for i := 1; i <= n; i++ {
		if err := c.Publish(msg.SubjectVehicleState, &av.VehicleState{Header: &av.Header{Seq: uint64(i)}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Flush(); err != nil {
		t.Fatal(err)
	}
	poll.Until(t, 5*time.Second, func() error {
		if s := sub.Stats(); s.Received != n {
			return fmt.Errorf("received %d of %d", s.Received, n)
		}
		return nil
	})
	close(release)
	poll.Until(t, 5*time.Second, func() error {
		mu.Lock()
		defer mu.Unlock()
		if s := sub.Stats(); len(seen) == 0 || seen[len(seen)-1] != n || s.Delivered+s.Dropped != n {
			return fmt.Errorf("seen %v, stats %+v; want the newest (%d) last and every message delivered or dropped", seen, s, n)
		}
		return nil
	})
	s := sub.Stats()
	mu.Lock()
	defer mu.Unlock()
	// The handler may have caught the first message before the rest arrived, or not: either
	// way it runs at most twice while 200 messages go by, and the rest are counted as drops.
	if len(seen) > 2 {
		t.Errorf("handler ran %d times (seqs %v), want at most 2", len(seen), seen)
	}
	if s.Dropped != n-uint64(len(seen)) {
		t.Errorf("stats %+v: want dropped %d", s, n-len(seen))
	}
}

func TestReliableInOrder(t *testing.T) {
	_, c, _ := inProcess(t)
	const n = 2000
	var mu sync.Mutex
	var seqs []uint64
	sub, err := Subscribe(c, msg.SubjectObjects, func(m Msg[*av.ObjectList]) {
		if m.Value.Header.Seq%100 == 0 {
			time.Sleep(time.Millisecond) // a slow handler must not lose anything
		}
		mu.Lock()
		seqs = append(seqs, m.Value.Header.Seq)
		mu.Unlock()
	}, WithQueueLen(n))
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	for i := 1; i <= n; i++ {
		if err := c.Publish(msg.SubjectObjects, &av.ObjectList{Header: &av.Header{Seq: uint64(i)}}); err != nil {
			t.Fatal(err)
		}
	}
	poll.Until(t, 10*time.Second, func() error {
		mu.Lock()
		defer mu.Unlock()
		if len(seqs) != n {
			return fmt.Errorf("got %d of %d", len(seqs), n)
		}
		return nil
	})
	for i, s := range seqs {
		if s != uint64(i+1) {
			t.Fatalf("message %d has seq %d: out of order", i, s)
		}
	}
	if s := sub.Stats(); s.Dropped != 0 || s.Overflows != 0 || s.Delivered != n {
		t.Fatalf("stats %+v", s)
	}
}

func TestReliableOverflowIsAnError(t *testing.T) {
	_, c, e := inProcess(t)
	release := make(chan struct{})
	entered := make(chan struct{})
	var once sync.Once
	sub, err := Subscribe(c, msg.SubjectObjects, func(m Msg[*av.ObjectList]) {
		once.Do(func() { close(entered); <-release })
	}, WithQueueLen(4))
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	_ = c.Publish(msg.SubjectObjects, &av.ObjectList{})
	<-entered
	for i := 1; i < 20; i++ {
		_ = c.Publish(msg.SubjectObjects, &av.ObjectList{})
	}
	poll.Until(t, 5*time.Second, func() error {
		if sub.Stats().Received != 20 {
			return fmt.Errorf("received %d", sub.Stats().Received)
		}
		return nil
	})
	close(release)
	s := sub.Stats()
	// One message is in the handler, four wait in the queue: fifteen overflow.
	if s.Overflows != 15 {
		t.Errorf("overflows = %d, want 15 (%+v)", s.Overflows, s)
	}
	found := false
	for _, err := range e.all() {
		if strings.Contains(err.Error(), "reliable queue full") && strings.Contains(err.Error(), msg.SubjectObjects) {
			found = true
		}
	}
	if !found {
		t.Errorf("no overflow error naming the subject; errors: %v", e.all())
	}
}

func TestGarbageIsCountedAndSubscriberKeepsWorking(t *testing.T) {
	_, c, e := inProcess(t)
	var good atomic.Int32
	sub, err := Subscribe(c, msg.SubjectTrajectory, func(m Msg[*av.Trajectory]) {
		if m.Value.Behavior == "ok" {
			good.Add(1)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	// Undecodable bytes with the right type, the wrong type, and no header at all.
	if err := c.PublishRaw(msg.SubjectTrajectory, "avstack.v1.Trajectory", []byte{0xff, 0xff, 0xff, 0xff}); err != nil {
		t.Fatal(err)
	}
	if err := c.PublishRaw(msg.SubjectTrajectory, "avstack.v1.VehicleState", []byte{}); err != nil {
		t.Fatal(err)
	}
	if err := c.NATS().Publish(msg.SubjectTrajectory, []byte{0x0a, 0x99}); err != nil {
		t.Fatal(err)
	}
	if err := c.Publish(msg.SubjectTrajectory, &av.Trajectory{Behavior: "ok"}); err != nil {
		t.Fatal(err)
	}
	poll.Until(t, 5*time.Second, func() error {
		if good.Load() != 1 || sub.Stats().Bad != 3 {
			return fmt.Errorf("good %d, stats %+v", good.Load(), sub.Stats())
		}
		return nil
	})
	var subjects int
	for _, err := range e.all() {
		if strings.Contains(err.Error(), msg.SubjectTrajectory) {
			subjects++
		}
	}
	if subjects != 3 {
		t.Errorf("%d errors name the subject, want 3: %v", subjects, e.all())
	}
}

func TestRequestReply(t *testing.T) {
	_, c, _ := inProcess(t)
	sub, err := Respond(c, "av.test.echo", func(req *av.Clock) (*av.Clock, error) {
		if req.Tick == 13 {
			return nil, errors.New("unlucky tick")
		}
		return &av.Clock{Tick: req.Tick + 1}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	resp, err := Request[*av.Clock](c, "av.test.echo", &av.Clock{Tick: 41}, time.Second)
	if err != nil || resp.Tick != 42 {
		t.Fatalf("resp %v, err %v", resp, err)
	}
	if _, err := Request[*av.Clock](c, "av.test.echo", &av.Clock{Tick: 13}, time.Second); err == nil || !strings.Contains(err.Error(), "unlucky tick") {
		t.Fatalf("handler error not returned: %v", err)
	}
	if _, err := Request[*av.Clock](c, "av.test.nobody", &av.Clock{}, 200*time.Millisecond); err == nil || !strings.Contains(err.Error(), "av.test.nobody") {
		t.Fatalf("no responder: %v", err)
	}
}

func TestSimClock(t *testing.T) {
	_, c, _ := inProcess(t)
	sc, err := FollowSimClock(c)
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Close()
	var ticks atomic.Int32
	sc.OnTick(func(now int64, tick uint64) { ticks.Add(1) })
	for i := 1; i <= 5; i++ {
		if err := c.Publish(msg.SubjectSimClock, &av.Clock{TimeNs: int64(i) * 10e6, Tick: uint64(i), PeriodNs: 10e6}); err != nil {
			t.Fatal(err)
		}
	}
	poll.Until(t, 5*time.Second, func() error {
		if sc.Now() != 50e6 || ticks.Load() != 5 {
			return fmt.Errorf("now %d, ticks %d", sc.Now(), ticks.Load())
		}
		return nil
	})
	sc.Set(1, 0, 0) // backwards: ignored
	if sc.Now() != 50e6 {
		t.Fatalf("clock went backwards to %d", sc.Now())
	}
}

func TestConnectUnreachable(t *testing.T) {
	_, err := Connect(ConnectOptions{URL: "nats://127.0.0.1:1", Timeout: 200 * time.Millisecond})
	if err == nil || !strings.Contains(err.Error(), "127.0.0.1:1") {
		t.Fatalf("err = %v", err)
	}
}

// TCP mode between two processes: this test re-runs its own binary as a publisher.
func TestTCPTwoProcesses(t *testing.T) {
	if url := os.Getenv("AVSTACK_BUS_TEST_PUBLISH"); url != "" {
		c, err := Connect(ConnectOptions{URL: url, Name: "child"})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
		for i := 1; i <= 10; i++ {
			if err := c.Publish(msg.SubjectVehicleState, &av.VehicleState{Header: &av.Header{Seq: uint64(i)}, V: float64(i)}); err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(4)
			}
		}
		_ = c.Flush()
		c.Close()
		os.Exit(0)
	}
	srv, err := StartServer(ServerOptions{Listen: true, Port: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown()
	if !strings.HasPrefix(srv.URL(), "nats://127.0.0.1:") {
		t.Fatalf("URL %q", srv.URL())
	}
	c, err := Connect(ConnectOptions{URL: srv.URL(), Name: "parent"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var n atomic.Int32
	sub, err := Subscribe(c, msg.SubjectVehicleState, func(m Msg[*av.VehicleState]) {
		if m.Value.V == float64(m.Value.Header.Seq) {
			n.Add(1)
		}
	}, WithDelivery(msg.Reliable))
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	if err := c.Flush(); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestTCPTwoProcesses$")
	cmd.Env = append(os.Environ(), "AVSTACK_BUS_TEST_PUBLISH="+srv.URL())
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	poll.Until(t, 5*time.Second, func() error {
		if n.Load() != 10 {
			return fmt.Errorf("got %d of 10 messages from the other process", n.Load())
		}
		return nil
	})
}
