package detect

import (
	"math"
	"strings"
	"testing"
)

func logit(p float64) float32 { return float32(math.Log(p / (1 - p))) }

func near(a, b [4]float32, tol float32) bool {
	for i := range a {
		if d := a[i] - b[i]; d > tol || d < -tol {
			return false
		}
	}
	return true
}

// fastestDetTensor is a [1, 5+C, gh, gw] output with every cell at objectness 0.01 except those set.
func fastestDetTensor(classes, gh, gw int) Output {
	o := Output{Name: "758", Shape: []int{1, 5 + classes, gh, gw}, Data: make([]float32, (5+classes)*gh*gw)}
	for i := 0; i < gh*gw; i++ {
		o.Data[i] = 0.01
	}
	return o
}

func setCell(o *Output, h, w int, vals ...float32) {
	gh, gw := o.Shape[2], o.Shape[3]
	for c, v := range vals {
		o.Data[c*gh*gw+h*gw+w] = v
	}
}

func TestFastestDetDecode(t *testing.T) {
	// Cell row 1, column 2 of a 4x4 grid, input 100x80: centre x = (2+tanh(d1))/4*100 with
	// tanh(d1)=0.5 -> 62.5; centre y = (1+0.25)/4*80 = 25; w = sigmoid(d3)*100 = 50; h = 0.25*80 = 20.
	o := fastestDetTensor(3, 4, 4)
	setCell(&o, 1, 2, 0.9, float32(math.Atanh(0.5)), float32(math.Atanh(0.25)), logit(0.5), logit(0.25), 0.1, 0.8, 0.1)
	// A weaker cell: score 0.5^0.6*0.5^0.4 = 0.5, below 0.65.
	setCell(&o, 3, 3, 0.5, 0, 0, 0, 0, 0.5, 0.25, 0.25)
	dets, err := FastestDet{}.Decode([]Output{o}, 100, 80, 0.65)
	if err != nil {
		t.Fatal(err)
	}
	if len(dets) != 1 {
		t.Fatalf("got %d detections %v, want 1", len(dets), dets)
	}
	d := dets[0]
	wantScore := float32(math.Pow(0.9, 0.6) * math.Pow(0.8, 0.4))
	if d.Class != 1 || math.Abs(float64(d.Score-wantScore)) > 1e-6 {
		t.Errorf("class %d score %v, want 1 %v", d.Class, d.Score, wantScore)
	}
	if want := [4]float32{37.5, 15, 87.5, 35}; !near(d.Box, want, 1e-4) {
		t.Errorf("box %v, want %v", d.Box, want)
	}
}

func TestYOLOv3Decode(t *testing.T) {
	// Two heads, 2 anchors each, 2 classes, input 64x64: head 0 is 2x2 (stride 32), head 1 4x4.
	heads := []YoloHead{
		{Anchors: [][2]float32{{30, 40}, {50, 60}}, Classes: 2, ScaleXY: 1},
		{Anchors: [][2]float32{{10, 14}, {20, 30}}, Classes: 2, ScaleXY: 1.2},
	}
	mk := func(g int) Output {
		o := Output{Shape: []int{1, 2 * 7, g, g}, Data: make([]float32, 14*g*g)}
		for i := range o.Data {
			o.Data[i] = -10 // objectness and classes ~0
		}
		return o
	}
	set := func(o *Output, a, r, c int, v ...float32) {
		g := o.Shape[2]
		for k, x := range v {
			o.Data[(a*7+k)*g*g+r*g+c] = x
		}
	}
	h0, h1 := mk(2), mk(4)
	h0.Name, h1.Name = "conv_a", "conv_b"
	// head 0, anchor 0, row 1 col 0: tx=ty=0 -> centre ((0.5+0)/2*64, (0.5+1)/2*64) = (16, 48);
	// w = 30*exp(ln 2) = 60, h = 40; objectness 0.9, class 1 at 0.8 -> score 0.72.
	set(&h0, 0, 1, 0, 0, 0, float32(math.Ln2), 0, logit(0.9), logit(0.1), logit(0.8))
	// head 1 (scale_x_y 1.2), anchor 1, row 2 col 1: sigmoid(tx)=0.75 -> 0.75*1.2-0.1 = 0.8;
	// centre ((0.8+1)/4*64, (0.5*1.2-0.1+2)/4*64) = (28.8, 40); w = 20, h = 30*e.
	set(&h1, 1, 2, 1, logit(0.75), 0, 0, 1, logit(0.6), logit(0.9), logit(0.2))
	dets, err := YOLOv3{Heads: heads}.Decode([]Output{h0, h1}, 64, 64, 0.3)
	if err != nil {
		t.Fatal(err)
	}
	if len(dets) != 2 {
		t.Fatalf("got %d detections %v, want 2", len(dets), dets)
	}
	e := float32(math.E)
	want := []Detection{
		{Class: 1, Score: 0.72, Box: [4]float32{16 - 30, 48 - 20, 16 + 30, 48 + 20}},
		{Class: 0, Score: 0.54, Box: [4]float32{28.8 - 10, 40 - 15*e, 28.8 + 10, 40 + 15*e}},
	}
	for i, w := range want {
		g := dets[i]
		if g.Class != w.Class || math.Abs(float64(g.Score-w.Score)) > 1e-5 || !near(g.Box, w.Box, 1e-3) {
			t.Errorf("detection %d: got %+v, want %+v", i, g, w)
		}
	}
}

