package main

func init() {
	rootCmd.AddCommand(notYet("train", "Train the learned models", "a later issue"))
}
