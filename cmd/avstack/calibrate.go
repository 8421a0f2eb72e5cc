package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/avstack/avstack/sensors/calibration"
)

func init() {
	cal := &cobra.Command{Use: "calibrate", Short: "Calibrate sensors"}
	var dir, board, out string
	var square float64
	var asJSON bool
	cam := &cobra.Command{
		Use:   "camera --images DIR --board 9x6 --square 0.025 [--out FILE.yaml] [--json]",
		Short: "Solve a camera's intrinsics and distortion from chessboard images",
		Long: "Finds the chessboard (inner corners COLSxROWS) in every image of DIR (.jpg, .png...),\n" +
			"solves K and plumb_bob distortion with OpenCV and reports the RMS reprojection error.\n" +
			"--out writes the calibration YAML for cameras[].calibration_file. Exit 1 when fewer than\n" +
			"3 images hold the board.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			b, err := parseBoard(board, square)
			if err != nil {
				return exitCode(2, err)
			}
			paths, err := imageFiles(dir)
			if err != nil {
				return exitCode(2, err)
			}
			res, err := calibration.Calibrate(paths, b)
			if err != nil {
				if res != nil { // ran, but the board was not found often enough
					return exitCode(1, err)
				}
				return exitCode(2, err)
			}
			if out != "" {
				if err := calibration.WriteFile(out, res.File()); err != nil {
					return exitCode(2, err)
				}
			}
			w := cmd.OutOrStdout()
			if asJSON {
				return json.NewEncoder(w).Encode(calibJSON{Images: len(res.Views), ImagesUsed: res.Used, RMSPx: res.RMSPx,
					K: res.K[:], D: res.D, Width: res.Width, Height: res.Height})
			}
			fmt.Fprintf(w, "board %dx%d (%.4g m squares) found in %d of %d images, %dx%d\n", b.Cols, b.Rows, b.Square, res.Used, len(res.Views), res.Width, res.Height)
			for _, v := range res.Views {
				if !v.Found {
					fmt.Fprintf(w, "  not found: %s\n", v.Path)
				} else if v.Note != "" {
					fmt.Fprintf(w, "  note: %s: %s\n", v.Path, v.Note)
				}
			}
			fmt.Fprintf(w, "RMS reprojection error: %.4f px\n", res.RMSPx)
			fmt.Fprintf(w, "K: [%.3f, 0, %.3f, 0, %.3f, %.3f, 0, 0, 1]\n", res.K[0], res.K[2], res.K[4], res.K[5])
			fmt.Fprintf(w, "D: %.6f\n", res.D)
			if out != "" {
				fmt.Fprintf(w, "wrote %s\n", out)
			}
			return nil
		},
	}
	cam.Flags().StringVar(&dir, "images", "", "folder of chessboard images (required)")
	cam.Flags().StringVar(&board, "board", "9x6", "inner corners, COLSxROWS")
	cam.Flags().Float64Var(&square, "square", 0.025, "square size in metres")
	cam.Flags().StringVar(&out, "out", "", "write the calibration YAML here")
	cam.Flags().BoolVar(&asJSON, "json", false, "print the result as JSON")
	_ = cam.MarkFlagRequired("images")
	cal.AddCommand(cam)
	rootCmd.AddCommand(cal)
}

// calibJSON is the --json output (field order as documented).
type calibJSON struct {
	Images     int       `json:"images"`
	ImagesUsed int       `json:"images_used"`
	RMSPx      float64   `json:"rms_px"`
	K          []float64 `json:"K"`
	D          []float64 `json:"D"`
	Width      int       `json:"width"`
	Height     int       `json:"height"`
}

func parseBoard(s string, square float64) (calibration.Board, error) {
	c, r, ok := strings.Cut(strings.ToLower(s), "x")
	cols, err1 := strconv.Atoi(c)
	rows, err2 := strconv.Atoi(r)
	if !ok || err1 != nil || err2 != nil {
		return calibration.Board{}, fmt.Errorf("calibrate: --board %q: want COLSxROWS inner corners, e.g. 9x6", s)
	}
	return calibration.Board{Cols: cols, Rows: rows, Square: square}, nil
}

// imageFiles lists the images of dir in natural order.
func imageFiles(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("calibrate: --images: %w", err)
	}
	var out []string
	for _, e := range ents {
		switch strings.ToLower(filepath.Ext(e.Name())) {
		case ".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff":
			if !e.IsDir() {
				out = append(out, filepath.Join(dir, e.Name()))
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("calibrate: --images %s: no images (.jpg, .png...)", dir)
	}
	sort.Strings(out)
	return out, nil
}
