package detect

import (
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"sort"
	"time"
)

// BenchInput fills a tensor of n values the way shared/tools/peer-bench does, so that ONNX
// Runtime and OpenCV timed by those scripts see the same input: element i = ((i*2654435761) mod
// 1000)/1000, computed in float64 and rounded to float32.
func BenchInput(n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(float64((uint64(i)*2654435761)%1000) / 1000)
	}
	return x
}

// BenchResult is what `avstack bench nn --json` prints. Ratio is avstack_median_ms /
// opencv_median_ms (below 1: we are faster). MaxAbsDiff is the largest |ours - OpenCV| over every
// element of every output on the bench input.
type BenchResult struct {
	Model           string  `json:"model"`
	Input           []int   `json:"input"`
	Threads         int     `json:"threads"`
	Runs            int     `json:"runs"`
	AvstackMedianMS float64 `json:"avstack_median_ms"`
	OpenCVMedianMS  float64 `json:"opencv_median_ms"`
	Ratio           float64 `json:"ratio"`
	MaxAbsDiff      float64 `json:"max_abs_diff"`
	// With threads > 1: how many of our graph's layers chose to run on them (graph.Graph.ThreadPlan).
	ParallelLayers int `json:"avstack_parallel_layers,omitempty"`
	Layers         int `json:"avstack_layers,omitempty"`
}

// Bench times the model in our nn graph and in OpenCV DNN on the peer-bench input, side by side:
// both engines are warmed up (5 runs, and ours until it has chosen its layers' thread counts)
// and then run alternately, runs times each; the medians are reported. threads applies to both
// engines.
func Bench(m *Manifest, threads, runs int) (BenchResult, error) {
	if threads < 1 || runs < 1 {
		return BenchResult{}, fmt.Errorf("detect: bench: threads %d and runs %d must be at least 1", threads, runs)
	}
	ours, err := OpenBackend(m, EngineAvstack)
	if err != nil {
		return BenchResult{}, err
	}
	defer ours.Close()
	ref, err := OpenBackend(m, EngineOpenCV)
	if err != nil {
		return BenchResult{}, err
	}
	defer ref.Close()
	ours.SetThreads(threads)
	ref.SetThreads(threads)
	shape := ours.InputShape()
	if s := ref.InputShape(); !slices.Equal(s, shape) {
		return BenchResult{}, fmt.Errorf("detect: bench: %s: input shape %v in our graph, %v in OpenCV", m.Name, shape, s)
	}
	in := BenchInput(numel(shape))
	diff, err := maxAbsDiff(ours, ref, in)
	if err != nil {
		return BenchResult{}, err
	}
	// Warm-up: 5 runs each, and on our side every run that still measures the layers' thread
	// counts (graph.Graph.ThreadPlan; up to 100).
	warming := func() bool { w, ok := ours.(interface{ Warming() bool }); return ok && w.Warming() }
	for i := 0; i < 5 || (warming() && i < 100); i++ {
		if _, err := ours.Run(in); err != nil {
			return BenchResult{}, err
		}
		if _, err := ref.Run(in); err != nil {
			return BenchResult{}, err
		}
	}
	tOurs := make([]float64, runs)
	tRef := make([]float64, runs)
	for i := 0; i < runs; i++ {
		t0 := time.Now()
		if _, err := ours.Run(in); err != nil {
			return BenchResult{}, err
		}
		t1 := time.Now()
		if _, err := ref.Run(in); err != nil {
			return BenchResult{}, err
		}
		t2 := time.Now()
		tOurs[i] = float64(t1.Sub(t0).Nanoseconds()) / 1e6
		tRef[i] = float64(t2.Sub(t1).Nanoseconds()) / 1e6
	}
	r := BenchResult{Model: modelFileName(m), Input: shape, Threads: threads, Runs: runs,
		AvstackMedianMS: round3(median(tOurs)), OpenCVMedianMS: round3(median(tRef)), MaxAbsDiff: diff}
	if p, ok := ours.(interface{ ParallelLayers() (int, int) }); ok {
		r.ParallelLayers, r.Layers = p.ParallelLayers()
	}
	if r.OpenCVMedianMS > 0 {
		r.Ratio = round3(r.AvstackMedianMS / r.OpenCVMedianMS)
	}
	return r, nil
}

// maxAbsDiff runs both backends on in and returns the largest elementwise difference over all
// outputs, after checking that the outputs correspond (count and element count).
func maxAbsDiff(a, b Backend, in []float32) (float64, error) {
	oa, err := a.Run(in)
	if err != nil {
		return 0, err
	}
	// Copy: the next Run may overwrite a's buffers and the backends are distinct, but be safe.
	ca := make([]Output, len(oa))
	for i, o := range oa {
		ca[i] = Output{Name: o.Name, Shape: o.Shape, Data: append([]float32(nil), o.Data...)}
	}
	ob, err := b.Run(in)
	if err != nil {
		return 0, err
	}
	return CompareOutputs(ca, ob)
}

// CompareOutputs returns max |a-b| over corresponding outputs; outputs correspond by position and
// must have the same element count (OpenCV may report a different rank for the same layout).
// A NaN on either side is an error.
func CompareOutputs(a, b []Output) (float64, error) {
	if len(a) != len(b) {
		return 0, fmt.Errorf("detect: compare: %d outputs against %d", len(a), len(b))
	}
	worst := 0.0
	for i := range a {
		if len(a[i].Data) != len(b[i].Data) {
			return 0, fmt.Errorf("detect: compare: output %d: %q %v has %d values, %q %v has %d",
				i, a[i].Name, a[i].Shape, len(a[i].Data), b[i].Name, b[i].Shape, len(b[i].Data))
		}
		for k, x := range a[i].Data {
			y := b[i].Data[k]
			if math.IsNaN(float64(x)) || math.IsNaN(float64(y)) {
				return 0, fmt.Errorf("detect: compare: output %d (%q) element %d is NaN (%v vs %v)", i, a[i].Name, k, x, y)
			}
			if d := math.Abs(float64(x) - float64(y)); d > worst {
				worst = d
			}
		}
	}
	return worst, nil
}

func modelFileName(m *Manifest) string {
	if m.IsDarknet() {
		return filepath.Base(m.Cfg)
	}
	return filepath.Base(m.File)
}

func median(x []float64) float64 {
	s := append([]float64(nil), x...)
	sort.Float64s(s)
	return s[len(s)/2]
}

func round3(x float64) float64 { return math.Round(x*1000) / 1000 }
