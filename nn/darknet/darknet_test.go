package darknet

import (
	"math"
	"path/filepath"
	"strings"
	"testing"

	td "github.com/avstack/avstack/internal/realdata"
	"github.com/avstack/avstack/nn"
	"github.com/avstack/avstack/nn/cpu"
)

func modelDir(t *testing.T) string {
	t.Helper()
	return td.Path(t, "models", "yolo-fastest-1.1")
}

func TestYoloFastestLoadsAndRuns(t *testing.T) {
	dir := modelDir(t)
	m, err := Load(filepath.Join(dir, "yolo-fastest-1.1.cfg"), filepath.Join(dir, "yolo-fastest-1.1.weights"))
	if err != nil {
		t.Fatal(err)
	}
	if m.Floats != 346062 {
		t.Errorf("read %d floats, want 346062", m.Floats)
	}
	if m.Width != 320 || m.Height != 320 || m.Channels != 3 {
		t.Errorf("input %dx%dx%d, want 320x320x3", m.Width, m.Height, m.Channels)
	}
	want := []struct {
		stride  int
		anchors [][2]float32
	}{
		{32, [][2]float32{{115, 73}, {119, 199}, {242, 238}}},
		{16, [][2]float32{{12, 18}, {37, 49}, {52, 132}}},
	}
	if len(m.Heads) != len(want) {
		t.Fatalf("%d heads, want %d", len(m.Heads), len(want))
	}
	for k, h := range m.Heads {
		if h.Stride != want[k].stride || h.Classes != 80 || h.ScaleXY != 1 {
			t.Errorf("head %d: stride %d classes %d scale %g", k, h.Stride, h.Classes, h.ScaleXY)
		}
		for a := range h.Anchors {
			if h.Anchors[a] != want[k].anchors[a] {
				t.Errorf("head %d anchor %d = %v, want %v", k, a, h.Anchors[a], want[k].anchors[a])
			}
		}
	}
	x := nn.New(1, 3, 320, 320)
	d := x.Data()
	for i := range d {
		d[i] = float32((uint64(i)*2654435761)%1000) / 1000
	}
	out, err := m.Graph.Run(map[string]*nn.Tensor{InputName: x})
	if err != nil {
		t.Fatal(err)
	}
	for k, h := range m.Heads {
		y := out[h.Output]
		g := 320 / h.Stride
		if y == nil || !nn.SameShape(y.Shape(), []int{1, 255, g, g}) {
			t.Fatalf("head %d output %v, want [1 255 %d %d]", k, y, g, g)
		}
		for _, v := range y.Data() {
			if v != v {
				t.Fatalf("head %d has NaN", k)
			}
		}
	}
	t.Logf("%d nodes after optimisation", m.Graph.NodeCount())
	for _, op := range m.Graph.OpTypes() {
		if strings.HasPrefix(op, "BatchNormalization") {
			t.Errorf("a batch norm was not folded: %s", op)
		}
	}
	// The reference backend gives the same outputs as the fast one.
	rm, err := LoadOn(filepath.Join(dir, "yolo-fastest-1.1.cfg"), filepath.Join(dir, "yolo-fastest-1.1.weights"), &cpu.Backend{})
	if err != nil {
		t.Fatal(err)
	}
	fastOut := map[string]*nn.Tensor{}
	for name, v := range out {
		fastOut[name] = v.Clone()
	}
	refOut, err := rm.Graph.Run(map[string]*nn.Tensor{InputName: x})
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range refOut {
		got := fastOut[name]
		worst := 0.0
		for k, w := range want.Data() {
			worst = math.Max(worst, math.Abs(float64(got.Data()[k]-w)))
		}
		t.Logf("output %s: max |fast-reference| %.3g", name, worst)
		if worst > 1e-4 {
			t.Errorf("output %s: fast and reference differ by %g", name, worst)
		}
	}
	m.Graph.SetThreads(1)
	in := map[string]*nn.Tensor{InputName: x}
	if a := testing.AllocsPerRun(2, func() { m.Graph.Run(in) }); a != 0 {
		t.Errorf("Run allocates %.0f times after warm-up", a)
	}
}

func TestWeightsErrors(t *testing.T) {
	cfg := []byte("[net]\nwidth=4\nheight=4\nchannels=1\n[convolutional]\nfilters=2\nsize=1\nstride=1\nactivation=linear\n[yolo]\nmask=0\nanchors=1,1\nclasses=-3\n")
	hdr := []byte{0, 0, 0, 0, 2, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}
	floats := func(n int) []byte { return make([]byte, 4*n) }
	cases := []struct {
		name string
		cfg  []byte
		w    []byte
		want string
	}{
		{"truncated", cfg, append(append([]byte(nil), hdr...), floats(3)...), "truncated"},
		{"extra", cfg, append(append([]byte(nil), hdr...), floats(5)...), "left over"},
		{"short header", cfg, hdr[:10], "too short"},
		{"bad activation", []byte("[net]\nwidth=4\nheight=4\n[convolutional]\nactivation=foo\n"), append(append([]byte(nil), hdr...), floats(4)...), "activation \"foo\""},
		{"no net", []byte("[convolutional]\n"), hdr, "[net]"},
		{"unknown layer", []byte("[net]\nwidth=4\nheight=4\n[lstm]\n"), hdr, "\"lstm\" is not supported"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Decode(c.cfg, c.w, "test.weights")
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one containing %q", err, c.want)
			}
		})
	}
}

// BenchmarkYoloFastest times one forward pass of Yolo-Fastest 1.1 (320x320)
// on one thread.
func BenchmarkYoloFastest(b *testing.B) {
	dir := td.Path(b, "models", "yolo-fastest-1.1")
	m, err := Load(filepath.Join(dir, "yolo-fastest-1.1.cfg"), filepath.Join(dir, "yolo-fastest-1.1.weights"))
	if err != nil {
		b.Fatal(err)
	}
	m.Graph.SetThreads(1)
	x := nn.New(1, 3, 320, 320)
	in := map[string]*nn.Tensor{InputName: x}
	m.Graph.Run(in)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := m.Graph.Run(in); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms")
}

// TestYoloFastestBodyLoads: the one-class person model loads (every float of
// its weights used) and runs.
func TestYoloFastestBodyLoads(t *testing.T) {
	dir := modelDir(t)
	m, err := Load(filepath.Join(dir, "yolo-fastest-1.1_body.cfg"), filepath.Join(dir, "yolo-fastest-1.1_body.weights"))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Heads) == 0 {
		t.Fatal("no heads")
	}
	x := nn.New(1, m.Channels, m.Height, m.Width)
	out, err := m.Graph.Run(map[string]*nn.Tensor{InputName: x})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range m.Heads {
		if h.Classes != 1 {
			t.Errorf("head %s has %d classes, want 1", h.Output, h.Classes)
		}
		s := out[h.Output].Shape()
		if s[1] != len(h.Anchors)*6 || s[2]*h.Stride != m.Height {
			t.Errorf("head %s: shape %v, stride %d", h.Output, s, h.Stride)
		}
	}
	t.Logf("%d floats, %dx%d input, %d heads", m.Floats, m.Width, m.Height, len(m.Heads))
}
