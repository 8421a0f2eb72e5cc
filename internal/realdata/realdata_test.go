package realdata

import (
	"os"
	"path/filepath"
	"testing"
)

// fakeTB records Skip and Fatal without stopping the calling test.
type fakeTB struct {
	testing.TB
	skipped, failed bool
}

func (f *fakeTB) Helper()               {}
func (f *fakeTB) Skipf(string, ...any)  { f.skipped = true; panic(f) }
func (f *fakeTB) Fatalf(string, ...any) { f.failed = true; panic(f) }
func call(f *fakeTB, rel string) (p string) {
	defer func() { _ = recover() }()
	return Path(f, rel)
}

func TestPath(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "x.bin"), []byte{1}, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv(Env, "")
	if f := (&fakeTB{}); call(f, "x.bin") != "" || !f.skipped {
		t.Error("unset: want skip")
	}
	t.Setenv(Env, dir)
	if f := (&fakeTB{}); call(f, "missing.bin") != "" || !f.failed {
		t.Error("missing file: want failure")
	}
	if f := (&fakeTB{}); call(f, "x.bin") != filepath.Join(dir, "x.bin") || f.skipped || f.failed {
		t.Error("present file: want its path")
	}
}
