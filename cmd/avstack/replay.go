package main

func init() {
	rootCmd.AddCommand(notYet("replay", "Inspect, play and regression-test recordings", "issue 9"))
}
