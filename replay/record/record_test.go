package record

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/avstack/avstack/bus"
	"github.com/avstack/avstack/msg"
	"github.com/avstack/avstack/msg/av"
	"github.com/avstack/avstack/msg/foxglove"
	"github.com/avstack/avstack/node"
	"github.com/avstack/avstack/replay/mcapio"
)

// TestStampMatchesNodeStamp: the wire-level Stamp agrees with node.Stamp (the reference) on
// every kind of message.
func TestStampMatchesNodeStamp(t *testing.T) {
	cases := []struct {
		name string
		m    proto.Message
	}{
		{"header", &av.VehicleState{Header: &av.Header{StampNs: 1234567890123, Seq: 7, FrameId: "map"}, X: 3}},
		{"header unset", &av.VehicleState{X: 3}},
		{"header zero stamp", &av.ObjectList{Header: &av.Header{Seq: 2}}},
		{"header with objects", &av.ObjectList{Header: &av.Header{StampNs: 42, SourceStampNs: 41}, Objects: []*av.Object{{Id: 1}}}},
		{"foxglove timestamp", &foxglove.CompressedImage{Timestamp: node.Timestamp(1_700_000_000_123_456_789), Data: []byte{1, 2, 3}, Format: "jpeg"}},
		{"foxglove timestamp unset", &foxglove.PointCloud{FrameId: "lidar"}},
		{"no stamp field", &foxglove.Vector3{X: 1}},
		{"clock", &av.Clock{Header: &av.Header{StampNs: 99}, TimeNs: 99, Tick: 3}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			data, err := proto.Marshal(c.m)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Stamp(string(c.m.ProtoReflect().Descriptor().FullName()), data)
			if err != nil {
				t.Fatal(err)
			}
			if want := node.Stamp(c.m); got != want {
				t.Fatalf("Stamp = %d, node.Stamp = %d", got, want)
			}
		})
	}
	// Two occurrences of the header merge; the later stamp wins, as proto.Unmarshal does.
	a, _ := proto.Marshal(&av.VehicleState{Header: &av.Header{StampNs: 5}})
	b, _ := proto.Marshal(&av.VehicleState{Header: &av.Header{StampNs: 9}})
	var m av.VehicleState
	if err := proto.Unmarshal(append(a, b...), &m); err != nil {
		t.Fatal(err)
	}
	if got, _ := Stamp("avstack.v1.VehicleState", append(a, b...)); got != node.Stamp(&m) || got != 9 {
		t.Fatalf("merged stamp %d, want %d", got, node.Stamp(&m))
	}
	if _, err := Stamp("avstack.v1.VehicleState", []byte{0x0a, 0xff}); err == nil {
		t.Fatal("truncated bytes accepted")
	}
	if _, err := Stamp("no.Such", nil); err == nil {
		t.Fatal("unknown type accepted")
	}
}

func TestParseSize(t *testing.T) {
	cases := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"1000", 1000, true}, {"64KiB", 64 << 10, true}, {"100MB", 100e6, true}, {"2 GiB", 2 << 30, true},
		{"5B", 5, true}, {"", 0, false}, {"-1", 0, false}, {"12XB", 0, false}, {"MB", 0, false},
	}
	for _, c := range cases {
		got, err := ParseSize(c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d ok=%v", c.in, got, err, c.want, c.ok)
		}
	}
}

func startBus(t testing.TB) (*bus.Server, *bus.Conn, *bus.Conn) {
	srv, err := bus.StartServer(bus.ServerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pub, err := bus.ConnectInProcess(srv, "pub")
	if err != nil {
		t.Fatal(err)
	}
	sub, err := bus.ConnectInProcess(srv, "rec")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pub.Close(); sub.Close(); srv.Shutdown() })
	return srv, pub, sub
}

