package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/avstack/avstack/config"
	"github.com/avstack/avstack/sim"
	"github.com/avstack/avstack/sim/scenario"
)

// simRecorder opens an MCAP recording for `avstack sim --record`. The replay package's command
// file sets it in its init(); it returns the observer that writes every message and a close
// function that finishes the file.
var simRecorder func(path string) (sim.Observer, func() error, error)

type simFlags struct {
	scenario, suite, config, mode, driver, record, video string
	nodes, stop                                          []string
	seed                                                 uint64
	seeds                                                int
	headless, jsonOut                                    bool
	timeout                                              time.Duration
}

func init() {
	var f simFlags
	cmd := &cobra.Command{
		Use:   "sim --scenario FILE",
		Short: "Run a scenario in the closed-loop simulator",
		Long: `Run a scenario (configs/scenarios/*.yaml, see docs/scenarios.md) in the closed-loop simulator
and score it. Exit status: 0 when the scenario's pass criteria hold, 1 when they do not (or the
stack fails to answer in lockstep), 2 for bad input.

--driver builtin drives with the simulator's own lane follower; --driver stack runs the nodes of
--config in this process and obeys av.control.command. Sensors (camera, lidar) are rendered with
--headless-sensors=false, which is the default for --driver stack.

--suite DIR runs every scenario of a folder for --seeds seeds (scenario seed, +1, ...) and prints
{"runs": [...], "totals": {...}}.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runSim(cmd, f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.scenario, "scenario", "", "scenario YAML file")
	fl.StringVar(&f.suite, "suite", "", "run every *.yaml scenario of this folder")
	fl.IntVar(&f.seeds, "seeds", 1, "with --suite: seeds per scenario")
	fl.Uint64Var(&f.seed, "seed", 0, "override the scenario's seed")
	fl.StringVar(&f.config, "config", "configs/vehicle.yaml", "vehicle config (dynamics, sensors, nodes)")
	fl.StringVar(&f.mode, "mode", string(sim.Lockstep), "scheduling: lockstep or realtime")
	fl.StringVar(&f.driver, "driver", string(sim.DriverBuiltin), "who drives: builtin or stack")
	fl.StringSliceVar(&f.nodes, "nodes", nil, "with --driver stack: the nodes of --config to run (default: every enabled node)")
	fl.StringSliceVar(&f.stop, "stop-node", nil, "with --driver stack: stop NODE@SECONDS mid-run (watchdog tests), repeatable")
	fl.StringVar(&f.record, "record", "", "write every bus message to this MCAP file")
	fl.StringVar(&f.video, "video", "", "write a bird's-eye view beside the camera image (.avi MJPG or .mp4 mp4v)")
	fl.BoolVar(&f.headless, "headless-sensors", true, "do not render and publish camera and lidar (default false with --driver stack)")
	fl.BoolVar(&f.jsonOut, "json", false, "print the result as one JSON object")
	fl.DurationVar(&f.timeout, "timeout", 10*time.Second, "lockstep: how long one tick waits for the nodes")
	rootCmd.AddCommand(cmd)
}

func runSim(cmd *cobra.Command, f simFlags) error {
	if (f.scenario == "") == (f.suite == "") {
		return exitCode(2, fmt.Errorf("sim: give --scenario FILE or --suite DIR"))
	}
	if f.seeds < 1 {
		return exitCode(2, fmt.Errorf("sim: --seeds %d must be at least 1", f.seeds))
	}
	v, err := config.LoadVehicle(f.config)
	if err != nil {
		return exitCode(2, err)
	}
	opts := sim.Options{Vehicle: v, Mode: sim.Mode(f.mode), Driver: sim.Driver(f.driver), StepTimeout: f.timeout, Video: f.video, Nodes: f.nodes}
	for _, n := range f.nodes {
		if _, ok := v.Node(n); !ok {
			return exitCode(2, fmt.Errorf("sim: --nodes: %s has no node %q", f.config, n))
		}
	}
	if opts.Mode != sim.Lockstep && opts.Mode != sim.Realtime {
		return exitCode(2, fmt.Errorf("sim: --mode %q: must be lockstep or realtime", f.mode))
	}
	if opts.Driver != sim.DriverBuiltin && opts.Driver != sim.DriverStack {
		return exitCode(2, fmt.Errorf("sim: --driver %q: must be builtin or stack", f.driver))
	}
	for _, st := range f.stop {
		i := strings.LastIndexByte(st, '@')
		at, err := strconv.ParseFloat(st[i+1:], 64)
		if i <= 0 || err != nil || at < 0 {
			return exitCode(2, fmt.Errorf("sim: --stop-node %q: want NODE@SECONDS", st))
		}
		if _, ok := v.Node(st[:i]); !ok {
			return exitCode(2, fmt.Errorf("sim: --stop-node: %s has no node %q", f.config, st[:i]))
		}
		opts.StopNodes = append(opts.StopNodes, sim.NodeStop{Name: st[:i], AtS: at})
	}
	opts.Sensors = !f.headless
	if !cmd.Flags().Changed("headless-sensors") && opts.Driver == sim.DriverStack {
		opts.Sensors = true
	}
	if f.video != "" {
		if _, err := sim.VideoCodec(f.video); err != nil {
			return exitCode(2, err)
		}
	}
	if cmd.Flags().Changed("seed") {
		s := f.seed
		opts.Seed = &s
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	out := cmd.OutOrStdout()
	if f.suite != "" {
		return runSuite(ctx, out, cmd.ErrOrStderr(), f, opts)
	}
	sc, err := scenario.Load(f.scenario)
	if err != nil {
		return exitCode(2, err)
	}
	if f.record != "" {
		if simRecorder == nil {
			return exitCode(2, fmt.Errorf("sim: --record: no MCAP recorder is linked into this binary (replay, issue 9)"))
		}
		obs, closeRec, err := simRecorder(f.record)
		if err != nil {
			return exitCode(2, err)
		}
		opts.Observer = obs
		defer func() {
			if err := closeRec(); err != nil {
				fmt.Fprintln(cmd.ErrOrStderr(), "avstack: sim: --record:", err)
			}
		}()
	}
	res, err := sim.Run(ctx, sc, opts)
	if err != nil {
		return exitCode(1, err)
	}
	if f.jsonOut {
		enc := json.NewEncoder(out)
		if err := enc.Encode(res); err != nil {
			return exitCode(2, err)
		}
	} else {
		printResult(out, res)
	}
	if !res.Passed {
		return exitCode(1, fmt.Errorf(""))
	}
	return nil
}

func printResult(w io.Writer, r *sim.Result) {
	ttc := "none"
	if r.MinTTCS != nil {
		ttc = fmt.Sprintf("%.2f s", *r.MinTTCS)
	}
	status := "PASS"
	if !r.Passed {
		status = "FAIL"
	}
	fmt.Fprintf(w, "%s %s seed %d: %.1f s sim in %.2f s wall (%.1fx real time), %d ticks\n", status, r.Scenario, r.Seed, r.SimTimeS, r.WallTimeS, r.RealtimeFactor, r.Ticks)
	fmt.Fprintf(w, "  route completion %.3f, driving score %.1f, collisions %d, off-road %.2f s, lane departure %.2f s, min TTC %s\n",
		r.RouteCompletion, r.DrivingScore, r.Collisions, r.OffroadS, r.LaneDepartureS, ttc)
	fmt.Fprintf(w, "  |long accel| %.2f, |lat accel| %.2f m/s^2, |jerk| %.2f m/s^3 (comfortable %v), emergency %.1f s, violations %d\n",
		r.MaxAbsLongAccel, r.MaxAbsLatAccel, r.MaxAbsJerk, r.Comfortable, r.EmergencyS, len(r.Violations))
	for _, f := range r.Failures {
		fmt.Fprintln(w, "  failed:", f)
	}
}

type suiteTotals struct {
	Runs             int     `json:"runs"`
	Passed           int     `json:"passed"`
	Collisions       int     `json:"collisions"`
	MeanDrivingScore float64 `json:"mean_driving_score"`
	MinDrivingScore  float64 `json:"min_driving_score"`
	// Comfort (nuPlan's bounds) over the runs without an emergency manoeuvre (emergency_s 0).
	NonEmergencyRuns int `json:"non_emergency_runs"`
	ComfortableRuns  int `json:"comfortable_non_emergency_runs"`
}

func runSuite(ctx context.Context, out, progress io.Writer, f simFlags, opts sim.Options) error {
	files, err := filepath.Glob(filepath.Join(f.suite, "*.yaml"))
	if err != nil || len(files) == 0 {
		return exitCode(2, fmt.Errorf("sim: --suite %s: no *.yaml scenarios", f.suite))
	}
	sort.Strings(files)
	if f.record != "" {
		return exitCode(2, fmt.Errorf("sim: --record records one scenario; drop it with --suite"))
	}
	var scs []*scenario.Scenario
	for _, file := range files {
		sc, err := scenario.Load(file)
		if err != nil {
			return exitCode(2, err)
		}
		scs = append(scs, sc)
	}
	var runs []*sim.Result
	tot := suiteTotals{MinDrivingScore: 100}
	total, t0 := len(scs)*f.seeds, time.Now()
	for _, sc := range scs {
		for k := 0; k < f.seeds; k++ {
			o := opts
			seed := sc.Seed + uint64(k)
			if opts.Seed != nil {
				seed = *opts.Seed + uint64(k)
			}
			o.Seed = &seed
			o.Video = ""
			res, err := sim.Run(ctx, sc, o)
			if err != nil {
				res = &sim.Result{Scenario: sc.Name, Seed: seed, Failures: []string{err.Error()}}
			}
			runs = append(runs, res)
			tot.Runs++
			if res.Passed {
				tot.Passed++
			}
			tot.Collisions += res.Collisions
			tot.MeanDrivingScore += res.DrivingScore
			tot.MinDrivingScore = min(tot.MinDrivingScore, res.DrivingScore)
			if res.EmergencyS == 0 {
				tot.NonEmergencyRuns++
				if res.Comfortable {
					tot.ComfortableRuns++
				}
			}
			if !f.jsonOut {
				printResult(out, res)
			} else {
				verdict := "PASS"
				if !res.Passed {
					verdict = "FAIL " + strings.Join(res.Failures, "; ")
				}
				fmt.Fprintf(progress, "sim: [%d/%d %s] %s seed %d: score %.1f %s\n", tot.Runs, total, time.Since(t0).Round(time.Second), res.Scenario, res.Seed, res.DrivingScore, verdict)
			}
		}
	}
	tot.MeanDrivingScore /= float64(tot.Runs)
	if f.jsonOut {
		if err := json.NewEncoder(out).Encode(struct {
			Runs   []*sim.Result `json:"runs"`
			Totals suiteTotals   `json:"totals"`
		}{runs, tot}); err != nil {
			return exitCode(2, err)
		}
	} else {
		fmt.Fprintf(out, "suite: %d/%d passed, %d collisions, driving score mean %.1f min %.1f; comfortable %d of %d runs without an emergency manoeuvre\n",
			tot.Passed, tot.Runs, tot.Collisions, tot.MeanDrivingScore, tot.MinDrivingScore, tot.ComfortableRuns, tot.NonEmergencyRuns)
	}
	if tot.Passed != tot.Runs {
		return exitCode(1, fmt.Errorf(""))
	}
	return nil
}
