package main

import (
	"encoding/json"
	"fmt"
	"image"
	_ "image/png"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"gocv.io/x/gocv"

	"github.com/avstack/avstack/perception/detect"
	"github.com/avstack/avstack/perception/eval"
	"github.com/avstack/avstack/perception/lidar"
	"github.com/avstack/avstack/perception/tiles"
	"github.com/avstack/avstack/sensors/kitti"
)

func init() {
	evalCmd := &cobra.Command{Use: "eval", Short: "Evaluate perception on datasets and scenarios"}
	evalCmd.AddCommand(evalLidarCmd(), evalCameraCmd())
	rootCmd.AddCommand(evalCmd)
}

// kittiEvalFrame loads one KITTI object frame and converts it to the evaluation's types.
func kittiEvalFrame(obj *kitti.Object, id string) (*kitti.Frame, eval.KITTIFrame, error) {
	fr, err := obj.Load(id)
	if err != nil {
		return nil, eval.KITTIFrame{}, err
	}
	if fr.Labels == nil {
		return nil, eval.KITTIFrame{}, fmt.Errorf("eval: %s has no labels", obj.LabelPath(id))
	}
	f, err := os.Open(fr.ImagePath)
	if err != nil {
		return nil, eval.KITTIFrame{}, fmt.Errorf("eval: image size: %w", err)
	}
	cfg, _, err := image.DecodeConfig(f)
	f.Close()
	if err != nil {
		return nil, eval.KITTIFrame{}, fmt.Errorf("eval: %s: %w", fr.ImagePath, err)
	}
	ef := eval.KITTIFrame{ID: id, VeloToRect: fr.Calib.VeloToRect(), VeloToImage: fr.Calib.VeloToImage(2),
		ImageWidth: cfg.Width, ImageHeight: cfg.Height}
	for _, l := range fr.Labels {
		ef.Labels = append(ef.Labels, eval.KITTILabel{Type: l.Type, Truncated: l.Truncated, Occluded: l.Occluded,
			Box2D: l.Box, H: l.H, W: l.W, L: l.L, X: l.X, Y: l.Y, Z: l.Z, RotationY: l.RotationY})
	}
	return fr, ef, nil
}

// printResult writes a result as JSON or as a table; it returns exit status 1 when a bound is
// not met.
func printEvalResult(w io.Writer, r eval.Result, classes []string, asJSON bool, bounds map[string][2]float64) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		if err := enc.Encode(r); err != nil {
			return err
		}
	} else {
		for _, f := range r.PerFrame {
			fmt.Fprintf(w, "frame %s\n", f.ID)
			for _, c := range classes {
				k := f.Classes[c]
				fmt.Fprintf(w, "  %-10s gt %3d  tp %3d  fp %3d  ignored %3d  recall %.3f  precision %.3f\n", c, k.GT, k.TP, k.FP, k.Ignored, k.Recall, k.Precision)
			}
		}
		fmt.Fprintf(w, "total (%d frames)\n", r.Frames)
		for _, c := range classes {
			k := r.Classes[c]
			fmt.Fprintf(w, "  %-10s gt %3d  tp %3d  fp %3d  ignored %3d  recall %.3f  precision %.3f\n", c, k.GT, k.TP, k.FP, k.Ignored, k.Recall, k.Precision)
		}
	}
	var fails []string
	for c, b := range bounds {
		k := r.Classes[c]
		if b[0] > 0 && k.Recall < b[0] {
			fails = append(fails, fmt.Sprintf("%s recall %.3f < %.3f", c, k.Recall, b[0]))
		}
		if b[1] > 0 && k.Precision < b[1] {
			fails = append(fails, fmt.Sprintf("%s precision %.3f < %.3f", c, k.Precision, b[1]))
		}
	}
	if len(fails) > 0 {
		return exitCode(1, fmt.Errorf("eval: %s", strings.Join(fails, "; ")))
	}
	return nil
}

