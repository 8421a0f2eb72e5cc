package main

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/avstack/avstack/perception/detect"
)

func init() {
	var (
		model         string
		threads, runs int
		asJSON        bool
	)
	cmd := &cobra.Command{
		Use:   "nn --model M",
		Short: "Time a model in avstack's nn graph beside OpenCV DNN on the peer-bench input",
		Long: `Times one forward pass of a model in avstack's nn graph and in OpenCV's DNN module, side by
side, on the input of shared/tools/peer-bench (element i = ((i*2654435761) mod 1000)/1000), and
reports both medians, their ratio (avstack/opencv) and the largest output difference.
M is configs/models/NAME.yaml, FILE.onnx or FILE.cfg.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if model == "" {
				return exitCode(2, fmt.Errorf("bench nn: --model is required"))
			}
			m, err := detect.ResolveModel(model)
			if err != nil {
				return exitCode(2, err)
			}
			r, err := detect.Bench(m, threads, runs)
			if err != nil {
				return exitCode(1, err)
			}
			w := cmd.OutOrStdout()
			if asJSON {
				return json.NewEncoder(w).Encode(r)
			}
			fmt.Fprintf(w, "%s input %v, %d thread(s), median of %d: avstack %.3f ms, opencv %.3f ms, ratio %.3f, max |diff| %.3g\n",
				r.Model, r.Input, r.Threads, r.Runs, r.AvstackMedianMS, r.OpenCVMedianMS, r.Ratio, r.MaxAbsDiff)
			if r.Layers > 0 {
				fmt.Fprintf(w, "avstack runs %d of %d layers on %d threads (the ones measured faster on them)\n", r.ParallelLayers, r.Layers, r.Threads)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&model, "model", "", "model: configs/models/NAME.yaml, FILE.onnx or FILE.cfg")
	f.IntVar(&threads, "threads", 1, "threads for both engines")
	f.IntVar(&runs, "runs", 40, "timed runs per engine")
	f.BoolVar(&asJSON, "json", false, "print JSON")
	benchCmd.AddCommand(cmd)
}
