//go:build noasm || !amd64

package gemm

// registerAsm registers nothing: without assembly only the "go" path exists.
func registerAsm() {}
