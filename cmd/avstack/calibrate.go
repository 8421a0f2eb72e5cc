package main

func init() {
	rootCmd.AddCommand(notYet("calibrate", "Calibrate sensors", "issue 6"))
}
