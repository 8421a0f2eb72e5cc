package main

import (
	"os"
	"testing"
)

// With AVSTACK_AS_MAIN=1 the test binary is avstack itself, so end-to-end tests can run the
// CLI (and `avstack run` can start children of it) without a separate build.
func TestMain(m *testing.M) {
	if os.Getenv("AVSTACK_AS_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}
