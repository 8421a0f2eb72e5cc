package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/spf13/cobra"

	"github.com/avstack/avstack/nn"
	"github.com/avstack/avstack/nn/cpu"
	"github.com/avstack/avstack/nn/onnx"
)

var nnCmd = &cobra.Command{Use: "nn", Short: "Neural-network core tools (conformance)"}

func init() {
	rootCmd.AddCommand(nnCmd)
	nnCmd.AddCommand(nnConformanceCmd())
}

func nnConformanceCmd() *cobra.Command {
	var suite, op, backend string
	var asJSON bool
	c := &cobra.Command{
		Use:   "conformance",
		Short: "Run the ONNX backend conformance suite (a folder with INDEX.tsv, node/, pytorch-converted/)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if suite == "" {
				if d := os.Getenv("AVSTACK_TESTDATA"); d != "" {
					suite = filepath.Join(d, "onnx")
				} else {
					return exitCode(2, fmt.Errorf("nn conformance: --suite is required (or set AVSTACK_TESTDATA)"))
				}
			}
			var newBackend func() nn.Backend
			switch backend {
			case "fast":
				newBackend = func() nn.Backend { return cpu.NewFast() }
			case "reference":
				newBackend = func() nn.Backend { return &cpu.Backend{} }
			default:
				return exitCode(2, fmt.Errorf("nn conformance: --backend %q: want fast or reference", backend))
			}
			r, err := onnx.RunConformanceOn(suite, op, newBackend)
			if err != nil {
				return exitCode(2, err)
			}
			out := cmd.OutOrStdout()
			if asJSON {
				enc := json.NewEncoder(out)
				if err := enc.Encode(r); err != nil {
					return err
				}
			} else {
				fmt.Fprintf(out, "cases %d  passed %d  failed %d  skipped %d\n", r.Cases, r.Passed, r.Failed, r.Skipped)
				for _, f := range r.Failures {
					fmt.Fprintf(out, "FAIL %s: %s\n", f.Case, f.Reason)
				}
				keys := make([]string, 0, len(r.SkippedOps))
				for k := range r.SkippedOps {
					keys = append(keys, k)
				}
				sort.Strings(keys)
				for _, k := range keys {
					fmt.Fprintf(out, "skipped %-24s %d\n", k, r.SkippedOps[k])
				}
			}
			if r.Failed > 0 {
				return exitCode(1, fmt.Errorf("nn conformance: %d of %d cases failed", r.Failed, r.Cases))
			}
			return nil
		},
	}
	c.Flags().StringVar(&suite, "suite", "", "conformance suite folder (default $AVSTACK_TESTDATA/onnx)")
	c.Flags().StringVar(&op, "op", "", "only cases that list this op")
	c.Flags().BoolVar(&asJSON, "json", false, "print the report as JSON")
	c.Flags().StringVar(&backend, "backend", "fast", "cpu backend: fast (nn/kernels where they apply) or reference")
	return c
}
