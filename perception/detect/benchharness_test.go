package detect

import (
	"errors"
	"reflect"
	"testing"
)

func TestBenchInput(t *testing.T) {
	// peer-bench: element i = ((i*2654435761) mod 1000)/1000.
	got := BenchInput(4)
	want := []float32{0, 0.761, 0.522, 0.283}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("BenchInput(4) = %v, want %v", got, want)
	}
	// Large indices must not overflow: i = 371711 (last of a 1x3x352x352 input).
	if x := BenchInput(371712)[371711]; x != 0.071 { // 371711*2654435761 = 986676117671071
		t.Errorf("element 371711 = %v, want 0.071", x)
	}
}

func TestOpenCVThreads(t *testing.T) {
	prev := OpenCVThreads()
	defer SetOpenCVThreads(prev)
	for _, n := range []int{1, 2} {
		SetOpenCVThreads(n)
		if got := OpenCVThreads(); got != n {
			t.Errorf("after SetOpenCVThreads(%d), OpenCVThreads() = %d", n, got)
		}
	}
}

func TestBenchFastestDet(t *testing.T) {
	m, err := LoadManifest(manifestPath(t, "fastestdet.yaml", "models/fastestdet/FastestDet.onnx", "models/fastestdet/coco.names"))
	if err != nil {
		t.Fatal(err)
	}
	r, err := Bench(m, 1, 2)
	if errors.Is(err, errNNUnavailable) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	if r.Model != "FastestDet.onnx" || !reflect.DeepEqual(r.Input, []int{1, 3, 352, 352}) || r.Threads != 1 || r.Runs != 2 {
		t.Errorf("result %+v: wrong model, input, threads or runs", r)
	}
	if !(r.AvstackMedianMS > 0 && r.OpenCVMedianMS > 0 && r.Ratio > 0) {
		t.Errorf("result %+v: times and ratio must be positive", r)
	}
	if r.MaxAbsDiff > 1e-4 {
		t.Errorf("max |diff| %g > 1e-4", r.MaxAbsDiff)
	}
	if _, err := Bench(m, 0, 2); err == nil {
		t.Error("threads 0 accepted")
	}
}