// TestRecorderRoundTrip: what is published on catalogue subjects comes back from the file
// with identical bytes, in order per subject, with publish time = the message stamp; subjects
// outside the catalogue are skipped and counted.
func TestRecorderRoundTrip(t *testing.T) {
	_, pub, sub := startBus(t)
	path := filepath.Join(t.TempDir(), "rec.mcap")
	w, err := mcapio.Create(path, mcapio.WriterOptions{ChunkSize: 16 << 10})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := Start(sub, w, Options{})
	if err != nil {
		t.Fatal(err)
	}
	type sent struct {
		subject string
		data    []byte
		stamp   int64
	}
	var want []sent
	for i := 0; i < 200; i++ {
		ts := int64(1_000_000 * (i + 1))
		var subject string
		var m proto.Message
		switch i % 4 {
		case 0:
			subject, m = msg.Camera("front"), &foxglove.CompressedImage{Timestamp: node.Timestamp(ts), Data: make([]byte, 1000+i), Format: "jpeg"}
		case 1:
			subject, m = msg.SubjectVehicleState, &av.VehicleState{Header: &av.Header{StampNs: ts}, V: float64(i)}
		case 2:
			subject, m = msg.Status("perception"), &av.NodeStatus{Header: &av.Header{StampNs: ts}, Node: "perception", Steps: uint64(i)}
		case 3:
			// Not in the catalogue: skipped.
			if err := pub.Publish("av.debug.scratch", &av.VehicleState{}); err != nil {
				t.Fatal(err)
			}
			continue
		}
		data, _ := proto.MarshalOptions{Deterministic: true}.Marshal(m)
		if err := pub.Publish(subject, m); err != nil {
			t.Fatal(err)
		}
		want = append(want, sent{subject, data, ts})
	}
	if err := pub.Flush(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for rec.Stats().Messages+rec.Stats().Skipped["not recorded by the catalogue"] < 200 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	st := rec.Stop(time.Second)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if st.Messages != uint64(len(want)) || st.Skipped["not recorded by the catalogue"] != 50 || st.Lost != 0 {
		t.Fatalf("stats %+v, want %d recorded, 50 skipped", st, len(want))
	}
	r, err := mcapio.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	per := map[string][]sent{}
	for _, s := range want {
		per[s.subject] = append(per[s.subject], s)
	}
	idx := map[string]int{}
	var lastLog int64
	err = r.Each(mcapio.Filter{}, func(m mcapio.Message) error {
		i := idx[m.Subject]
		idx[m.Subject]++
		if i >= len(per[m.Subject]) {
			return fmt.Errorf("extra message on %s", m.Subject)
		}
		s := per[m.Subject][i]
		if string(m.Data) != string(s.data) || m.PublishTime != s.stamp {
			return fmt.Errorf("%s #%d: bytes equal %v, publish time %d want %d", m.Subject, i, string(m.Data) == string(s.data), m.PublishTime, s.stamp)
		}
		if m.LogTime < lastLog {
			return fmt.Errorf("log time went backwards at %s #%d", m.Subject, i)
		}
		lastLog = m.LogTime
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for s, l := range per {
		if idx[s] != len(l) {
			t.Fatalf("%s: read %d, sent %d", s, idx[s], len(l))
		}
	}
}

// TestKilledRecorder: a recorder process killed with SIGKILL while recording leaves a file
// that Open rejects as incomplete and OpenRecover reads: every message of every complete chunk,
// a gap-free prefix of what was published.
func TestKilledRecorder(t *testing.T) {
	if os.Getenv("AVSTACK_RECORD_CHILD") != "" {
		recordForever(os.Getenv("AVSTACK_RECORD_CHILD"))
		return
	}
	path := filepath.Join(t.TempDir(), "killed.mcap")
	cmd := exec.Command(os.Args[0], "-test.run=^TestKilledRecorder$")
	cmd.Env = append(os.Environ(), "AVSTACK_RECORD_CHILD="+path)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait until a few chunks are on disk, then kill it mid-flight.
	deadline := time.Now().Add(60 * time.Second)
	for {
		if st, err := os.Stat(path); err == nil && st.Size() > 300<<10 {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("child recorder wrote nothing")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	if _, err := mcapio.Open(path); !errors.Is(err, mcapio.ErrBadFile) {
		t.Fatalf("Open of a killed recording: %v, want ErrBadFile", err)
	}
	r, err := mcapio.OpenRecover(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	sum := r.Summary()
	if !sum.Truncated || sum.Chunks < 2 || sum.Messages == 0 || sum.BadChunks != 0 {
		t.Fatalf("truncated %v, recovered %d chunks, %d messages, %d bad", sum.Truncated, sum.Chunks, sum.Messages, sum.BadChunks)
	}
	var next uint64 = 1
	err = r.Each(mcapio.Filter{}, func(m mcapio.Message) error {
		var vs av.VehicleState
		if err := proto.Unmarshal(m.Data, &vs); err != nil {
			return err
		}
		if vs.GetHeader().GetSeq() != next || len(vs.GetHeader().GetFrameId()) != 2000 {
			return fmt.Errorf("message %d: seq %d", next, vs.GetHeader().GetSeq())
		}
		next++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("killed recorder: %d bytes, %d complete chunks, %d messages recovered, %d bytes lost after offset %d",
		sum.Size, sum.Chunks, sum.Messages, sum.LostBytes, sum.TruncatedAt)
}

// recordForever is the child of TestKilledRecorder: it records a publisher that never stops.
func recordForever(path string) {
	srv, err := bus.StartServer(bus.ServerOptions{})
	if err != nil {
		panic(err)
	}
	pub, _ := bus.ConnectInProcess(srv, "pub")
	sub, _ := bus.ConnectInProcess(srv, "rec")
	w, err := mcapio.Create(path, mcapio.WriterOptions{ChunkSize: 64 << 10, Compression: "none"})
	if err != nil {
		panic(err)
	}
	if _, err := Start(sub, w, Options{}); err != nil {
		panic(err)
	}
	pad := string(make([]byte, 2000))
	for seq := uint64(1); ; seq++ {
		m := &av.VehicleState{Header: &av.Header{StampNs: int64(seq) * 1e6, Seq: seq, FrameId: pad}}
		if err := pub.Publish(msg.SubjectVehicleState, m); err != nil {
			panic(err)
		}
		if seq%50 == 0 {
			time.Sleep(time.Millisecond)
		}
	}
}

// TestObserver: the in-process hook writes what it is handed, byte for byte, with publish time
// = stamp, and keeps the first error.
func TestObserver(t *testing.T) {
	path := filepath.Join(t.TempDir(), "obs.mcap")
	w, err := mcapio.Create(path, mcapio.WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ob := NewObserver(w)
	var want [][]byte
	for i := 0; i < 5; i++ {
		data, _ := proto.Marshal(&av.VehicleState{Header: &av.Header{StampNs: int64(i) * 7}, X: float64(i)})
		want = append(want, data)
		ob.Observe(msg.SubjectVehicleState, "avstack.v1.VehicleState", data, int64(i)*10)
	}
	if ob.Err() != nil || ob.Messages() != 5 {
		t.Fatalf("err %v, %d messages", ob.Err(), ob.Messages())
	}
	ob.Observe("av.x", "no.such.Type", nil, 60)
	if ob.Err() == nil {
		t.Fatal("unknown type not reported")
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := mcapio.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	i := 0
	err = r.Each(mcapio.Filter{}, func(m mcapio.Message) error {
		if string(m.Data) != string(want[i]) || m.LogTime != int64(i)*10 || (i > 0 && m.PublishTime != int64(i)*7) {
			return fmt.Errorf("message %d: log %d publish %d", i, m.LogTime, m.PublishTime)
		}
		i++
		return nil
	})
	if err != nil || i != 5 {
		t.Fatalf("%v (%d messages)", err, i)
	}
}
