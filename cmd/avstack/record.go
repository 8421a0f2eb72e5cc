package main

func init() {
	rootCmd.AddCommand(notYet("record", "Record bus traffic to MCAP", "issue 9"))
}
