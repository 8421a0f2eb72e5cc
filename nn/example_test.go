package nn_test

import (
	"fmt"

	"github.com/avstack/avstack/nn"
)

func ExampleTensor_Transpose() {
	x := nn.FromSlice([]float32{1, 2, 3, 4, 5, 6}, 2, 3)
	v := x.Transpose(1, 0) // a view: no copy
	fmt.Println(v.Shape(), v.IsContiguous())
	fmt.Println(v.Contiguous().Data())
	// Output:
	// [3 2] false
	// [1 4 2 5 3 6]
}
