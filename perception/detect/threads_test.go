package detect

import (
	"runtime"
	"testing"
)

// TestDefaultThreads: without WithThreads, the avstack engine may use every core and first
// measures which layers gain from them; WithThreads(1) runs on one thread, with nothing to
// measure.
func TestDefaultThreads(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		t.Skip("needs GOMAXPROCS >= 2")
	}
	man := manifestPath(t, "fastestdet.yaml", "models/fastestdet/FastestDet.onnx", "models/fastestdet/coco.names")
	warming := func(d *Detector) bool {
		w, ok := d.backend.(interface{ Warming() bool })
		if !ok {
			t.Fatalf("the avstack backend %T does not report warming", d.backend)
		}
		return w.Warming()
	}
	if d := openDetector(t, man, EngineAvstack); !warming(d) {
		t.Error("default threads: the graph is not measuring its layers' thread counts")
	}
	if d := openDetector(t, man, EngineAvstack, WithThreads(1)); warming(d) {
		t.Error("one thread: the graph measures thread counts")
	}
}
