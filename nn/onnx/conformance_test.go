package onnx

import (
	"os"
	"path/filepath"
	"testing"
)

func testdata(t *testing.T) string {
	t.Helper()
	d := os.Getenv("AVSTACK_TESTDATA")
	if d == "" {
		t.Skip("AVSTACK_TESTDATA is not set; skipping tests on the shared test data")
	}
	return d
}

// TestConformance runs the ONNX backend suite: every in-scope case must pass.
func TestConformance(t *testing.T) {
	dir := filepath.Join(testdata(t), "onnx")
	if _, err := os.Stat(filepath.Join(dir, "INDEX.tsv")); err != nil {
		t.Fatalf("conformance suite missing: %v", err)
	}
	r, err := RunConformance(dir, "")
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
