//go:build noasm || !amd64

package kernels

// Without assembly only the "go" path exists.
