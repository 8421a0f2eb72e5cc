package main

func init() {
	rootCmd.AddCommand(notYet("eval", "Evaluate perception on datasets and scenarios", "issue 7"))
}
