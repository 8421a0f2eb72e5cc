package assign_test

import (
	"fmt"
	"math"

	"github.com/avstack/avstack/perception/assign"
)

// Three tracks, two detections: track 1 may not take detection 0 (outside its gate).
func ExampleSolve() {
	inf := math.Inf(1)
	cost := [][]float64{
		{0.5, 4.0},
		{inf, 0.7},
		{3.0, 2.5},
	}
	fmt.Println(assign.Solve(cost))
	// Output: [0 1 -1]
}
