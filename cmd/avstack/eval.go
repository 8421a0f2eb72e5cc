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
	"google.golang.org/protobuf/proto"

	"github.com/avstack/avstack/config"
	"github.com/avstack/avstack/msg"
	"github.com/avstack/avstack/msg/av"
	"github.com/avstack/avstack/node"
	"github.com/avstack/avstack/perception/detect"
	"github.com/avstack/avstack/perception/eval"
	"github.com/avstack/avstack/perception/lidar"
	"github.com/avstack/avstack/perception/perceive"
	"github.com/avstack/avstack/perception/tiles"
	"github.com/avstack/avstack/sensors/kitti"
	"github.com/avstack/avstack/sim"
	"github.com/avstack/avstack/sim/scenario"
)

func init() {
	evalCmd := &cobra.Command{Use: "eval", Short: "Evaluate perception on datasets and scenarios"}
	evalCmd.AddCommand(evalLidarCmd(), evalCameraCmd(), evalTrackingCmd())
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
		conf, nms          float64
	)
	def := eval.DefaultCameraConfig()
	cmd := &cobra.Command{
		Use:   "camera --kitti DIR --model M",
		Short: "Score a camera detector on KITTI object frames (label_2)",
		Long: `Run a camera detector on image_2 of every KITTI object frame and score it against label_2 at
IoU >= 0.5: cars (Car, Van, Truck against car, truck and bus detections) and persons (Pedestrian,
Cyclist, Person_sitting against person detections) at least 40 px tall. --tiles N runs the detector
on N overlapping tiles across the image and merges them with NMS.

Every model is scored at the same operating point, not at its manifest's run-time threshold:
score > --conf (0.25) and class-aware NMS at --nms (0.5); docs/perception.md says why.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if dir == "" || model == "" {
				return exitCode(2, fmt.Errorf("eval camera: --kitti and --model are required"))
			}
			cfg := def
			cfg.Score, cfg.NMS = conf, nms
			if err := cfg.Validate(); err != nil {
				return exitCode(2, fmt.Errorf("eval camera: %w", err))
			}
			obj, err := kitti.OpenObject(dir)
			if err != nil {
				return exitCode(2, err)
			}
			m, err := detect.ResolveModel(model)
			if err != nil {
				return exitCode(2, err)
			}
			d, err := detect.New(m, detect.WithEngine(detect.Engine(engine)),
				detect.WithConfidence(float32(cfg.Score)), detect.WithIoU(float32(cfg.NMS)))
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
				dets, err := tiles.Detect(d, img, nTiles, float32(cfg.NMS))
				img.Close()
				if err != nil {
					return exitCode(1, err)
				}
				fres, err := eval.EvalCamera(ef, cameraPreds(dets), cfg)
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
	f.IntVar(&nTiles, "tiles", 1, "overlapping tiles across the image (1 = whole image)")
	f.Float64Var(&conf, "conf", def.Score, "score threshold (the same for every model; not the manifest's)")
	f.Float64Var(&nms, "nms", def.NMS, "class-aware NMS IoU, in each tile and across tiles")
	f.BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

// cameraPreds keeps the detections of driving classes, as eval.CameraPreds.
func cameraPreds(dets []detect.Detection) []eval.CameraPred {
	var preds []eval.CameraPred
	for _, dt := range dets {
		c, ok := detect.DrivingClassOf(dt.Name)
		if !ok {
			continue
		}
		preds = append(preds, eval.CameraPred{Class: string(c), Score: float64(dt.Score),
			Box: [4]float64{float64(dt.Box[0]), float64(dt.Box[1]), float64(dt.Box[2]), float64(dt.Box[3])}})
	}
	return preds
}

// trackingReport is what `avstack eval tracking --json` prints.
type trackingReport struct {
	Scenario string  `json:"scenario"`
	Seed     uint64  `json:"seed"`
	MaxRange float64 `json:"max_range"`
	MatchM   float64 `json:"match_distance"`
	eval.MOTResult
}

func evalTrackingCmd() *cobra.Command {
	var (
		scenarioFile, cfgFile, nodeName string
		asJSON                          bool
		maxRange, matchDist, minMOTA    float64
		maxIDSW                         int
		seed                            int64
	)
	cmd := &cobra.Command{
		Use:   "tracking --scenario FILE",
		Short: "Score lidar tracking against simulator ground truth (MOTA, IDF1, id switches)",
		Long: `Run a scenario in the simulator (built-in driver, lockstep, sensors on), feed its lidar scans and
vehicle states to the perception node in-process, and compare each object list with the ground
truth of the same instant in the map frame: objects within --max-range of the ego, matched within
--match-distance metres (CLEAR MOT: MOTA, MOTP, id switches, fragmentations; IDF1, IDP, IDR).
The node is the perception node of --config (its settings), or one with default settings.
--min-mota and --max-id-switches turn it into a check (exit 1).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if scenarioFile == "" {
				return exitCode(2, fmt.Errorf("eval tracking: --scenario is required"))
			}
			sc, err := scenario.Load(scenarioFile)
			if err != nil {
				return exitCode(2, err)
			}
			v, err := config.LoadVehicle(cfgFile)
			if err != nil {
				return exitCode(2, err)
			}
			var core node.Core
			if nc, ok := v.Node(nodeName); ok && nc.KindName() == "perception" {
				core, err = node.New(v, nodeName)
			} else if nodeName != "perception" {
				return exitCode(2, fmt.Errorf("eval tracking: %s has no node %q of kind perception", cfgFile, nodeName))
			} else {
				core, err = perceive.New(v, perceive.DefaultSettings())
			}
			if err != nil {
				return exitCode(2, err)
			}
			if c, ok := core.(interface{ Close() error }); ok {
				defer c.Close()
			}
			off, err := perceive.NewOffline(core)
			if err != nil {
				return exitCode(2, err)
			}
			truth := map[int64]*av.ObjectList{}
			poses := map[int64]*av.VehicleState{}
			var hyps []*av.ObjectList
			var feedErr error
			opts := sim.Options{Vehicle: v, Sensors: true, Observer: func(subject, typ string, data []byte, _ int64) {
				if feedErr != nil {
					return
				}
				switch subject {
				case msg.SubjectSimTruth:
					tl := &av.ObjectList{}
					if feedErr = proto.Unmarshal(data, tl); feedErr == nil {
						truth[tl.GetHeader().GetStampNs()] = tl
					}
				case msg.SubjectVehicleState:
					vs := &av.VehicleState{}
					if feedErr = proto.Unmarshal(data, vs); feedErr == nil {
						poses[vs.GetHeader().GetStampNs()] = vs
					}
				}
				outs, stepped, err := off.Push(subject, typ, data)
				if err != nil {
					feedErr = err
					return
				}
				if stepped {
					hyps = append(hyps, outs[0].Value.(*av.ObjectList))
				}
			}}
			if cmd.Flags().Changed("seed") {
				u := uint64(seed)
				opts.Seed = &u
			}
			res, err := sim.Run(cmd.Context(), sc, opts)
			if err != nil {
				return exitCode(1, err)
			}
			if feedErr != nil {
				return exitCode(1, fmt.Errorf("eval tracking: %w", feedErr))
			}
			var frames []eval.MOTFrame
			for _, h := range hyps {
				st := h.GetHeader().GetStampNs()
				tl, ok1 := truth[st]
				ego, ok2 := poses[st]
				if !ok1 || !ok2 {
					continue // scans between truth samples
				}
				frames = append(frames, eval.MOTFrameFromLists(tl, h, ego.X, ego.Y, maxRange))
			}
			if len(frames) == 0 {
				return exitCode(1, fmt.Errorf("eval tracking: no lidar scan coincided with a ground-truth sample (%d scans, %d truth lists)", len(hyps), len(truth)))
			}
			mot, err := eval.EvalMOT(frames, matchDist)
			if err != nil {
				return exitCode(1, err)
			}
			rep := trackingReport{Scenario: sc.Name, Seed: res.Seed, MaxRange: maxRange, MatchM: matchDist, MOTResult: mot}
			w := cmd.OutOrStdout()
			if asJSON {
				enc := json.NewEncoder(w)
				enc.SetIndent("", "  ")
				if err := enc.Encode(rep); err != nil {
					return err
				}
			} else {
				fmt.Fprintf(w, "%s (seed %d): %d frames, %d truth objects, %d hypotheses\n", rep.Scenario, rep.Seed, mot.Frames, mot.GT, mot.Hyp)
				fmt.Fprintf(w, "MOTA %.3f  MOTP %.2f m  IDF1 %.3f  IDP %.3f  IDR %.3f\n", mot.MOTA, mot.MOTP, mot.IDF1, mot.IDP, mot.IDR)
				fmt.Fprintf(w, "matches %d  fp %d  fn %d  id switches %d  fragmentations %d\n", mot.Matches, mot.FP, mot.FN, mot.IDSwitches, mot.Fragmentations)
			}
			var fails []string
			if cmd.Flags().Changed("min-mota") && mot.MOTA < minMOTA {
				fails = append(fails, fmt.Sprintf("MOTA %.3f < %.3f", mot.MOTA, minMOTA))
			}
			if maxIDSW >= 0 && mot.IDSwitches > maxIDSW {
				fails = append(fails, fmt.Sprintf("id switches %d > %d", mot.IDSwitches, maxIDSW))
			}
			if len(fails) > 0 {
				return exitCode(1, fmt.Errorf("eval tracking: %s", strings.Join(fails, "; ")))
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&scenarioFile, "scenario", "", "scenario YAML (configs/scenarios/NAME.yaml)")
	f.StringVar(&cfgFile, "config", "configs/vehicle.yaml", "vehicle config (sensors, and the perception node's settings)")
	f.StringVar(&nodeName, "node", "perception", "name of the perception node in --config")
	f.Float64Var(&maxRange, "max-range", 40, "evaluate objects within this BEV range of the ego (m)")
	f.Float64Var(&matchDist, "match-distance", 2, "largest centre distance of a match (m)")
	f.Float64Var(&minMOTA, "min-mota", 0, "fail (exit 1) below this MOTA")
	f.IntVar(&maxIDSW, "max-id-switches", -1, "fail (exit 1) above this many id switches (-1: no bound)")
	f.Int64Var(&seed, "seed", 0, "override the scenario's seed")
	f.BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}
