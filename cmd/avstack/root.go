package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

var rootCmd = &cobra.Command{
	Use:           "avstack",
	Short:         "avstack: an autonomous-driving perception and planning stack",
	SilenceUsage:  true,
	SilenceErrors: true,
}

// version is set at link time (-ldflags "-X main.version=...").
var version = "dev"

func init() {
	rootCmd.AddCommand(&cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		Run: func(cmd *cobra.Command, _ []string) {
			rev := ""
			if bi, ok := debug.ReadBuildInfo(); ok {
				for _, s := range bi.Settings {
					if s.Key == "vcs.revision" {
						rev = " " + s.Value
					}
				}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "avstack %s%s %s %s/%s\n", version, rev, runtime.Version(), runtime.GOOS, runtime.GOARCH)
		},
	})
}

// notYet wires a command whose implementation lands with a later issue.
func notYet(use, short, issue string) *cobra.Command {
	return &cobra.Command{
		Use:                use,
		Short:              short + " (not built yet: " + issue + ")",
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return exitCode(2, fmt.Errorf("%s is not built yet (%s)", cmd.CommandPath(), issue))
		},
	}
}
