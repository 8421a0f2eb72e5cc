package main

import "github.com/spf13/cobra"

var nnCmd = &cobra.Command{Use: "nn", Short: "Neural-network core tools (conformance)"}

func init() {
	rootCmd.AddCommand(nnCmd)
	nnCmd.AddCommand(notYet("conformance", "Run the ONNX backend conformance suite", "issue 3"))
}
