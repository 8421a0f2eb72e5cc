package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/avstack/avstack/config"
	"github.com/avstack/avstack/node"
	"github.com/avstack/avstack/replay/harness"
	"github.com/avstack/avstack/replay/inspect"
	"github.com/avstack/avstack/replay/kittiimport"
	"github.com/avstack/avstack/replay/mcapio"
	"github.com/avstack/avstack/replay/play"
)

// openRecording opens FILE, scanning it when --recover is set. Unreadable files exit 2.
func openRecording(path string, recover bool) (*mcapio.Reader, error) {
	open := mcapio.Open
	if recover {
		open = mcapio.OpenRecover
	}
	r, err := open(path)
	if err != nil {
		return nil, exitCode(2, err)
	}
	return r, nil
}

// replayErr maps library errors to exit statuses: a bad recording is bad input (2).
func replayErr(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, mcapio.ErrBadFile) || errors.Is(err, harness.ErrBadInput) {
		return exitCode(2, err)
	}
	return exitCode(1, err)
}

func init() {
	replay := &cobra.Command{
		Use:   "replay",
		Short: "Inspect, play and regression-test recordings",
		Long: `Recordings are MCAP files written by avstack record, avstack sim --record or avstack replay
import. Every subcommand exits 2 on a file that is not MCAP or is truncated; --recover reads the
complete chunks of a truncated file (a killed recorder).`,
	}
	replay.AddCommand(replayInfoCmd(), replayCatCmd(), replayPlayCmd(), replayTestCmd(), replayImportCmd())
	rootCmd.AddCommand(replay)
}

func replayInfoCmd() *cobra.Command {
	var asJSON, recover bool
	cmd := &cobra.Command{
		Use:   "info FILE",
		Short: "Duration, start and end, per-subject counts and rates, schemas, compression",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			r, err := openRecording(args[0], recover)
			if err != nil {
				return err
			}
			defer r.Close()
			return replayErr(inspect.Info(cmd.OutOrStdout(), r, asJSON))
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.Flags().BoolVar(&recover, "recover", false, "scan the data section (truncated files)")
	return cmd
}

func replayCatCmd() *cobra.Command {
	var (
		subjects            []string
		asJSON, recoverFile bool
		limit               int
	)
	cmd := &cobra.Command{
		Use:   "cat FILE --subject S",
		Short: "Print decoded messages of a subject (JSON lines with --json)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(subjects) == 0 {
				return exitCode(2, errors.New("replay cat: --subject is required (a subject or pattern such as 'av.sensor.>')"))
			}
			r, err := openRecording(args[0], recoverFile)
			if err != nil {
				return err
			}
			defer r.Close()
			err = inspect.Cat(cmd.OutOrStdout(), r, inspect.CatOptions{Subjects: subjects, JSON: asJSON, Limit: limit})
			if err != nil {
				return exitCode(2, err)
			}
			return nil
		},
	}
	cmd.Flags().StringSliceVar(&subjects, "subject", nil, "subject or NATS pattern (repeatable)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "one JSON object per message, full bytes fields")
	cmd.Flags().BoolVar(&recoverFile, "recover", false, "scan the data section (truncated files)")
	cmd.Flags().IntVar(&limit, "limit", 0, "stop after N messages")
	return cmd
}

