package eval

import (
	"math"

	"github.com/avstack/avstack/geom"
	"github.com/avstack/avstack/msg/av"
	"github.com/avstack/avstack/perception/assign"
)

// LidarPred is one 3D detection in the lidar frame.
type LidarPred struct {
	Class av.ObjectClass
	Box   geom.Box
	Score float64
}

// LidarConfig are the rules of EvalLidar.
type LidarConfig struct {
	// CarIoU is the least BEV IoU of a car true positive.
	CarIoU float64
	// CentreDistance is the largest BEV centre distance of a pedestrian or cyclist true positive.
	CentreDistance float64
	// MaxRange: ground truth and detections farther than this (BEV, from the lidar) are ignored.
	MaxRange float64
	// MaxOccluded: ground truth more occluded than this is ignored.
	MaxOccluded int
}

// DefaultLidarConfig: IoU 0.5, 1 m, 40 m, occlusion <= 1 (not heavily occluded).
func DefaultLidarConfig() LidarConfig {
	return LidarConfig{CarIoU: 0.5, CentreDistance: 1, MaxRange: 40, MaxOccluded: 1}
}

var inf = math.Inf(1)

// LidarClasses are the evaluated classes, in report order.
var LidarClasses = []string{"car", "pedestrian", "cyclist"}

// lidarClass describes one evaluated class: the label types that count, the label types whose
// detection is tolerated (neighbouring classes), and the predicted classes that claim it.
type lidarClass struct {
	name      string
	types     []string
	neighbour []string
	preds     []av.ObjectClass
	byIoU     bool
}

var lidarClassDefs = []lidarClass{
	{"car", []string{"Car"}, []string{"Van"}, []av.ObjectClass{av.ObjectClass_OBJECT_CLASS_CAR}, true},
	{"pedestrian", []string{"Pedestrian"}, []string{"Person_sitting"}, []av.ObjectClass{av.ObjectClass_OBJECT_CLASS_PEDESTRIAN}, false},
	{"cyclist", []string{"Cyclist"}, nil, []av.ObjectClass{av.ObjectClass_OBJECT_CLASS_BICYCLE, av.ObjectClass_OBJECT_CLASS_MOTORCYCLE}, false},
}

func has[T comparable](xs []T, x T) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// EvalLidar scores the detections of one KITTI frame. Only detections whose centre projects into
// image_2 count (labels exist only there); ground truth beyond MaxRange or more occluded than
// MaxOccluded, and labels of a neighbouring class, are "don't care": a detection matching one
// is ignored, as is a detection whose centre falls in a DontCare region or beyond MaxRange.
func EvalLidar(f KITTIFrame, preds []LidarPred, cfg LidarConfig) (FrameResult, error) {
	if err := f.Validate(); err != nil {
		return FrameResult{}, err
	}
	boxes, err := LabelBoxes(f)
	if err != nil {
		return FrameResult{}, err
	}
	res := FrameResult{ID: f.ID, Classes: map[string]Counts{}}
	for _, cd := range lidarClassDefs {
		var cared, ignored []geom.Box
		for i, l := range f.Labels {
			b := boxes[i]
			switch {
			case has(cd.types, l.Type):
				if math.Hypot(b.X, b.Y) <= cfg.MaxRange && l.Occluded <= cfg.MaxOccluded {
					cared = append(cared, b)
				} else {
					ignored = append(ignored, b)
				}
			case has(cd.neighbour, l.Type):
				ignored = append(ignored, b)
			}
		}
		var ps []LidarPred
		c := Counts{GT: len(cared)}
		for _, p := range preds {
			if !has(cd.preds, p.Class) || !f.InView(p.Box.X, p.Box.Y, p.Box.Z) {
				continue
			}
			if math.Hypot(p.Box.X, p.Box.Y) > cfg.MaxRange {
				c.Ignored++
				continue
			}
			ps = append(ps, p)
		}
		match := func(g, p geom.Box) (float64, bool) {
			if cd.byIoU {
				iou := geom.IoUBEV(g, p)
				return 1 - iou, iou >= cfg.CarIoU
			}
			d := math.Hypot(g.X-p.X, g.Y-p.Y)
			return d, d <= cfg.CentreDistance
		}
		cost := make([][]float64, len(ps))
		for i, p := range ps {
			cost[i] = make([]float64, len(cared))
			for j, g := range cared {
				if v, ok := match(g, p.Box); ok {
					cost[i][j] = v
				} else {
					cost[i][j] = math.Inf(1)
				}
			}
		}
		var rows []int
		if len(cared) > 0 {
			rows = assign.Solve(cost)
		} else {
			rows = make([]int, len(ps))
			for i := range rows {
				rows[i] = -1
			}
		}
		for i, p := range ps {
			if rows[i] >= 0 {
				c.TP++
				continue
			}
			if dontCare(f, p.Box, ignored, match) {
				c.Ignored++
				continue
			}
			c.FP++
		}
		c.finish()
		res.Classes[cd.name] = c
	}
	return res, nil
}

// dontCare reports whether an unmatched detection matches ignored ground truth or lies in a
// DontCare region of the image.
func dontCare(f KITTIFrame, p geom.Box, ignored []geom.Box, match func(g, p geom.Box) (float64, bool)) bool {
	for _, g := range ignored {
		if _, ok := match(g, p); ok {
			return true
		}
	}
	u, v, ok := f.Project(p.X, p.Y, p.Z)
	if !ok {
		return false
	}
	for _, l := range f.Labels {
		if l.Type == "DontCare" && u >= l.Box2D[0] && u <= l.Box2D[2] && v >= l.Box2D[1] && v <= l.Box2D[3] {
			return true
		}
	}
	return false
}
