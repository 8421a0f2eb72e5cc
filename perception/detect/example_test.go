package detect_test

import (
	"fmt"

	"github.com/avstack/avstack/perception/detect"
)

// Two overlapping "car" boxes and an overlapping "person" box: NMS keeps the better car and the
// person (suppression is per class).
func ExampleNMS() {
	dets := []detect.Detection{
		{Class: 2, Name: "car", Score: 0.7, Box: [4]float32{12, 10, 110, 60}},
		{Class: 2, Name: "car", Score: 0.9, Box: [4]float32{10, 10, 100, 60}},
		{Class: 0, Name: "person", Score: 0.8, Box: [4]float32{20, 10, 100, 60}},
	}
	for _, d := range detect.NMS(dets, 0.45) {
		fmt.Printf("%s %.1f %v\n", d.Name, d.Score, d.Box)
	}
	// Output:
	// car 0.9 [10 10 100 60]
	// person 0.8 [20 10 100 60]
}

func ExampleDrivingClassOf() {
	for _, coco := range []string{"motorbike", "truck", "dog"} {
		c, ok := detect.DrivingClassOf(coco)
		fmt.Printf("%s -> %q %v\n", coco, c, ok)
	}
	// Output:
	// motorbike -> "motorcycle" true
	// truck -> "truck" true
	// dog -> "" false
}
