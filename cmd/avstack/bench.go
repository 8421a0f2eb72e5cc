package main

import "github.com/spf13/cobra"

// benchCmd is the parent of the benchmarks (bench_*.go add their subcommands).
var benchCmd = &cobra.Command{Use: "bench", Short: "Benchmarks, side by side with peers"}

func init() { rootCmd.AddCommand(benchCmd) }
