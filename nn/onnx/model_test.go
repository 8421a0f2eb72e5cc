package onnx

import (
	"math"
	"os"
	"path/filepath"
	"testing"

	td "github.com/avstack/avstack/internal/realdata"
	"github.com/avstack/avstack/nn"
	"github.com/avstack/avstack/nn/cpu"
)

// benchInput fills t with element i = ((i*2654435761) mod 1000)/1000, the
// input of the peer benchmarks.
func benchInput(t *nn.Tensor) {
	d := t.Data()
	for i := range d {
		d[i] = float32((uint64(i)*2654435761)%1000) / 1000
	}
}

func TestFastestDetLoadsAndRuns(t *testing.T) {
	path := filepath.Join(testdata(t), "models", "fastestdet", "FastestDet.onnx")
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("FastestDet model missing: %v", err)
	}
	g, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := g.InputNames(); len(got) != 1 || got[0] != "input.1" {
		t.Fatalf("inputs %v, want [input.1]", got)
	}
	shape := g.InputShape("input.1")
	if !nn.SameShape(shape, []int{1, 3, 352, 352}) {
		t.Fatalf("input shape %v", shape)
	}
	t.Logf("%d nodes after optimisation", g.NodeCount())
	x := nn.New(shape...)
	benchInput(x)
	out, err := g.Run(map[string]*nn.Tensor{"input.1": x})
	if err != nil {
		t.Fatal(err)
	}
	y := out["758"]
	if y == nil || !nn.SameShape(y.Shape(), []int{1, 85, 22, 22}) {
		t.Fatalf("output 758 = %v, want shape [1 85 22 22]", y)
	}
	first := y.Clone()
	// The reference backend gives the same output as the fast one.
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rg, err := DecodeOn(b, &cpu.Backend{})
	if err != nil {
		t.Fatal(err)
	}
	rout, err := rg.Run(map[string]*nn.Tensor{"input.1": x})
	if err != nil {
		t.Fatal(err)
	}
	worst := 0.0
	for k, w := range rout["758"].Data() {
		worst = math.Max(worst, math.Abs(float64(first.Data()[k]-w)))
	}
	t.Logf("max |fast-reference| %.3g", worst)
	if worst > 1e-4 {
		t.Errorf("fast and reference outputs differ by %g", worst)
	}
	for _, v := range first.Data() {
		if v != v {
			t.Fatal("output has NaN")
		}
	}
	// A second run on the same input gives the same bytes and allocates nothing.
	g.SetThreads(1) // the planner is under test here, not the gemm worker pool
	in := map[string]*nn.Tensor{"input.1": x}
	allocs := testing.AllocsPerRun(2, func() {
		if _, err := g.Run(in); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("Run allocates %.0f times after warm-up, want 0", allocs)
	}
	out, _ = g.Run(in)
	for k, v := range out["758"].Data() {
		if v != first.Data()[k] {
			t.Fatalf("second run differs at %d: %g vs %g", k, v, first.Data()[k])
		}
	}
}

// BenchmarkFastestDet times one forward pass of FastestDet (352x352) on one
// thread, fast backend and reference.
func BenchmarkFastestDet(b *testing.B) {
	d := td.Root(b)
	raw, err := os.ReadFile(filepath.Join(d, "models", "fastestdet", "FastestDet.onnx"))
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		be   nn.Backend
	}{{"fast", cpu.NewFast()}, {"reference", &cpu.Backend{}}} {
		b.Run(c.name, func(b *testing.B) {
			g, err := DecodeOn(raw, c.be)
			if err != nil {
				b.Fatal(err)
			}
			g.SetThreads(1)
			x := nn.New(1, 3, 352, 352)
			benchInput(x)
			in := map[string]*nn.Tensor{"input.1": x}
			g.Run(in)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := g.Run(in); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms")
		})
	}
}
