package eval

import (
	"fmt"

	"github.com/avstack/avstack/geom"
	"github.com/avstack/avstack/perception/assign"
)

// CameraPred is one 2D detection in image_2 pixels. Class is a driving class name ("car",
// "truck", "bus", "person", ...; see perception/detect).
type CameraPred struct {
	Class string
	Box   [4]float64
	Score float64
}

// CameraConfig are the rules of EvalCamera.
type CameraConfig struct {
	// IoU is the least 2D IoU of a true positive.
	IoU float64
	// MinHeight: ground truth (and unmatched detections) shorter than this (px) are ignored.
	MinHeight float64
}

// DefaultCameraConfig: IoU 0.5, 40 px.
func DefaultCameraConfig() CameraConfig { return CameraConfig{IoU: 0.5, MinHeight: 40} }

// CameraClasses are the evaluated classes, in report order.
var CameraClasses = []string{"car", "person"}

var cameraClassDefs = []struct {
	name  string
	types []string
	preds []string
}{
	{"car", []string{"Car", "Van", "Truck"}, []string{"car", "truck", "bus"}},
	{"person", []string{"Pedestrian", "Cyclist", "Person_sitting"}, []string{"person"}},
}

func rectOf(b [4]float64) geom.Rect { return geom.Rect{X1: b[0], Y1: b[1], X2: b[2], Y2: b[3]} }

// EvalCamera scores the 2D detections of one frame against label_2: per class, detections are
// paired with ground truth by the Hungarian method on 1 - IoU (pairs under the IoU bound are
// not allowed). Ground truth shorter than MinHeight is "don't care", as are unmatched
// detections shorter than MinHeight, those overlapping don't-care ground truth at the IoU bound,
// and those lying mostly (over half their area) inside a DontCare region.
func EvalCamera(f KITTIFrame, preds []CameraPred, cfg CameraConfig) (FrameResult, error) {
	if !(cfg.IoU > 0 && cfg.IoU <= 1) {
		return FrameResult{}, fmt.Errorf("eval: camera IoU bound %v must be in (0, 1]", cfg.IoU)
	}
	for i, p := range preds {
		if !(p.Box[2] >= p.Box[0] && p.Box[3] >= p.Box[1]) {
			return FrameResult{}, fmt.Errorf("eval: frame %s: detection %d box %v is not x1 <= x2, y1 <= y2", f.ID, i, p.Box)
		}
	}
	res := FrameResult{ID: f.ID, Classes: map[string]Counts{}}
	for _, cd := range cameraClassDefs {
		var cared, ignored []geom.Rect
		for _, l := range f.Labels {
			if !has(cd.types, l.Type) {
				continue
			}
			if l.Box2D[3]-l.Box2D[1] >= cfg.MinHeight {
				cared = append(cared, rectOf(l.Box2D))
			} else {
				ignored = append(ignored, rectOf(l.Box2D))
			}
		}
		var ps []geom.Rect
		for _, p := range preds {
			if has(cd.preds, p.Class) {
				ps = append(ps, rectOf(p.Box))
			}
		}
		c := Counts{GT: len(cared)}
		rows := make([]int, len(ps))
		for i := range rows {
			rows[i] = -1
		}
		if len(ps) > 0 && len(cared) > 0 {
			cost := make([][]float64, len(ps))
			for i, p := range ps {
				cost[i] = make([]float64, len(cared))
				for j, g := range cared {
					if iou := p.IoU(g); iou >= cfg.IoU {
						cost[i][j] = 1 - iou
					} else {
						cost[i][j] = inf
					}
				}
			}
			rows = assign.Solve(cost)
		}
		for i, p := range ps {
			switch {
			case rows[i] >= 0:
				c.TP++
			case p.Y2-p.Y1 < cfg.MinHeight || overlapsIgnored(p, ignored, cfg.IoU) || inDontCare(f, p):
				c.Ignored++
			default:
				c.FP++
			}
		}
		c.finish()
		res.Classes[cd.name] = c
	}
	return res, nil
}

func overlapsIgnored(p geom.Rect, ignored []geom.Rect, iou float64) bool {
	for _, g := range ignored {
		if p.IoU(g) >= iou {
			return true
		}
	}
	return false
}

func inDontCare(f KITTIFrame, p geom.Rect) bool {
	a := p.Area()
	if a == 0 {
		return false
	}
	for _, l := range f.Labels {
		if l.Type == "DontCare" && p.Intersect(rectOf(l.Box2D)).Area() > 0.5*a {
			return true
		}
	}
	return false
}
