// Package realdata finds the real test data (ONNX suite, detectors, KITTI, Velodyne captures,
// videos) that tests read through the environment variable AVSTACK_TESTDATA.
//
// The rule every test follows: when the variable is unset the test skips with a message; when it
// is set but the file is missing the test fails (CI sets it, so missing data is a CI failure,
// never a silent skip).
package realdata

import (
	"os"
	"path/filepath"
	"testing"
)

// Env is the environment variable naming the test-data folder.
const Env = "AVSTACK_TESTDATA"

// Root returns the test-data folder: it skips the test when AVSTACK_TESTDATA is unset and fails
// it when the folder does not exist.
func Root(tb testing.TB) string {
	tb.Helper()
	root := os.Getenv(Env)
	if root == "" {
		tb.Skipf("%s is not set: skipping a test on real data", Env)
	}
	if st, err := os.Stat(root); err != nil || !st.IsDir() {
		tb.Fatalf("%s is set but %s is not a folder: %v", Env, root, err)
	}
	return root
}

// Path returns the path of rel inside the test-data folder: it skips the test when AVSTACK_TESTDATA
// is unset and fails it when the file is missing.
func Path(tb testing.TB, rel ...string) string {
	tb.Helper()
	root := os.Getenv(Env)
	if root == "" {
		tb.Skipf("%s is not set: skipping a test on real data (%s)", Env, filepath.Join(rel...))
	}
	p := filepath.Join(append([]string{root}, rel...)...)
	if _, err := os.Stat(p); err != nil {
		tb.Fatalf("%s is set but %s is missing: %v", Env, p, err)
	}
	return p
}
