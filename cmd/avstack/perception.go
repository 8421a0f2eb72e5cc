package main

// The perception node (kind "perception") registers itself in its package's init.
import _ "github.com/avstack/avstack/perception/perceive"
