package detect

import "fmt"

// Output is one raw output tensor of a network: a name, an NCHW-style shape and contiguous
// float32 data. Decoders read Outputs so that they do not depend on which engine produced them.
type Output struct {
	Name  string
	Shape []int
	Data  []float32
}

// numel is the product of the shape's dimensions.
func numel(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// check returns an error when Data does not hold exactly the elements the Shape implies.
func (o Output) check() error {
	if len(o.Shape) == 0 {
		return fmt.Errorf("detect: output %q has no shape", o.Name)
	}
	for _, d := range o.Shape {
		if d <= 0 {
			return fmt.Errorf("detect: output %q has shape %v with a non-positive dimension", o.Name, o.Shape)
		}
	}
	if n := numel(o.Shape); n != len(o.Data) {
		return fmt.Errorf("detect: output %q has shape %v (%d elements) but %d values", o.Name, o.Shape, n, len(o.Data))
	}
	return nil
}