func TestYOLOv5Decode(t *testing.T) {
	o := Output{Name: "output", Shape: []int{1, 3, 7}, Data: []float32{
		50, 40, 20, 10, 0.9, 0.1, 0.8, // class 1, score 0.72
		10, 10, 4, 4, 0.2, 0.9, 0.1, // objectness below threshold
		30, 30, 10, 20, 0.8, 0.5, 0.4, // class 0, score 0.4
	}}
	dets, err := YOLOv5{}.Decode([]Output{o}, 640, 640, 0.3)
	if err != nil {
		t.Fatal(err)
	}
	want := []Detection{
		{Class: 1, Score: 0.72, Box: [4]float32{40, 35, 60, 45}},
		{Class: 0, Score: 0.4, Box: [4]float32{25, 20, 35, 40}},
	}
	if len(dets) != len(want) {
		t.Fatalf("got %v, want %v", dets, want)
	}
	for i, w := range want {
		g := dets[i]
		if g.Class != w.Class || math.Abs(float64(g.Score-w.Score)) > 1e-6 || !near(g.Box, w.Box, 1e-5) {
			t.Errorf("detection %d: got %+v, want %+v", i, g, w)
		}
	}
}

func TestDecodeBadOutputs(t *testing.T) {
	three := Output{Name: "x", Shape: []int{1, 3, 7}, Data: make([]float32, 21)}
	four := Output{Name: "y", Shape: []int{1, 8, 2, 2}, Data: make([]float32, 32)}
	short := Output{Name: "z", Shape: []int{1, 8, 2, 2}, Data: make([]float32, 31)}
	v3 := YOLOv3{Heads: []YoloHead{{Anchors: [][2]float32{{1, 1}}, Classes: 2}}}
	cases := []struct {
		name string
		dec  Decoder
		outs []Output
		want string
	}{
		{"fastestdet no outputs", FastestDet{}, nil, "wants 1 output"},
		{"fastestdet 3-d", FastestDet{}, []Output{three}, "shape [1 3 7]"},
		{"fastestdet short data", FastestDet{}, []Output{short}, "31 values"},
		{"yolov5 4-d", YOLOv5{}, []Output{four}, "shape [1 8 2 2]"},
		{"yolov3 head count", v3, []Output{four, four}, "1 heads but got 2 outputs"},
		{"yolov3 channels", v3, []Output{Output{Name: "w", Shape: []int{1, 9, 2, 2}, Data: make([]float32, 36)}}, "want [1, 7, H, W]"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := c.dec.Decode(c.outs, 64, 64, 0.5)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one containing %q", err, c.want)
			}
		})
	}
}
