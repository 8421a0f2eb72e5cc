package graph_test

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	td "github.com/avstack/avstack/internal/realdata"
	"github.com/avstack/avstack/nn"
	"github.com/avstack/avstack/nn/cpu"
	"github.com/avstack/avstack/nn/darknet"
	"github.com/avstack/avstack/nn/graph"
	"github.com/avstack/avstack/nn/onnx"
)

// model is one of the two real detectors the fast paths are tuned for.
type model struct {
	name  string
	input string
	shape []int
	load  func(t testing.TB, be nn.Backend) *graph.Graph
}

func testdata(t testing.TB) string {
	t.Helper()
	return td.Root(t)
}

var models = []model{
	{"FastestDet", "input.1", []int{1, 3, 352, 352}, func(t testing.TB, be nn.Backend) *graph.Graph {
		b, err := os.ReadFile(filepath.Join(testdata(t), "models", "fastestdet", "FastestDet.onnx"))
		if err != nil {
			t.Fatal(err)
		}
		g, err := onnx.DecodeOn(b, be)
		if err != nil {
			t.Fatal(err)
		}
		return g
	}},
	{"YoloFastest", darknet.InputName, []int{1, 3, 320, 320}, func(t testing.TB, be nn.Backend) *graph.Graph {
		dir := filepath.Join(testdata(t), "models", "yolo-fastest-1.1")
		m, err := darknet.LoadOn(filepath.Join(dir, "yolo-fastest-1.1.cfg"), filepath.Join(dir, "yolo-fastest-1.1.weights"), be)
		if err != nil {
			t.Fatal(err)
		}
		return m.Graph
	}},
}

// peerInput fills t with element i = ((i*2654435761) mod 1000)/1000, the
// input of the peer benchmarks.
func peerInput(t *nn.Tensor) {
	d := t.Data()
	for i := range d {
		d[i] = float32((uint64(i)*2654435761)%1000) / 1000
	}
}

// TestModelsFastMatchReference: both detectors on the fast backend (the
// optimised graph with every fast path) equal the reference backend within
// 1e-4 + 1e-3|want| on every output, on one thread and two, and a Run after
// warm-up allocates nothing.
func TestModelsFastMatchReference(t *testing.T) {
	for _, m := range models {
		t.Run(m.name, func(t *testing.T) {
			x := nn.New(m.shape...)
			peerInput(x)
			in := map[string]*nn.Tensor{m.input: x}
			ref := m.load(t, &cpu.Backend{})
			want, err := ref.Run(in)
			if err != nil {
				t.Fatal(err)
			}
			g := m.load(t, cpu.NewFast())
			for _, threads := range []int{1, 2} {
				g.SetThreads(threads)
				got, err := g.Run(in)
				if err != nil {
					t.Fatal(err)
				}
				for _, name := range g.OutputNames() {
					w, o := want[name], got[name]
					if !nn.SameShape(w.Shape(), o.Shape()) {
						t.Fatalf("threads %d output %s: shape %v, want %v", threads, name, o.Shape(), w.Shape())
					}
					worst := 0.0
					for k, wv := range w.Data() {
						d := math.Abs(float64(o.Data()[k] - wv))
						if d != d || d > 1e-4+1e-3*math.Abs(float64(wv)) {
							t.Fatalf("threads %d output %s element %d = %g, want %g", threads, name, k, o.Data()[k], wv)
						}
						worst = math.Max(worst, d)
					}
					t.Logf("threads %d output %s: max |fast-reference| %.3g", threads, name, worst)
				}
			}
			g.SetThreads(1)
			if a := testing.AllocsPerRun(2, func() { g.Run(in) }); a != 0 {
				t.Errorf("Run allocates %.0f times after warm-up, want 0", a)
			}
		})
	}
}

// TestProfile: with profiling on, every node gets a time and the table
// names the slowest ones; with it off, Profile is nil.
func TestProfile(t *testing.T) {
	m := models[1]
	g := m.load(t, cpu.NewFast())
	x := nn.New(m.shape...)
	peerInput(x)
	in := map[string]*nn.Tensor{m.input: x}
	if g.Profile() != nil {
		t.Fatal("Profile is not nil before SetProfiling(true)")
	}
	g.SetProfiling(true)
	for k := 0; k < 2; k++ {
		if _, err := g.Run(in); err != nil {
			t.Fatal(err)
		}
	}
	ps := g.Profile()
	if len(ps) != g.NodeCount() {
		t.Fatalf("%d profile rows for %d nodes", len(ps), g.NodeCount())
	}
	for _, p := range ps {
		if p.Runs != 2 || p.Total <= 0 || p.OutShape == nil {
			t.Fatalf("node %d %s: runs %d total %v shape %v", p.Index, p.Name, p.Runs, p.Total, p.OutShape)
		}
	}
	var sb strings.Builder
	if err := graph.WriteProfile(&sb, ps, 5); err != nil {
		t.Fatal(err)
	}
	if lines := strings.Count(sb.String(), "\n"); lines != 7 {
		t.Fatalf("table has %d lines, want header + 5 + total:\n%s", lines, sb.String())
	}
	g.SetProfiling(false)
	if g.Profile() != nil {
		t.Fatal("Profile is not nil after SetProfiling(false)")
	}
}

// BenchmarkModels times one forward pass of each detector on 1 and 2
// threads; with -v it logs the per-node profile of the run.
func BenchmarkModels(b *testing.B) {
	for _, m := range models {
		for _, threads := range []int{1, 2} {
			b.Run(m.name+"/threads="+string(rune('0'+threads)), func(b *testing.B) {
				g := m.load(b, cpu.NewFast())
				g.SetThreads(threads)
				x := nn.New(m.shape...)
				peerInput(x)
				in := map[string]*nn.Tensor{m.input: x}
				g.Run(in)
				for k := 0; threads > 1 && g.ThreadPlan() == nil && k < 100; k++ {
					g.Run(in) // the runs that choose each node's thread count
				}
				prof := os.Getenv("AVSTACK_NN_PROFILE") != ""
				g.SetProfiling(prof)
				b.ResetTimer()
				best := time.Duration(math.MaxInt64)
				for i := 0; i < b.N; i++ {
					t0 := time.Now()
					if _, err := g.Run(in); err != nil {
						b.Fatal(err)
					}
					best = min(best, time.Since(t0))
				}
				b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms")
				// On a shared machine the fastest run is the steadier figure.
				b.ReportMetric(float64(best.Microseconds())/1000, "min-ms")
				if prof {
					var sb strings.Builder
					graph.WriteProfile(&sb, g.Profile(), 25)
					b.Log("\n" + sb.String())
				}
			})
		}
	}
}
