package detect

import (
	"reflect"
	"testing"
)

func TestIoU(t *testing.T) {
	cases := []struct {
		name string
		a, b [4]float32
		want float32
	}{
		{"identical", [4]float32{0, 0, 10, 10}, [4]float32{0, 0, 10, 10}, 1},
		{"disjoint", [4]float32{0, 0, 10, 10}, [4]float32{20, 20, 30, 30}, 0},
		{"touching edge", [4]float32{0, 0, 10, 10}, [4]float32{10, 0, 20, 10}, 0},
		{"half overlap", [4]float32{0, 0, 10, 10}, [4]float32{5, 0, 15, 10}, 50.0 / 150},
		{"contained", [4]float32{0, 0, 10, 10}, [4]float32{2, 2, 7, 7}, 25.0 / 100},
		{"empty box", [4]float32{0, 0, 0, 0}, [4]float32{0, 0, 0, 0}, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := IoU(c.a, c.b); got-c.want > 1e-6 || c.want-got > 1e-6 {
				t.Errorf("IoU = %v, want %v", got, c.want)
			}
		})
	}
}

func TestNMS(t *testing.T) {
	box := func(x float32) [4]float32 { return [4]float32{x, 0, x + 10, 10} }
	cases := []struct {
		name string
		in   []Detection
		iou  float32
		want []Detection
	}{
		{"empty", nil, 0.45, nil},
		{"overlapping same class keeps best",
			[]Detection{{Class: 0, Score: 0.6, Box: box(1)}, {Class: 0, Score: 0.9, Box: box(0)}},
			0.45, []Detection{{Class: 0, Score: 0.9, Box: box(0)}}},
		{"overlapping different classes both kept",
			[]Detection{{Class: 1, Score: 0.6, Box: box(1)}, {Class: 0, Score: 0.9, Box: box(0)}},
			0.45, []Detection{{Class: 0, Score: 0.9, Box: box(0)}, {Class: 1, Score: 0.6, Box: box(1)}}},
		{"overlap below threshold kept", // IoU of box(0), box(5) = 1/3
			[]Detection{{Class: 0, Score: 0.9, Box: box(0)}, {Class: 0, Score: 0.8, Box: box(5)}},
			0.45, []Detection{{Class: 0, Score: 0.9, Box: box(0)}, {Class: 0, Score: 0.8, Box: box(5)}}},
		{"same overlap above a lower threshold suppressed",
			[]Detection{{Class: 0, Score: 0.9, Box: box(0)}, {Class: 0, Score: 0.8, Box: box(5)}},
			0.3, []Detection{{Class: 0, Score: 0.9, Box: box(0)}}},
		{"chain: suppressed box does not suppress", // b overlaps a and c; a and c do not overlap
			[]Detection{{Class: 0, Score: 0.9, Box: box(0)}, {Class: 0, Score: 0.8, Box: box(2)}, {Class: 0, Score: 0.7, Box: box(9)}},
			0.45, []Detection{{Class: 0, Score: 0.9, Box: box(0)}, {Class: 0, Score: 0.7, Box: box(9)}}},
		{"equal scores keep input order",
			[]Detection{{Class: 0, Score: 0.5, Box: box(20)}, {Class: 0, Score: 0.5, Box: box(0)}},
			0.45, []Detection{{Class: 0, Score: 0.5, Box: box(20)}, {Class: 0, Score: 0.5, Box: box(0)}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := NMS(c.in, c.iou); !reflect.DeepEqual(got, c.want) {
				t.Errorf("NMS = %v, want %v", got, c.want)
			}
		})
	}
}
