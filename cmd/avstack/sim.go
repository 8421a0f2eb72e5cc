package main

func init() {
	rootCmd.AddCommand(notYet("sim", "Run a scenario in the closed-loop simulator", "issue 5"))
}
