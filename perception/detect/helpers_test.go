package detect

import (
	"errors"
	"path/filepath"
	"testing"

	"gocv.io/x/gocv"

	td "github.com/avstack/avstack/internal/realdata"
)

// testdata returns $AVSTACK_TESTDATA joined with rel, skipping the test when the variable is
// unset and failing it when the file is missing.
func testdata(t *testing.T, rel string) string {
	t.Helper()
	return td.Path(t, rel)
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
	return td.Root(b)
}

func benchImage(b *testing.B, path string) gocv.Mat {
	b.Helper()
	img := gocv.IMRead(path, gocv.IMReadColor)
	if img.Empty() {
		b.Fatalf("cannot decode %s", path)
	}
	return img
}
