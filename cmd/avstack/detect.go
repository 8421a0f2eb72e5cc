package main

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"gocv.io/x/gocv"

	"github.com/avstack/avstack/perception/detect"
)

func init() {
	var (
		model, image, out, engine string
		conf                      float64
		threads, tiles            int
		asJSON                    bool
	)
	cmd := &cobra.Command{
		Use:   "detect --model (FILE.onnx|FILE.cfg|configs/models/NAME.yaml) --image FILE",
		Short: "Run a detector on an image",
		Long: `Run a camera detector on one image and print its detections (boxes in image pixels).
--model is a manifest (configs/models/NAME.yaml), a bare .onnx (FastestDet-style decoding) or a
Darknet .cfg (weights and coco.names beside it). --conf overrides the manifest's score threshold.
latency_ms is one Detect (pre-processing, network, decoding, NMS) after one warm-up run.
--engine opencv runs the network in OpenCV's DNN module instead of avstack's nn graph.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if model == "" || image == "" {
				return exitCode(2, fmt.Errorf("detect: --model and --image are required"))
			}
			m, err := detect.ResolveModel(model)
			if err != nil {
				return exitCode(2, err)
			}
			opts := []detect.Option{detect.WithEngine(detect.Engine(engine)), detect.WithThreads(threads)}
			if cmd.Flags().Changed("conf") {
				opts = append(opts, detect.WithConfidence(float32(conf)))
			}
			d, err := detect.New(m, opts...)
			if err != nil {
				return exitCode(2, err)
			}
			defer d.Close()
			img := gocv.IMRead(image, gocv.IMReadColor)
			defer img.Close()
			if img.Empty() {
				return exitCode(2, fmt.Errorf("detect: cannot read image %s", image))
			}
			// One untimed run first: engines allocate and plan on their first pass, and
			// latency_ms is meant to be the steady-state cost of a frame.
			run := func() ([]detect.Detection, error) {
				if tiles > 0 {
					return d.DetectTiled(img, tiles)
				}
				return d.Detect(img)
			}
			if _, err := run(); err != nil {
				return exitCode(1, err)
			}
			t0 := time.Now()
			dets, err := run()
			if err != nil {
				return exitCode(1, err)
			}
			latency := float64(time.Since(t0).Microseconds()) / 1000
			if out != "" {
				detect.Annotate(&img, dets)
				if !gocv.IMWrite(out, img) {
					return exitCode(1, fmt.Errorf("detect: cannot write %s", out))
				}
			}
			w := cmd.OutOrStdout()
			if asJSON {
				type det struct {
					Class string     `json:"class"`
					Score float32    `json:"score"`
					Box   [4]float32 `json:"box"`
				}
				res := struct {
					Image      string  `json:"image"`
					LatencyMS  float64 `json:"latency_ms"`
					Detections []det   `json:"detections"`
				}{Image: image, LatencyMS: latency, Detections: []det{}}
				for _, x := range dets {
					res.Detections = append(res.Detections, det{x.Name, x.Score, x.Box})
				}
				return json.NewEncoder(w).Encode(res)
			}
			fmt.Fprintf(w, "%s: %d detections in %.1f ms (%s, engine %s)\n", image, len(dets), latency, m.Name, engine)
			for _, x := range dets {
				fmt.Fprintf(w, "  %-14s %.3f  [%.1f %.1f %.1f %.1f]\n", x.Name, x.Score, x.Box[0], x.Box[1], x.Box[2], x.Box[3])
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&model, "model", "", "model: configs/models/NAME.yaml, FILE.onnx or FILE.cfg")
	f.StringVar(&image, "image", "", "image file to run on")
	f.StringVar(&out, "out", "", "write the image with boxes drawn to this file")
	f.Float64Var(&conf, "conf", 0, "score threshold in (0,1) (unset: the manifest's thresholds.confidence)")
	f.StringVar(&engine, "engine", string(detect.EngineAvstack), "what runs the network: avstack or opencv")
	f.IntVar(&threads, "threads", 0, "threads for the engine (0: its default)")
	f.IntVar(&tiles, "tiles", 0, "run on N overlapping square tiles across the long side and merge (0: whole image)")
	f.BoolVar(&asJSON, "json", false, "print JSON")
	rootCmd.AddCommand(cmd)
}
