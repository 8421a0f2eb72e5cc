package main

func init() {
	rootCmd.AddCommand(notYet("detect", "Run a detector on an image", "issue 3"))
}
