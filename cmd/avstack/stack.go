package main

// The planning and control nodes register their kinds ("planning", "control") in init().
import (
	_ "github.com/avstack/avstack/control"
	_ "github.com/avstack/avstack/planning"
)