func evalLidarCmd() *cobra.Command {
	var (
		dir                   string
		asJSON                bool
		sensorHeight          float64
		maxRange              float64
		minRecall, minPrecise float64
	)
	cmd := &cobra.Command{
		Use:   "lidar --kitti DIR",
		Short: "Score the lidar detector on KITTI object frames",
		Long: `Run perception/lidar on every velodyne scan of a KITTI object folder and score it against label_2:
cars by bird's-eye-view IoU >= 0.5, pedestrians and cyclists by centre distance <= 1 m; ground truth
within --max-range metres and occlusion <= 1; detections counted where labels exist (centre inside
image_2). Vans (for cars), Person_sitting (for pedestrians), distant or occluded objects and DontCare
regions are ignored. --min-car-recall / --min-car-precision turn it into a check (exit 1).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if dir == "" {
				return exitCode(2, fmt.Errorf("eval lidar: --kitti is required"))
			}
			obj, err := kitti.OpenObject(dir)
			if err != nil {
				return exitCode(2, err)
			}
			o := lidar.DefaultOptions()
			o.GroundZ = -sensorHeight
			det, err := lidar.NewDetector(o)
			if err != nil {
				return exitCode(2, err)
			}
			cfg := eval.DefaultLidarConfig()
			cfg.MaxRange = maxRange
			var res eval.Result
			for _, id := range obj.IDs {
				fr, ef, err := kittiEvalFrame(obj, id)
				if err != nil {
					return exitCode(2, err)
				}
				pts := make([]lidar.Point, len(fr.Points))
				for i, p := range fr.Points {
					pts[i] = lidar.Point{X: p.X, Y: p.Y, Z: p.Z, Intensity: p.R}
				}
				var preds []eval.LidarPred
				for _, ob := range det.Detect(pts) {
					preds = append(preds, eval.LidarPred{Class: ob.Class, Box: ob.Box, Score: float64(ob.Score)})
				}
				fres, err := eval.EvalLidar(ef, preds, cfg)
				if err != nil {
					return exitCode(2, err)
				}
				res.Add(fres)
			}
			return printEvalResult(cmd.OutOrStdout(), res, eval.LidarClasses, asJSON, map[string][2]float64{"car": {minRecall, minPrecise}})
		},
	}
	f := cmd.Flags()
	f.StringVar(&dir, "kitti", "", "KITTI object folder (velodyne/, calib/, label_2/, image_2/)")
	f.BoolVar(&asJSON, "json", false, "print JSON")
	f.Float64Var(&sensorHeight, "sensor-height", 1.73, "lidar height above the road (m)")
	f.Float64Var(&maxRange, "max-range", 40, "evaluate objects within this BEV range (m)")
	f.Float64Var(&minRecall, "min-car-recall", 0, "fail (exit 1) below this car recall")
	f.Float64Var(&minPrecise, "min-car-precision", 0, "fail (exit 1) below this car precision")
	return cmd
}

func evalCameraCmd() *cobra.Command {
	var (
		dir, model, engine string
		nTiles             int
		asJSON             bool
		conf               float64
	)
	cmd := &cobra.Command{
		Use:   "camera --kitti DIR --model M",
		Short: "Score a camera detector on KITTI object frames (label_2)",
		Long: `Run a camera detector on image_2 of every KITTI object frame and score it against label_2 at
IoU >= 0.5: cars (Car, Van, Truck against car, truck and bus detections) and persons (Pedestrian,
Cyclist, Person_sitting against person detections) at least 40 px tall. --tiles N runs the detector
on N overlapping square tiles across the image and merges them with NMS.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if dir == "" || model == "" {
				return exitCode(2, fmt.Errorf("eval camera: --kitti and --model are required"))
			}
			obj, err := kitti.OpenObject(dir)
			if err != nil {
				return exitCode(2, err)
			}
			m, err := detect.ResolveModel(model)
			if err != nil {
				return exitCode(2, err)
			}
			opts := []detect.Option{detect.WithEngine(detect.Engine(engine))}
			if cmd.Flags().Changed("conf") {
				opts = append(opts, detect.WithConfidence(float32(conf)))
			}
			d, err := detect.New(m, opts...)
			if err != nil {
				return exitCode(2, err)
			}
			defer d.Close()
			var res eval.Result
			for _, id := range obj.IDs {
				fr, ef, err := kittiEvalFrame(obj, id)
				if err != nil {
					return exitCode(2, err)
				}
				img := gocv.IMRead(fr.ImagePath, gocv.IMReadColor)
				if img.Empty() {
					img.Close()
					return exitCode(2, fmt.Errorf("eval camera: cannot read %s", fr.ImagePath))
				}
				dets, err := tiles.Detect(d, img, nTiles, m.Thresholds.IoU)
				img.Close()
				if err != nil {
					return exitCode(1, err)
				}
				var preds []eval.CameraPred
				for _, dt := range dets {
					c, ok := detect.DrivingClassOf(dt.Name)
					if !ok {
						continue
					}
					preds = append(preds, eval.CameraPred{Class: string(c), Score: float64(dt.Score),
						Box: [4]float64{float64(dt.Box[0]), float64(dt.Box[1]), float64(dt.Box[2]), float64(dt.Box[3])}})
				}
				fres, err := eval.EvalCamera(ef, preds, eval.DefaultCameraConfig())
				if err != nil {
					return exitCode(2, err)
				}
				res.Add(fres)
			}
			return printEvalResult(cmd.OutOrStdout(), res, eval.CameraClasses, asJSON, nil)
		},
	}
	f := cmd.Flags()
	f.StringVar(&dir, "kitti", "", "KITTI object folder (image_2/, calib/, label_2/, velodyne/)")
	f.StringVar(&model, "model", "", "model: manifest YAML, .onnx or Darknet .cfg")
	f.StringVar(&engine, "engine", "avstack", "avstack (nn graph) or opencv (OpenCV DNN)")
	f.IntVar(&nTiles, "tiles", 1, "square tiles across the image (1 = whole image)")
	f.Float64Var(&conf, "conf", 0, "score threshold (default: the manifest's)")
	f.BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}
