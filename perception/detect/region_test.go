package detect

import (
	"sort"
	"strconv"
	"testing"
)

// TestYOLOv3DecoderMatchesOpenCVRegion holds our YOLOv3 decoder to an independent implementation:
// OpenCV's Darknet importer decodes each [yolo] head itself (a "Region" layer, rows of x, y, w, h
// as fractions of the input, objectness, then objectness*class probability, in cell-major then
// anchor order). On dog.jpg, decoding OpenCV's raw head inputs with our decoder must give the same
// boxes and scores as OpenCV's Region rows.
func TestYOLOv3DecoderMatchesOpenCVRegion(t *testing.T) {
	cfgPath := testdata(t, "models/yolo-fastest-1.1/yolo-fastest-1.1.cfg")
	weights := testdata(t, "models/yolo-fastest-1.1/yolo-fastest-1.1.weights")
	img := readImage(t, testdata(t, "models/yolo-fastest-1.1/dog.jpg"))
	cfg, err := readDarknetCfg(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	net, err := NewOpenCVDarknet(cfgPath, weights)
	if err != nil {
		t.Fatal(err)
	}
	defer net.Close()
	p := Preprocess{Width: 320, Height: 320, Mode: Resize, Interpolation: "linear", RGB: true, Scale: 1.0 / 255}
	in := make([]float32, p.InputLen())
	if _, err := p.Apply(img, in); err != nil {
		t.Fatal(err)
	}
	var layers []string
	for _, idx := range cfg.HeadInputs {
		layers = append(layers, "yolo_"+strconv.Itoa(idx+1)) // the [yolo] section after the head's input
	}
	all, err := net.Forward(in, append(append([]string{}, cfg.opencvHeadLayers()...), layers...)...)
	if err != nil {
		t.Fatal(err)
	}
	nh := len(cfg.Heads)
	raw, region := all[:nh], all[nh:]
	const conf = 0.3
	ours, err := YOLOv3{Heads: cfg.Heads}.Decode(raw, 320, 320, conf)
	if err != nil {
		t.Fatal(err)
	}
	var ref []Detection
	for _, r := range region {
		t.Logf("%s shape %v", r.Name, r.Shape)
		k := r.Shape[len(r.Shape)-1]
		for i := 0; i+k <= len(r.Data); i += k {
			row := r.Data[i : i+k]
			best, cls := float32(0), -1
			for c := 5; c < k; c++ {
				if row[c] > best {
					best, cls = row[c], c-5
				}
			}
			if !(best > conf) {
				continue
			}
			cx, cy, w, h := row[0]*320, row[1]*320, row[2]*320, row[3]*320
			ref = append(ref, Detection{Class: cls, Score: best, Box: [4]float32{cx - w/2, cy - h/2, cx + w/2, cy + h/2}})
		}
	}
	byScore := func(d []Detection) {
		sort.Slice(d, func(i, j int) bool { return d[i].Score > d[j].Score })
	}
	byScore(ours)
	byScore(ref)
	if len(ours) == 0 || len(ours) != len(ref) {
		t.Fatalf("ours %d candidates, OpenCV's Region %d (want equal and non-zero)", len(ours), len(ref))
	}
	for i := range ours {
		o, r := ours[i], ref[i]
		if o.Class != r.Class || abs32(o.Score-r.Score) > 1e-5 || !near(o.Box, r.Box, 1e-3) {
			t.Errorf("candidate %d: ours %+v, OpenCV %+v", i, o, r)
		}
	}
	t.Logf("%d candidates above %.2f agree", len(ours), conf)
}

func abs32(x float32) float32 {
	if x < 0 {
		return -x
	}
	return x
}
