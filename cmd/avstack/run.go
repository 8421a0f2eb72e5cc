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
	"github.com/avstack/avstack/node/supervisor"
)

func init() {
	var cfgPath string
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Run the whole stack: every enabled node of the config as a supervised child process",
		Long: "Starts an embedded NATS server on TCP (unless nats.url is set), then `avstack node NAME`\n" +
			"for each enabled node; restarts a crashed node with backoff; SIGINT/SIGTERM stops all.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			v, err := config.LoadVehicle(cfgPath)
			if err != nil {
				return exitCode(2, err)
			}
			exe, err := os.Executable()
			if err != nil {
				return err
			}
			url := v.NATS.URL
			if url == "" {
				srv, err := bus.StartServer(bus.ServerOptions{Listen: true, Port: v.NATS.Port, MaxPayload: v.NATS.MaxPayload})
				if err != nil {
					return err
				}
				defer srv.Shutdown()
				url = srv.URL()
				log.Printf("run: embedded NATS server on %s", url)
			}
			s := &supervisor.Supervisor{}
			for _, n := range v.Nodes {
				if !n.IsEnabled() {
					continue
				}
				s.Children = append(s.Children, supervisor.Child{
					Name: n.Name, Path: exe,
					Args:    []string{"node", n.Name, "--config", cfgPath, "--nats", url},
					Backoff: n.RestartBackoff, BackoffMax: n.RestartBackoffMax,
				})
			}
			if len(s.Children) == 0 {
				return exitCode(2, fmt.Errorf("run: %s enables no nodes", cfgPath))
			}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			log.Printf("run: %d nodes from %s", len(s.Children), cfgPath)
			return s.Run(ctx)
		},
	}
	cmd.Flags().StringVar(&cfgPath, "config", "configs/vehicle.yaml", "vehicle config file")
	rootCmd.AddCommand(cmd)
}
