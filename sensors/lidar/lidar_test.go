package lidar

import (
	"encoding/binary"
	"math"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/avstack/avstack/bus"
	"github.com/avstack/avstack/config"
	td "github.com/avstack/avstack/internal/realdata"
	"github.com/avstack/avstack/msg"
	"github.com/avstack/avstack/msg/av"
	"github.com/avstack/avstack/msg/foxglove"
	"github.com/avstack/avstack/node"
	"github.com/avstack/avstack/sensors/velodyne"
)

func testdata(t *testing.T, rel string) string {
	t.Helper()
	return td.Path(t, rel)
}

var vlp = config.Lidar{Name: "top", Model: "VLP-16", RateHz: 10}

func clouds(outs []node.Output) []*foxglove.PointCloud {
	var cs []*foxglove.PointCloud
	for _, o := range outs {
		cs = append(cs, o.Value.(*foxglove.PointCloud))
	}
	return cs
}

// TestFilePacing plays the einride recording at recorded pace: every full revolution comes
// out, stamped on the runner's timeline, never before its last point is due.
func TestFilePacing(t *testing.T) {
	path := testdata(t, "lidar/vlp16/einride-recording.bin")
	cases := []struct {
		pace   string
		source string
	}{{"recorded", "raw"}, {"fast", "raw"}}
	for _, c := range cases {
		t.Run(c.pace, func(t *testing.T) {
			s := Defaults()
			s.Source, s.Path, s.Pace = c.source, path, c.pace
			core, err := New("top", s, vlp)
			if err != nil {
				t.Fatal(err)
			}
			defer core.Close()
			now := int64(1_700_000_000e9)
			var got []*foxglove.PointCloud
			steps := 0
			for !core.Ended() && steps < 100000 {
				outs, err := core.Step(nil, now)
				if err != nil {
					t.Fatal(err)
				}
				for _, cl := range clouds(outs) {
					st := cl.Timestamp.AsTime().UnixNano()
					n := len(cl.Data) / velodyne.PointStride
					last := math.Float32frombits(binary.LittleEndian.Uint32(cl.Data[(n-1)*velodyne.PointStride+20:]))
					if c.pace == "recorded" && st+int64(float64(last)*1e9) > now+1000 {
						t.Errorf("cloud ending at %d published at step %d: before it was due", st+int64(float64(last)*1e9), now)
					}
					got = append(got, cl)
				}
				now += int64(10 * time.Millisecond)
				steps++
			}
			cn := core.Counters()
			t.Logf("pace %s: %d steps, %d packets, %d clouds (%d partial dropped)", c.pace, steps, cn.Packets, len(got), cn.Partial)
			if cn.Packets != 1000 || len(got) != 12 || cn.BadPackets != 0 {
				t.Errorf("packets %d clouds %d bad %d, want 1000, 12 full revolutions, 0", cn.Packets, len(got), cn.BadPackets)
			}
			for i := 1; i < len(got); i++ {
				d := got[i].Timestamp.AsTime().Sub(got[i-1].Timestamp.AsTime())
				if d < 95*time.Millisecond || d > 105*time.Millisecond {
					t.Errorf("cloud %d comes %v after the previous, want ~100 ms (10 Hz)", i, d)
				}
			}
			if c.pace == "fast" && steps > 20 {
				t.Errorf("fast pace took %d steps", steps)
			}
			if h, why := core.Health(); h != av.NodeStatus_HEALTH_DEGRADED || !strings.Contains(why, "ended") {
				t.Errorf("health at end %v %q", h, why)
			}
		})
	}
}

