// Command avstack is the one binary of the stack: it runs nodes, the supervisor, the simulator,
// the recorder and player, benchmarks, the detector and the nn tools. Each subcommand lives in its
// own file and stays thin: parse flags, load config, validate, construct, run.
package main

import (
	"errors"
	"fmt"
	"os"
)

// exitError carries a specific exit status (e.g. 1 = check failed, 2 = bad input).
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// exitCode wraps err so that main exits with code.
func exitCode(code int, err error) error { return &exitError{code: code, err: err} }

func main() {
	if err := rootCmd.Execute(); err != nil {
		var ee *exitError
		if errors.As(err, &ee) {
			if ee.err != nil && ee.err.Error() != "" {
				fmt.Fprintln(os.Stderr, "avstack:", ee.err)
			}
			os.Exit(ee.code)
		}
		fmt.Fprintln(os.Stderr, "avstack:", err)
		os.Exit(2)
	}
}
