package detect

import (
	"fmt"
	"math"
)

// Detection is one detected object. Box is [x1, y1, x2, y2]: in network-input pixels when it
// comes out of a Decoder, in image pixels when it comes out of Detector.Detect.
type Detection struct {
	Class int
	Name  string
	Score float32
	Box   [4]float32
}

// Decoder turns a network's raw outputs into candidate detections (before NMS) whose score is
// above conf. netW and netH are the network input size in pixels.
type Decoder interface {
	Decode(outs []Output, netW, netH int, conf float32) ([]Detection, error)
}

func sigmoid(x float32) float32 { return float32(1 / (1 + math.Exp(-float64(x)))) }

// FastestDet decodes the single anchor-free head of FastestDet: one output [1, 5+C, H, W]. For
// the cell at row h, column w with vector d: score = d[0]^0.6 * max(d[5:])^0.4, centre
// ((w+tanh(d[1]))/W, (h+tanh(d[2]))/H), size (sigmoid(d[3]), sigmoid(d[4])), all fractions of the
// input (the authors' demo, dog-qiuqiu/FastestDet example/onnx-runtime).
type FastestDet struct{}

// Decode implements Decoder.
func (FastestDet) Decode(outs []Output, netW, netH int, conf float32) ([]Detection, error) {
	if len(outs) != 1 {
		return nil, fmt.Errorf("detect: fastestdet decoder wants 1 output, got %d", len(outs))
	}
	o := outs[0]
	if err := o.check(); err != nil {
		return nil, err
	}
	if len(o.Shape) != 4 || o.Shape[0] != 1 || o.Shape[1] < 6 {
		return nil, fmt.Errorf("detect: fastestdet decoder: output %q has shape %v, want [1, 5+classes, H, W]", o.Name, o.Shape)
	}
	ch, gh, gw := o.Shape[1], o.Shape[2], o.Shape[3]
	plane := gh * gw
	var dets []Detection
	for h := 0; h < gh; h++ {
		for w := 0; w < gw; w++ {
			at := func(c int) float32 { return o.Data[c*plane+h*gw+w] }
			obj := at(0)
			best, cls := float32(math.Inf(-1)), -1
			for c := 5; c < ch; c++ {
				if v := at(c); v > best {
					best, cls = v, c-5
				}
			}
			if obj <= 0 || best <= 0 {
				continue
			}
			score := float32(math.Pow(float64(obj), 0.6) * math.Pow(float64(best), 0.4))
			if !(score > conf) {
				continue
			}
			cx := (float64(w) + math.Tanh(float64(at(1)))) / float64(gw) * float64(netW)
			cy := (float64(h) + math.Tanh(float64(at(2)))) / float64(gh) * float64(netH)
			bw := float64(sigmoid(at(3))) * float64(netW)
			bh := float64(sigmoid(at(4))) * float64(netH)
			dets = append(dets, Detection{Class: cls, Score: score, Box: [4]float32{
				float32(cx - bw/2), float32(cy - bh/2), float32(cx + bw/2), float32(cy + bh/2)}})
		}
	}
	return dets, nil
}

// YoloHead describes one YOLOv3-style output: the anchors (width, height in network-input
// pixels) of the boxes predicted per cell, the class count and Darknet's scale_x_y (1 when unset).
type YoloHead struct {
	Anchors [][2]float32
	Classes int
	ScaleXY float32
}

// YOLOv3 decodes Darknet-style heads, one output per head in the same order, each
// [1, A*(5+C), H, W] with channel a*(5+C)+k holding tx, ty, tw, th, objectness, classes:
// x = (sigmoid(tx)*s - (s-1)/2 + col)/W, y likewise, w = anchor_w*exp(tw), h = anchor_h*exp(th),
// score = sigmoid(obj)*sigmoid(class) for the best class.
type YOLOv3 struct {
	Heads []YoloHead
}