// TestNodeOnBus builds the node through the registry from a vehicle config, runs it on an
// embedded bus under a sim clock and receives the pcap's clouds.
func TestNodeOnBus(t *testing.T) {
	path := testdata(t, "lidar/vlp16/velodyne_example.pcap")
	var settings yaml.Node
	if err := yaml.Unmarshal([]byte("{source: pcap, path: "+path+", pace: fast, publish_partial: true}"), &settings); err != nil {
		t.Fatal(err)
	}
	v := &config.Vehicle{Lidars: []config.Lidar{vlp}, Nodes: []config.NodeConfig{{Name: "top", Kind: "lidar", Settings: *settings.Content[0]}}}
	core, err := node.New(v, "top")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := bus.StartServer(bus.ServerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown()
	pub, _ := bus.ConnectInProcess(srv, "lidar")
	defer pub.Close()
	sub, _ := bus.ConnectInProcess(srv, "test")
	defer sub.Close()
	var mu sync.Mutex
	var pts int
	var n int
	s, err := bus.Subscribe(sub, msg.Lidar("top"), func(m bus.Msg[*foxglove.PointCloud]) {
		mu.Lock()
		n++
		pts += len(m.Value.Data) / int(m.Value.PointStride)
		mu.Unlock()
	}, bus.WithDelivery(msg.Reliable))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	sub.Flush()
	clock := bus.NewSimClock()
	r, err := node.NewRunner(pub, core, node.RunOptions{Name: "top", Clock: clock, StatusPeriod: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	now := int64(1e18)
	for i := 0; i < 50; i++ {
		clock.Set(now, uint64(i), int64(core.Spec().Period))
		now += int64(core.Spec().Period)
	}
	pub.Flush()
	lc := core.(*Core)
	want := lc.Counters().Revolutions
	deadline := time.Now().Add(10 * time.Second)
	for {
		mu.Lock()
		got := n
		mu.Unlock()
		if got >= want || time.Now().After(deadline) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	t.Logf("pcap on bus: %d clouds, %d points (counters %+v)", n, pts, lc.Counters())
	// 84 packets: with partials published every non-zero return arrives exactly once.
	if n != want || pts != 31630 {
		t.Errorf("%d clouds (%d published) with %d points, want every one of 31630 returns", n, want, pts)
	}
}

// TestUDPNode: packets sent to the node's socket come out as revolutions; silence is reported.
func TestUDPNode(t *testing.T) {
	path := testdata(t, "lidar/vlp16/einride-recording.bin")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := Defaults()
	s.Address = "127.0.0.1:0"
	core, err := New("top", s, vlp)
	if err != nil {
		t.Fatal(err)
	}
	defer core.Close()
	now := int64(1_700_000_000e9)
	if h, _ := core.Health(); h != av.NodeStatus_HEALTH_DEGRADED {
		t.Errorf("health before any packet: %v", h)
	}
	tx, err := net.Dial("udp", core.src.(*udpSource).u.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Close()
	revs := 0
	sent := 0
	for sent < 400 {
		for j := 0; j < 40 && sent < 400; j++ {
			tx.Write(b[sent*1206 : (sent+1)*1206])
			sent++
		}
		deadline := time.Now().Add(5 * time.Second)
		for core.Counters().Packets < sent && time.Now().Before(deadline) {
			outs, err := core.Step(nil, now)
			if err != nil {
				t.Fatal(err)
			}
			revs += len(outs)
			now += int64(10 * time.Millisecond)
		}
	}
	tx.Write([]byte("short garbage"))
	for i := 0; i < 200 && core.Counters().Packets < 401; i++ {
		core.Step(nil, now)
		time.Sleep(time.Millisecond)
	}
	c := core.Counters()
	t.Logf("udp: %+v, %d clouds", c, revs)
	if c.Packets != 401 || c.BadPackets != 1 || revs < 4 {
		t.Errorf("counters %+v, clouds %d: want 401 packets, 1 bad, >= 4 full revolutions in 400 packets", c, revs)
	}
	core.Step(nil, now+int64(2*time.Second))
	if h, why := core.Health(); h != av.NodeStatus_HEALTH_DEGRADED || !strings.Contains(why, "no packets on udp") {
		t.Errorf("health after 2 s of silence: %v %q", h, why)
	}
}

func TestKittiSource(t *testing.T) {
	root := testdata(t, "kitti/object")
	s := Defaults()
	s.Source, s.Path = "kitti", root
	core, err := New("top", s, vlp)
	if err != nil {
		t.Fatal(err)
	}
	if core.Spec().Period != 100*time.Millisecond {
		t.Errorf("period %v, want 100 ms (rate_hz 10)", core.Spec().Period)
	}
	var sizes []int
	for i := 0; i < 3; i++ {
		outs, err := core.Step(nil, int64(i+1)*1e8)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range clouds(outs) {
			sizes = append(sizes, len(c.Data)/velodyne.PointStride)
		}
	}
	if len(sizes) != 2 || sizes[0] != 120268 || sizes[1] != 19097 {
		t.Errorf("scan sizes %v, want [120268 19097]", sizes)
	}
	if _, err := New("top", Settings{Source: "kitti", Path: t.TempDir(), Port: 2368, Pace: "fast", Returns: "dual", PollPeriod: time.Millisecond, SilenceTimeout: time.Second}, vlp); err == nil || !strings.Contains(err.Error(), "no .bin scans") {
		t.Errorf("empty folder: %v", err)
	}
}

func TestStartupErrors(t *testing.T) {
	cases := []struct {
		name string
		mod  func(*Settings)
		want string
	}{
		{"missing pcap", func(s *Settings) { s.Source, s.Path = "pcap", "/nonexistent/x.pcap" }, "/nonexistent/x.pcap"},
		{"missing raw", func(s *Settings) { s.Source, s.Path = "raw", "/nonexistent/x.bin" }, "/nonexistent/x.bin"},
		{"bad address", func(s *Settings) { s.Address = "not an address" }, "not an address"},
		{"bad source", func(s *Settings) { s.Source = "tcp" }, "source = tcp"},
		{"bad returns", func(s *Settings) { s.Returns = "first" }, "returns = first"},
		{"bad cut", func(s *Settings) { s.CutAzimuthDeg = 360 }, "cut_azimuth_deg"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := Defaults()
			c.mod(&s)
			core, err := New("top", s, vlp)
			if err == nil {
				core.Close()
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want %q", err, c.want)
			}
		})
	}
}