func replayPlayCmd() *cobra.Command {
	var (
		rate               float64
		start, clockPeriod time.Duration
		loop, lockstep     bool
		recover, asJSON    bool
		subjects, nodes    []string
		natsURL, cfgPath   string
		stepTimeout        time.Duration
	)
	cmd := &cobra.Command{
		Use:   "play FILE [--rate R] [--start OFFSET] [--loop] [--subjects ...] [--nats URL] [--lockstep]",
		Short: "Publish a recording on the bus at its recorded pace (or in lockstep with nodes)",
		Long: `Publishes the recording at recorded pace scaled by --rate (0 = as fast as possible, reporting
messages/s and MB/s). An av.sim.clock with log time is published alongside unless the recording
has its own, so nodes run with --clock sim use log time.
--lockstep waits, after each message that triggers one of the nodes of --config (all enabled
nodes, or --nodes), for that node's primary output before going on, as the simulator does; those
nodes' own recorded outputs are not replayed. Run the nodes separately (avstack run / avstack node
--clock sim) on the same NATS server.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if rate < 0 {
				return exitCode(2, fmt.Errorf("replay play: --rate %v must not be negative", rate))
			}
			r, err := openRecording(args[0], recover)
			if err != nil {
				return err
			}
			defer r.Close()
			o := play.Options{Rate: rate, Start: start, Loop: loop, Subjects: subjects, ClockPeriod: clockPeriod}
			if lockstep {
				v, err := config.LoadVehicle(cfgPath)
				if err != nil {
					return exitCode(2, err)
				}
				ls := &play.Lockstep{Timeout: stepTimeout}
				names := nodes
				if len(names) == 0 {
					for _, n := range v.Nodes {
						if n.IsEnabled() {
							names = append(names, n.Name)
						}
					}
				}
				for _, name := range names {
					core, err := node.New(v, name)
					if err != nil {
						return exitCode(2, err)
					}
					ls.Nodes = append(ls.Nodes, play.NodeSpec{Name: name, Spec: core.Spec()})
					if c, ok := core.(interface{ Close() error }); ok {
						c.Close()
					}
				}
				o.Lockstep = ls
				o.Exclude = ls.Outputs()
			}
			conn, url, err := busFromFlags(natsURL, cfgPath, "replay-play")
			if err != nil {
				return err
			}
			defer conn.Close()
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			log.Printf("replay play: %s to %s (rate %v, start %v, loop %v, lockstep %v)", args[0], url, rate, start, loop, lockstep)
			st, err := play.Play(ctx, conn, r, o)
			if err != nil && ctx.Err() == nil {
				return replayErr(err)
			}
			w := cmd.OutOrStdout()
			if asJSON {
				return json.NewEncoder(w).Encode(st)
			}
			fmt.Fprintf(w, "played %d messages (%.1f MB) in %.3f s: %.0f msgs/s, %.1f MB/s; %d loops, %d clock ticks synthesized\n",
				st.Messages, float64(st.Bytes)/1e6, st.Elapsed.Seconds(), st.MsgsPerSec, st.MBPerSec, st.Loops, st.Clock)
			if rate > 0 && !lockstep {
				fmt.Fprintf(w, "lateness behind schedule: p50 %.3f ms, p99 %.3f ms, max %.3f ms; gap error between publishes: p99 %.3f ms, max %.3f ms\n",
					float64(st.LateP50)/1e6, float64(st.LateP99)/1e6, float64(st.LateMax)/1e6, float64(st.GapErrP99)/1e6, float64(st.GapErrMax)/1e6)
			}
			if lockstep {
				fmt.Fprintf(w, "lockstep: %d node steps waited for\n", st.Steps)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.Float64Var(&rate, "rate", 1, "playback speed: 1 = recorded pace, 0 = as fast as possible")
	f.DurationVar(&start, "start", 0, "skip this much of the recording")
	f.BoolVar(&loop, "loop", false, "start over at the end until interrupted")
	f.StringSliceVar(&subjects, "subjects", nil, "subject patterns to publish (default all)")
	f.StringVar(&natsURL, "nats", "", "NATS server URL (default: nats.url of --config)")
	f.StringVar(&cfgPath, "config", "configs/vehicle.yaml", "vehicle config (NATS URL; nodes for --lockstep)")
	f.BoolVar(&lockstep, "lockstep", false, "wait for each triggered node's output before going on")
	f.StringSliceVar(&nodes, "nodes", nil, "lockstep: the nodes to wait for (default all enabled nodes of --config)")
	f.DurationVar(&stepTimeout, "step-timeout", play.DefaultStepTimeout, "lockstep: how long to wait for one node step")
	f.DurationVar(&clockPeriod, "clock-period", play.DefaultClockPeriod, "period of the synthesized av.sim.clock (negative = none)")
	f.BoolVar(&recover, "recover", false, "play the complete chunks of a truncated file")
	f.BoolVar(&asJSON, "json", false, "print the statistics as JSON")
	return cmd
}

func replayTestCmd() *cobra.Command {
	var (
		nodeName, cfgPath, refPath string
		update, asJSON, recover    bool
		abs, rel                   float64
		ignore                     []string
		maxDiffs                   int
	)
	cmd := &cobra.Command{
		Use:   "test FILE --node NAME [--config FILE] [--update] [--json]",
		Short: "Replay a node on recorded inputs and compare its outputs (exit 0 equal, 1 regression, 2 bad input)",
		Long: `Builds NAME from the vehicle config, feeds it the recorded inputs in recorded order in lockstep
(node.Runner's step rules), and compares its outputs with the reference: --ref FILE, else
FILE.NAME.ref.mcap beside the recording when it exists, else the outputs recorded in FILE itself.
Counts per subject, then bytes, then fields with tolerances (per node kind; --abs/--rel/--ignore
override). --update writes the new outputs as the reference (--ref or FILE.NAME.ref.mcap).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if nodeName == "" {
				return exitCode(2, errors.New("replay test: --node NAME is required"))
			}
			v, err := config.LoadVehicle(cfgPath)
			if err != nil {
				return exitCode(2, err)
			}
			rec, err := openRecording(args[0], recover)
			if err != nil {
				return err
			}
			defer rec.Close()
			ref := harness.ResolveReference(args[0], nodeName, refPath)
			var refR *mcapio.Reader
			if ref != "" && !update {
				if refR, err = openRecording(ref, false); err != nil {
					return err
				}
				defer refR.Close()
			}
			o := harness.Options{Vehicle: v, Node: nodeName, MaxDiffs: maxDiffs}
			fl := cmd.Flags()
			if fl.Changed("abs") || fl.Changed("rel") || fl.Changed("ignore") {
				nc, _ := v.Node(nodeName)
				tol := harness.ToleranceFor(nc.KindName())
				if fl.Changed("abs") {
					tol.Abs = abs
				}
				if fl.Changed("rel") {
					tol.Rel = rel
				}
				if fl.Changed("ignore") {
					tol.Ignore = ignore
				}
				o.Tolerance = &tol
			}
			res, err := harness.Run(rec, refR, o)
			if err != nil {
				return exitCode(harness.ExitCode(nil, err), err)
			}
			w := cmd.OutOrStdout()
			if update {
				out := refPath
				if out == "" {
					out = harness.ReferencePath(args[0], nodeName)
				}
				if err := harness.WriteReference(out, res); err != nil {
					return exitCode(1, err)
				}
				fmt.Fprintf(w, "wrote %d outputs of node %s (%d steps) to %s\n", len(res.Outputs), nodeName, res.Steps, out)
				return nil
			}
			if asJSON {
				if err := json.NewEncoder(w).Encode(res); err != nil {
					return err
				}
			} else {
				res.Format(w)
			}
			if code := harness.ExitCode(res, nil); code != 0 {
				return exitCode(code, errors.New(""))
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&nodeName, "node", "", "node name in the vehicle config")
	f.StringVar(&cfgPath, "config", "configs/vehicle.yaml", "vehicle config")
	f.StringVar(&refPath, "ref", "", "reference file (default FILE.NODE.ref.mcap if present, else FILE's own outputs)")
	f.BoolVar(&update, "update", false, "write the new outputs as the reference")
	f.BoolVar(&asJSON, "json", false, "print the result as JSON")
	f.BoolVar(&recover, "recover", false, "read the complete chunks of a truncated recording")
	f.Float64Var(&abs, "abs", 0, "absolute float tolerance (default: the node kind's)")
	f.Float64Var(&rel, "rel", 0, "relative float tolerance (default: the node kind's)")
	f.StringSliceVar(&ignore, "ignore", nil, "field paths to ignore, e.g. header.seq,objects.age")
	f.IntVar(&maxDiffs, "max-diffs", 10, "how many differences to print")
	return cmd
}

func replayImportCmd() *cobra.Command {
	imp := &cobra.Command{Use: "import", Short: "Turn datasets into recordings"}
	var (
		out, camera, lidar string
		period             time.Duration
		limit              int
	)
	kittiCmd := &cobra.Command{
		Use:   "kitti DIR --out FILE.mcap",
		Short: "Import KITTI object frames (velodyne, image_2, calib, label_2) or a raw drive",
		Long: `Writes camera images (PNG as is), point clouds, camera calibration, the camera-lidar transform
and labels (av.dataset.labels) of a KITTI object-layout folder, one frame every --period; or the
camera and lidar samples of a raw drive folder at their own timestamps.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return exitCode(2, errors.New("replay import kitti: --out FILE.mcap is required"))
			}
			st, err := kittiimport.Import(args[0], out, kittiimport.Options{Camera: camera, Lidar: lidar, Period: period, Limit: limit})
			if err != nil {
				return exitCode(2, err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "imported %d %s frames (%d messages, %d labels) to %s\n", st.Frames, st.Layout, st.Messages, st.Labels, out)
			return nil
		},
	}
	f := kittiCmd.Flags()
	f.StringVar(&out, "out", "", "MCAP file to write")
	f.StringVar(&camera, "camera", "front", "camera name of the subjects")
	f.StringVar(&lidar, "lidar", "top", "lidar name of the subjects")
	f.DurationVar(&period, "period", 100*time.Millisecond, "time between object-layout frames")
	f.IntVar(&limit, "limit", 0, "import only the first N frames")
	imp.AddCommand(kittiCmd)
	return imp
}
