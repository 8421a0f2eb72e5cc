package camera

import (
	"bytes"
	"fmt"
	"image/jpeg"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/avstack/avstack/bus"
	"github.com/avstack/avstack/config"
	td "github.com/avstack/avstack/internal/realdata"
	"github.com/avstack/avstack/msg"
	"github.com/avstack/avstack/msg/av"
	"github.com/avstack/avstack/msg/foxglove"
	"github.com/avstack/avstack/node"
)

func testdata(t *testing.T, rel string) string {
	t.Helper()
	return td.Path(t, rel)
}

func camCfg(w, h int) config.Camera {
	return config.Camera{Name: "front", Width: w, Height: h, RateHz: 20, K: []float64{float64(w) / 2, 0, float64(w) / 2, 0, float64(w) / 2, float64(h) / 2, 0, 0, 1}}
}

// frame is what the test subscriber saw of one image.
type frame struct {
	stamp         int64
	width, height int
	format        string
}

// playOnBus runs the core under a runner on an embedded bus, driving its timer with a sim
// clock until the core has no more frames (or maxSteps), and returns the frames and the
// calibration messages a subscriber received.
func playOnBus(t *testing.T, core *Core, maxSteps int) ([]frame, []*foxglove.CameraCalibration) {
	t.Helper()
	srv, err := bus.StartServer(bus.ServerOptions{MaxPayload: 8 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown()
	pub, err := bus.ConnectInProcess(srv, "camera")
	if err != nil {
		t.Fatal(err)
	}
	defer pub.Close()
	sub, err := bus.ConnectInProcess(srv, "test")
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	var mu sync.Mutex
	var frames []frame
	var infos []*foxglove.CameraCalibration
	s1, err := sub.SubscribeRaw(msg.Camera("front"), func(rm bus.RawMsg) {
		m, err := bus.Decode(rm)
		if err != nil {
			t.Error(err)
			return
		}
		var f frame
		switch v := m.(type) {
		case *foxglove.CompressedImage:
			cfg, err := jpeg.DecodeConfig(bytes.NewReader(v.Data))
			if err != nil {
				t.Errorf("frame %d: not a JPEG: %v", len(frames), err)
				return
			}
			f = frame{node.Stamp(v), cfg.Width, cfg.Height, v.Format}
		case *foxglove.RawImage:
			if int(v.Step)*int(v.Height) != len(v.Data) {
				t.Errorf("raw frame: step %d x height %d != %d bytes", v.Step, v.Height, len(v.Data))
			}
			f = frame{node.Stamp(v), int(v.Width), int(v.Height), v.Encoding}
		}
		mu.Lock()
		frames = append(frames, f)
		mu.Unlock()
	}, bus.WithDelivery(msg.Reliable), bus.WithQueueLen(1000))
	if err != nil {
		t.Fatal(err)
	}
	defer s1.Close()
	s2, err := bus.Subscribe(sub, msg.CameraInfo("front"), func(m bus.Msg[*foxglove.CameraCalibration]) {
		mu.Lock()
		infos = append(infos, m.Value)
		mu.Unlock()
	})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if err := sub.Flush(); err != nil {
		t.Fatal(err)
	}
	clock := bus.NewSimClock()
	r, err := node.NewRunner(pub, core, node.RunOptions{Name: "camera-front", Clock: clock, StatusPeriod: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	period := int64(core.Spec().Period)
	now := int64(1_700_000_000e9)
	for i := 0; i < maxSteps && core.st != stateEnded; i++ {
		clock.Set(now, uint64(i), period)
		now += period
	}
	pub.Flush()
	want := int(core.Published())
	// Poll, don't sleep: wait until the subscriber has every published frame.
	deadline := time.Now().Add(20 * time.Second)
	for {
		mu.Lock()
		n := len(frames)
		mu.Unlock()
		if n >= want || time.Now().After(deadline) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	s1.Drain(time.Second)
	s2.Drain(time.Second)
	mu.Lock()
	defer mu.Unlock()
	return append([]frame(nil), frames...), append([]*foxglove.CameraCalibration(nil), infos...)
}

func checkFrames(t *testing.T, frames []frame, n, w, h int) {
	t.Helper()
	if len(frames) != n {
		t.Errorf("%d frames on the bus, want %d", len(frames), n)
	}
	for i, f := range frames {
		if f.width != w || f.height != h {
			t.Errorf("frame %d is %dx%d, want %dx%d", i, f.width, f.height, w, h)
		}
		if i > 0 && f.stamp <= frames[i-1].stamp {
			t.Errorf("frame %d stamp %d not after %d", i, f.stamp, frames[i-1].stamp)
		}
	}
}

// TestPlayVideo plays test_video.mp4 onto the bus: every frame, at its size, with stamps that
// follow the file's presentation times.
func TestPlayVideo(t *testing.T) {
	path := testdata(t, "video/highway-vehicles/test_video.mp4")
	s := Defaults()
	s.Source, s.Path = "file", path
	core, err := New("front", s, camCfg(1280, 720))
	if err != nil {
		t.Fatal(err)
	}
	defer core.Close()
	want := core.g.(*captureGrabber).frameCount()
	fps := core.g.fps()
	frames, infos := playOnBus(t, core, 10000)
	t.Logf("test_video.mp4: container says %d frames at %.3f fps; %d frames on the bus, %d calibration messages, health %v", want, fps, len(frames), len(infos), core.health)
	if want < 30 || want > 60 {
		t.Fatalf("container frame count %d is not the 1.5 s clip's", want)
	}
	checkFrames(t, frames, want, 1280, 720)
	if len(frames) > 1 {
		span := float64(frames[len(frames)-1].stamp-frames[0].stamp) / 1e9
		if wantSpan := float64(want-1) / fps; span < wantSpan-0.01 || span > wantSpan+0.01 {
			t.Errorf("stamps span %.3f s, want %.3f s (presentation times)", span, wantSpan)
		}
	}
	if len(infos) < 1 || infos[0].Width != 1280 || len(infos[0].K) != 9 || infos[0].FrameId != "camera_front_optical" {
		t.Errorf("calibration messages: %v", infos)
	}
	if h, why := core.Health(); h != av.NodeStatus_HEALTH_DEGRADED || !strings.Contains(why, fmt.Sprintf("ended after %d frames", want)) {
		t.Errorf("health after the end: %v %q", h, why)
	}
}

// TestPlayFolders plays the image folders at a set rate: natural order, all images, the
// camera's size (the 1281x721 calibration7.jpg is resized), raw and JPEG.
func TestPlayFolders(t *testing.T) {
	cases := []struct {
		name, dir, enc string
		n, w, h        int
		undistort      bool
	}{
		{"highway stills jpeg", "video/highway-vehicles", "jpeg", 6, 1280, 720, false},
		{"lanes raw half size", "video/highway-lanes", "raw", 0, 480, 270, false},
		{"calibration undistorted", "video/camera-calibration", "jpeg", 20, 1280, 720, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := testdata(t, c.dir)
			n := c.n
			if n == 0 {
				ents, _ := filepath.Glob(filepath.Join(dir, "*.jpg"))
				n = len(ents)
			}
			s := Defaults()
			s.Source, s.Path, s.Encoding, s.RateHz, s.Undistort = "folder", dir, c.enc, 10, c.undistort
			cam := camCfg(c.w, c.h)
			if c.undistort {
				cam.D = []float64{-0.2376, -0.0854, -0.0008, -0.0001, 0.1057}
			}
			core, err := New("front", s, cam)
			if err != nil {
				t.Fatal(err)
			}
			defer core.Close()
			frames, infos := playOnBus(t, core, 1000)
			t.Logf("%s: %d images -> %d frames", c.dir, n, len(frames))
			checkFrames(t, frames, n, c.w, c.h)
			if len(frames) > 1 && frames[1].stamp-frames[0].stamp != int64(100*time.Millisecond) {
				t.Errorf("stamps step %d ns, want 100 ms at 10 Hz", frames[1].stamp-frames[0].stamp)
			}
			if c.undistort && (len(infos) == 0 || infos[0].D[0] != 0) {
				t.Errorf("undistorted images must be published with zero distortion: %v", infos)
			}
		})
	}
}

func TestNaturalOrder(t *testing.T) {
	g := &folderGrabber{dir: testdata(t, "video/camera-calibration")}
	if err := g.open(); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range g.files[:3] {
		names = append(names, filepath.Base(f))
	}
	if strings.Join(names, " ") != "calibration1.jpg calibration2.jpg calibration3.jpg" {
		t.Errorf("order %v", names)
	}
}

// TestBadSources: a missing file, a corrupt video and an empty folder stop start-up with an
// error naming the path.
func TestBadSources(t *testing.T) {
	dir := t.TempDir()
	corrupt := filepath.Join(dir, "corrupt.mp4")
	junk := bytes.Repeat([]byte("this is not an mp4 file "), 4000)
	os.WriteFile(corrupt, junk, 0o644)
	truncated := filepath.Join(dir, "truncated.mp4")
	if root := os.Getenv("AVSTACK_TESTDATA"); root != "" {
		b, err := os.ReadFile(filepath.Join(root, "video/highway-vehicles/test_video.mp4"))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(truncated, b[:2000], 0o644)
	} else {
		os.WriteFile(truncated, []byte{0, 0, 0, 0x18, 'f', 't', 'y', 'p'}, 0o644)
	}
	empty := filepath.Join(dir, "empty")
	os.Mkdir(empty, 0o755)
	cases := []struct {
		name, source, path, want string
	}{
		{"missing file", "file", filepath.Join(dir, "nope.mp4"), "nope.mp4"},
		{"corrupt video", "file", corrupt, corrupt},
		{"truncated video", "file", truncated, truncated},
		{"missing folder", "folder", filepath.Join(dir, "nofolder"), "nofolder"},
		{"empty folder", "folder", empty, empty + ": no images"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := Defaults()
			s.Source, s.Path = c.source, c.path
			core, err := New("front", s, camCfg(640, 360))
			if err == nil {
				// Opened but nothing decodes: the first step says so, naming the path.
				_, err = core.Step(nil, 1)
				core.Close()
			}
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "camera") {
				t.Fatalf("error %v, want one naming %q", err, c.want)
			}
		})
	}
}

// TestCameraDisappears: a folder camera loses its folder mid-run: the node reports it,
// retries with growing backoff (in step time), never panics, and recovers when it returns.
func TestCameraDisappears(t *testing.T) {
	src := testdata(t, "video/highway-vehicles")
	dir := filepath.Join(t.TempDir(), "cam")
	os.Mkdir(dir, 0o755)
	for _, n := range []string{"test1.jpg", "test2.jpg"} {
		b, _ := os.ReadFile(filepath.Join(src, n))
		os.WriteFile(filepath.Join(dir, n), b, 0o644)
	}
	s := Defaults()
	s.Source, s.Path, s.Loop, s.RateHz = "folder", dir, true, 10
	core, err := New("front", s, camCfg(320, 180))
	if err != nil {
		t.Fatal(err)
	}
	defer core.Close()
	now := int64(1e12)
	step := func() ([]node.Output, error) {
		o, err := core.Step(nil, now)
		now += int64(100 * time.Millisecond)
		return o, err
	}
	for i := 0; i < 3; i++ { // two images and a loop back to the first
		if o, err := step(); err != nil || len(o) == 0 {
			t.Fatalf("step %d: %v %d outputs", i, err, len(o))
		}
	}
	os.RemoveAll(dir)
	var attempts []int64
	for i := 0; i < 60; i++ { // 6 s of steps
		t0 := now
		o, err := step()
		if len(o) != 0 {
			t.Fatalf("frame published with the folder gone")
		}
		if err != nil {
			attempts = append(attempts, t0)
		}
	}
	h, why := core.Health()
	t.Logf("attempts at %v; health %v %q", attempts, h, why)
	if h != av.NodeStatus_HEALTH_DEGRADED || !strings.Contains(why, "retrying in") {
		t.Errorf("health %v %q", h, why)
	}
	// Retries back off: 0.5 s, 1 s, 2 s, 4 s after each failure.
	for i := 2; i < len(attempts); i++ {
		if attempts[i]-attempts[i-1] <= attempts[i-1]-attempts[i-2] {
			t.Errorf("retry gaps do not grow: %v", attempts)
		}
	}
	if len(attempts) < 3 || len(attempts) > 6 {
		t.Errorf("%d attempts in 6 s, want 3..6 with backoff", len(attempts))
	}
	// The camera comes back.
	os.Mkdir(dir, 0o755)
	b, _ := os.ReadFile(filepath.Join(src, "test3.jpg"))
	os.WriteFile(filepath.Join(dir, "a.jpg"), b, 0o644)
	got := false
	for i := 0; i < 100 && !got; i++ {
		o, _ := step()
		got = len(o) > 0
	}
	if h, _ := core.Health(); !got || h != av.NodeStatus_HEALTH_OK {
		t.Errorf("camera did not recover: frames %v health %v", got, h)
	}
}

func TestSettingsValidate(t *testing.T) {
	cases := []struct {
		name string
		mod  func(*Settings)
		want string
	}{
		{"defaults", func(*Settings) {}, ""},
		{"bad source", func(s *Settings) { s.Source = "usb" }, "source = usb"},
		{"file without path", func(s *Settings) { s.Source = "file" }, "path"},
		{"stream without url", func(s *Settings) { s.Source = "stream" }, "url"},
		{"quality", func(s *Settings) { s.JPEGQuality = 0 }, "jpeg_quality"},
		{"encoding", func(s *Settings) { s.Encoding = "png" }, "encoding = png"},
		{"stamps", func(s *Settings) { s.Stamps = "gps" }, "stamps"},
		{"retry", func(s *Settings) { s.RetryMax = time.Millisecond }, "retry_initial"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := Defaults()
			c.mod(&s)
			err := s.Validate()
			if (c.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), c.want)) {
				t.Fatalf("Validate: %v, want %q", err, c.want)
			}
		})
	}
}
