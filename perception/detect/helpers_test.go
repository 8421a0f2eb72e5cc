package detect

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"gocv.io/x/gocv"
)

// testdata returns $AVSTACK_TESTDATA joined with rel, skipping the test when the variable is
// unset and failing it when the file is missing.
func testdata(t *testing.T, rel string) string {
	t.Helper()
	root := os.Getenv("AVSTACK_TESTDATA")
	if root == "" {
		t.Skip("AVSTACK_TESTDATA is not set; set it to the shared testdata folder to run this test")
	}
	p := filepath.Join(root, rel)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("AVSTACK_TESTDATA is set but %s is missing: %v", p, err)
	}
	return p
}

// manifestPath is a manifest of configs/models, after checking the testdata it points into.
func manifestPath(t *testing.T, name string, needs ...string) string {
	t.Helper()
	for _, n := range needs {
		testdata(t, n)
	}
	return filepath.Join("..", "..", "configs", "models", name)
}

// openDetector opens a manifest in an engine; the avstack engine is skipped only while the nn
// graph import does not exist yet.
func openDetector(t *testing.T, manifest string, e Engine, opts ...Option) *Detector {
	t.Helper()
	m, err := LoadManifest(manifest)
	if err != nil {
		t.Fatal(err)
	}
	d, err := New(m, append([]Option{WithEngine(e)}, opts...)...)
	if errors.Is(err, errNNUnavailable) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func benchTestdata(b *testing.B) string {
	b.Helper()
	root := os.Getenv("AVSTACK_TESTDATA")
	if root == "" {
		b.Skip("AVSTACK_TESTDATA is not set")
	}
	return root
}

func benchImage(b *testing.B, path string) gocv.Mat {
	b.Helper()
	img := gocv.IMRead(path, gocv.IMReadColor)
	if img.Empty() {
		b.Fatalf("cannot decode %s", path)
	}
	return img
}
