package onnx

import (
	"os"
	"path/filepath"
	"testing"

	td "github.com/avstack/avstack/internal/realdata"
	"github.com/avstack/avstack/nn"
	"github.com/avstack/avstack/nn/cpu"
)

func testdata(t *testing.T) string {
	t.Helper()
	return td.Root(t)
}

// TestConformance runs the ONNX backend suite on the reference and on the
// fast backend: every in-scope case must pass on both.
func TestConformance(t *testing.T) {
	dir := filepath.Join(testdata(t), "onnx")
	if _, err := os.Stat(filepath.Join(dir, "INDEX.tsv")); err != nil {
		t.Fatalf("conformance suite missing: %v", err)
	}
	t.Run("reference", func(t *testing.T) {
		conformance(t, dir, func() nn.Backend { return &cpu.Backend{} })
	})
	t.Run("fast", func(t *testing.T) {
		conformance(t, dir, func() nn.Backend { return cpu.NewFast() })
	})
}

func conformance(t *testing.T, dir string, be func() nn.Backend) {
	r, err := RunConformanceOn(dir, "", be)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("cases %d passed %d failed %d skipped %d", r.Cases, r.Passed, r.Failed, r.Skipped)
	t.Logf("skipped by op: %v", r.SkippedOps)
	for _, f := range r.Failures {
		t.Errorf("%s: %s", f.Case, f.Reason)
	}
	if r.Passed == 0 {
		t.Fatal("no case passed")
	}
}
