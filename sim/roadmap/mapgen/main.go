// Command mapgen writes the built-in maps to configs/maps (run from the repository root:
// `go run ./sim/roadmap/mapgen`).
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/avstack/avstack/sim/roadmap"
)

func main() {
	dir := "configs/maps"
	if len(os.Args) > 1 {
		dir = os.Args[1]
	}
	maps := roadmap.BuiltinMaps()
	for _, name := range roadmap.BuiltinNames() {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, maps[name], 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "mapgen:", err)
			os.Exit(1)
		}
		fmt.Println("wrote", path)
	}
}
