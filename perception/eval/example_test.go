package eval_test

import (
	"fmt"

	"github.com/avstack/avstack/perception/eval"
)

// One object tracked over three frames; the tracker changes its id in the last frame.
func ExampleEvalMOT() {
	frames := []eval.MOTFrame{
		{Truth: []eval.MOTObject{{ID: 1, X: 10}}, Hyp: []eval.MOTObject{{ID: 7, X: 10.2}}},
		{Truth: []eval.MOTObject{{ID: 1, X: 11}}, Hyp: []eval.MOTObject{{ID: 7, X: 11.1}}},
		{Truth: []eval.MOTObject{{ID: 1, X: 12}}, Hyp: []eval.MOTObject{{ID: 8, X: 12.0}}},
	}
	r, _ := eval.EvalMOT(frames, 2)
	fmt.Printf("MOTA %.3f, id switches %d, IDF1 %.3f\n", r.MOTA, r.IDSwitches, r.IDF1)
	// Output: MOTA 0.667, id switches 1, IDF1 0.667
}
