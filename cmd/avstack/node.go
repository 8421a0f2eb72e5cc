package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/avstack/avstack/bus"
	"github.com/avstack/avstack/config"
	"github.com/avstack/avstack/node"
	_ "github.com/avstack/avstack/node/heartbeat"
)

func init() {
	var cfgPath, natsURL, metrics, clock string
	cmd := &cobra.Command{
		Use:   "node NAME",
		Short: "Run one node of the config as its own process",
		Long: "Runs the node NAME of the vehicle config on the bus until SIGINT or SIGTERM.\n" +
			"Registered kinds: see `avstack node --list`.",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if list, _ := cmd.Flags().GetBool("list"); list {
				for _, k := range node.Kinds() {
					fmt.Fprintln(cmd.OutOrStdout(), k)
				}
				return nil
			}
			if len(args) != 1 {
				return exitCode(2, fmt.Errorf("node: give the node's name"))
			}
			name := args[0]
			v, err := config.LoadVehicle(cfgPath)
			if err != nil {
				return exitCode(2, err)
			}
			core, err := node.New(v, name)
			if err != nil {
				return exitCode(2, err)
			}
			nc, _ := v.Node(name)
			if natsURL == "" {
				natsURL = v.NATS.URL
			}
			if natsURL == "" {
				return exitCode(2, fmt.Errorf("node %s: no NATS URL: pass --nats or set nats.url in %s", name, cfgPath))
			}
			conn, err := bus.Connect(bus.ConnectOptions{URL: natsURL, Name: name, CredsFile: v.NATS.CredsFile,
				TLSCAFile: v.NATS.TLSCAFile, TLSCertFile: v.NATS.TLSCertFile, TLSKeyFile: v.NATS.TLSKeyFile})
			if err != nil {
				return err
			}
			defer conn.Close()
			opts := node.RunOptions{Name: name}
			if clock == "sim" {
				sc, err := bus.FollowSimClock(conn)
				if err != nil {
					return err
				}
				defer sc.Close()
				opts.Clock = sc
				// Driven tick by tick by a simulator or player: take every input.
				opts.Lockstep = true
			} else if clock != "wall" {
				return exitCode(2, fmt.Errorf("node: --clock %q: want wall or sim", clock))
			}
			r, err := node.NewRunner(conn, core, opts)
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			if metrics == "" {
				metrics = nc.Metrics
			}
			if metrics != "" {
				go func() {
					if err := node.ServeMetrics(ctx, metrics, r.Registry()); err != nil {
						log.Printf("%v", err)
					}
				}()
			}
			log.Printf("node %s (%s) running on %s", name, nc.KindName(), natsURL)
			return r.Run(ctx)
		},
	}
	cmd.Flags().StringVar(&cfgPath, "config", "configs/vehicle.yaml", "vehicle config file")
	cmd.Flags().StringVar(&natsURL, "nats", "", "NATS server URL (default: nats.url of the config)")
	cmd.Flags().StringVar(&metrics, "metrics", "", "serve Prometheus metrics on this address (e.g. :9102)")
	cmd.Flags().StringVar(&clock, "clock", "wall", "wall, or sim to follow av.sim.clock")
	cmd.Flags().Bool("list", false, "list the registered node kinds")
	rootCmd.AddCommand(cmd)
}