// Decode implements Decoder.
func (d YOLOv3) Decode(outs []Output, netW, netH int, conf float32) ([]Detection, error) {
	if len(outs) != len(d.Heads) {
		return nil, fmt.Errorf("detect: yolov3 decoder has %d heads but got %d outputs", len(d.Heads), len(outs))
	}
	var dets []Detection
	for i, o := range outs {
		hd := d.Heads[i]
		if err := o.check(); err != nil {
			return nil, err
		}
		na, nc := len(hd.Anchors), hd.Classes
		if len(o.Shape) != 4 || o.Shape[0] != 1 || o.Shape[1] != na*(5+nc) {
			return nil, fmt.Errorf("detect: yolov3 decoder: output %q has shape %v, want [1, %d, H, W] (%d anchors, %d classes)",
				o.Name, o.Shape, na*(5+nc), na, nc)
		}
		s := hd.ScaleXY
		if s == 0 {
			s = 1
		}
		gh, gw := o.Shape[2], o.Shape[3]
		plane := gh * gw
		for a := 0; a < na; a++ {
			base := a * (5 + nc) * plane
			for r := 0; r < gh; r++ {
				for c := 0; c < gw; c++ {
					at := func(k int) float32 { return o.Data[base+k*plane+r*gw+c] }
					obj := sigmoid(at(4))
					if !(obj > conf) {
						continue
					}
					best, cls := float32(math.Inf(-1)), -1
					for k := 0; k < nc; k++ {
						if v := at(5 + k); v > best {
							best, cls = v, k
						}
					}
					score := obj * sigmoid(best)
					if !(score > conf) {
						continue
					}
					cx := (float64(sigmoid(at(0))*s-(s-1)/2) + float64(c)) / float64(gw) * float64(netW)
					cy := (float64(sigmoid(at(1))*s-(s-1)/2) + float64(r)) / float64(gh) * float64(netH)
					bw := float64(hd.Anchors[a][0]) * math.Exp(float64(at(2)))
					bh := float64(hd.Anchors[a][1]) * math.Exp(float64(at(3)))
					dets = append(dets, Detection{Class: cls, Score: score, Box: [4]float32{
						float32(cx - bw/2), float32(cy - bh/2), float32(cx + bw/2), float32(cy + bh/2)}})
				}
			}
		}
	}
	return dets, nil
}

// YOLOv5 decodes the usual YOLOv5 export: one output [1, N, 5+C] whose rows are cx, cy, w, h (in
// network-input pixels), objectness and class probabilities (already through sigmoid);
// score = objectness * best class probability.
type YOLOv5 struct{}

// Decode implements Decoder.
func (YOLOv5) Decode(outs []Output, netW, netH int, conf float32) ([]Detection, error) {
	if len(outs) != 1 {
		return nil, fmt.Errorf("detect: yolov5 decoder wants 1 output, got %d", len(outs))
	}
	o := outs[0]
	if err := o.check(); err != nil {
		return nil, err
	}
	if len(o.Shape) != 3 || o.Shape[0] != 1 || o.Shape[2] < 6 {
		return nil, fmt.Errorf("detect: yolov5 decoder: output %q has shape %v, want [1, N, 5+classes]", o.Name, o.Shape)
	}
	n, k := o.Shape[1], o.Shape[2]
	var dets []Detection
	for i := 0; i < n; i++ {
		row := o.Data[i*k : (i+1)*k]
		obj := row[4]
		if !(obj > conf) {
			continue
		}
		best, cls := float32(math.Inf(-1)), -1
		for c := 5; c < k; c++ {
			if row[c] > best {
				best, cls = row[c], c-5
			}
		}
		score := obj * best
		if !(score > conf) {
			continue
		}
		cx, cy, bw, bh := row[0], row[1], row[2], row[3]
		dets = append(dets, Detection{Class: cls, Score: score, Box: [4]float32{cx - bw/2, cy - bh/2, cx + bw/2, cy + bh/2}})
	}
	return dets, nil
}
