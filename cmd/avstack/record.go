package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/avstack/avstack/bus"
	"github.com/avstack/avstack/config"
	"github.com/avstack/avstack/replay/mcapio"
	"github.com/avstack/avstack/replay/record"
	"github.com/avstack/avstack/sim"
)

// The simulator records without a bus hop: every message it sees goes to the writer.
func init() {
	simRecorder = func(path string) (sim.Observer, func() error, error) {
		w, err := mcapio.Create(path, mcapio.WriterOptions{})
		if err != nil {
			return nil, nil, err
		}
		ob := record.NewObserver(w)
		return ob.Observe, func() error {
			cerr := w.Close()
			if err := ob.Err(); err != nil {
				return err
			}
			return cerr
		}, nil
	}
}

// busFromFlags connects to --nats, or to nats.url (and credentials) of the vehicle config.
func busFromFlags(natsURL, cfgPath, name string) (*bus.Conn, string, error) {
	o := bus.ConnectOptions{URL: natsURL, Name: name}
	if natsURL == "" {
		v, err := config.LoadVehicle(cfgPath)
		if err != nil {
			return nil, "", exitCode(2, fmt.Errorf("%s: no --nats given and the config does not load: %w", name, err))
		}
		if v.NATS.URL == "" {
			return nil, "", exitCode(2, fmt.Errorf("%s: no NATS URL: pass --nats or set nats.url in %s", name, cfgPath))
		}
		o = bus.ConnectOptions{URL: v.NATS.URL, Name: name, CredsFile: v.NATS.CredsFile,
			TLSCAFile: v.NATS.TLSCAFile, TLSCertFile: v.NATS.TLSCertFile, TLSKeyFile: v.NATS.TLSKeyFile}
	}
	o.MaxReconnects = 5
	conn, err := bus.Connect(o)
	if err != nil {
		return nil, "", exitCode(2, err)
	}
	return conn, o.URL, nil
}

func init() {
	var (
		out, natsURL, cfgPath, splitSize, chunkSize, compression string
		subjects                                                 []string
		duration, splitDuration                                  time.Duration
		all                                                      bool
	)
	cmd := &cobra.Command{
		Use:   "record --out FILE.mcap [--subjects 'av.>'] [--duration D] [--nats URL]",
		Short: "Record bus traffic to MCAP",
		Long: `Subscribes to the subjects (NATS patterns; default every catalogue subject under av.>) and
writes what arrives to an MCAP file that opens in Foxglove: one channel per subject, protobuf
schemas, zstd chunks, index and summary. Log time is the receive time, publish time the
message's own stamp. Stops after --duration or on SIGINT/SIGTERM and closes the file; a recorder
that is killed leaves every complete chunk readable (avstack replay info --recover).
--split-size (e.g. 500MB) or --split-duration (e.g. 5m) write FILE_000.mcap, FILE_001.mcap...`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return exitCode(2, errors.New("record: --out FILE.mcap is required"))
			}
			if duration < 0 || splitDuration < 0 {
				return exitCode(2, errors.New("record: durations must not be negative"))
			}
			wo := mcapio.WriterOptions{Compression: compression, SplitDuration: splitDuration}
			var err error
			if splitSize != "" {
				if wo.SplitSize, err = record.ParseSize(splitSize); err != nil {
					return exitCode(2, err)
				}
			}
			if chunkSize != "" {
				if wo.ChunkSize, err = record.ParseSize(chunkSize); err != nil {
					return exitCode(2, err)
				}
			}
			conn, url, err := busFromFlags(natsURL, cfgPath, "record")
			if err != nil {
				return err
			}
			defer conn.Close()
			w, err := mcapio.Create(out, wo)
			if err != nil {
				return exitCode(2, err)
			}
			var errCount int
			rec, err := record.Start(conn, w, record.Options{Subjects: subjects, All: all, OnError: func(err error) {
				if errCount++; errCount <= 10 {
					log.Printf("%v", err)
				}
			}})
			if err != nil {
				w.Close()
				return exitCode(2, err)
			}
			log.Printf("record: %v from %s to %s", subjects, url, out)
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			if duration > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, duration)
				defer cancel()
			}
			t0 := time.Now()
			<-ctx.Done()
			st := rec.Stop(2 * time.Second)
			cerr := w.Close()
			el := time.Since(t0).Seconds()
			fmt.Fprintf(cmd.OutOrStdout(), "recorded %d messages, %.1f MB in %.1f s to %v\n", st.Messages, float64(st.Bytes)/1e6, el, w.Files())
			for _, s := range record.SortedSubjects(st.PerSubject) {
				fmt.Fprintf(cmd.OutOrStdout(), "  %-36s %d\n", s, st.PerSubject[s])
			}
			for _, s := range record.SortedSubjects(st.Skipped) {
				fmt.Fprintf(cmd.OutOrStdout(), "  skipped (%s): %d\n", s, st.Skipped[s])
			}
			if st.Lost > 0 {
				fmt.Fprintf(cmd.OutOrStdout(), "  LOST (queue full): %d\n", st.Lost)
			}
			if cerr != nil {
				return exitCode(1, cerr)
			}
			if st.Lost > 0 {
				return exitCode(1, fmt.Errorf("record: %d messages lost: the disk or the recorder could not keep up", st.Lost))
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&out, "out", "", "MCAP file to write")
	f.StringSliceVar(&subjects, "subjects", []string{"av.>"}, "NATS subject patterns to record")
	f.DurationVar(&duration, "duration", 0, "stop after this long (0 = until SIGINT/SIGTERM)")
	f.StringVar(&natsURL, "nats", "", "NATS server URL (default: nats.url of --config)")
	f.StringVar(&cfgPath, "config", "configs/vehicle.yaml", "vehicle config (for the NATS URL and credentials)")
	f.StringVar(&splitSize, "split-size", "", "start a new file after this many bytes (e.g. 500MB)")
	f.DurationVar(&splitDuration, "split-duration", 0, "start a new file after this much log time")
	f.StringVar(&chunkSize, "chunk-size", "", "uncompressed chunk size (default 1MiB); a killed recorder loses at most one chunk")
	f.StringVar(&compression, "compression", "zstd", "chunk compression: zstd, lz4 or none")
	f.BoolVar(&all, "all", false, "also record subjects outside the catalogue (any registered type)")
	rootCmd.AddCommand(cmd)
}
