package fusion

import (
	"fmt"
	"math"

	"github.com/avstack/avstack/geom"
	"github.com/avstack/avstack/msg/av"
	"github.com/avstack/avstack/perception/assign"
)

// Object is an object in the vehicle frame, before or after fusion.
type Object struct {
	Box   geom.Box
	Class av.ObjectClass
	Score float32
	// Sources is a bit set of av.SourceMask.
	Sources    uint32
	ImageBoxes []*av.ImageBox
}

// View is one camera's detections with its model.
type View struct {
	Name       string
	Camera     geom.PinholeCamera
	Detections []*av.Detection2D
}

// Options tune fusion.
type Options struct {
	// MinIoU is the least IoU between a projected lidar box and a detection to pair them.
	MinIoU float64
	// ClassMismatchCost is added to the cost of pairing a lidar class hint with a camera class of
	// another family (a vehicle with a person), making such pairs the last resort.
	ClassMismatchCost float64
	// CameraOnly keeps camera detections no lidar box explains, placed on the ground plane.
	CameraOnly bool
	// MaxCameraRange drops camera-only objects farther than this (ground-plane depth grows
	// uncertain with distance); MinCameraScore drops weaker ones.
	MaxCameraRange float64
	MinCameraScore float32
	// SuppressRadius drops a camera-only object this close (BEV) to any lidar object.
	SuppressRadius float64
}

// DefaultOptions: pair at IoU 0.3, keep camera-only objects up to 50 m.
func DefaultOptions() Options {
	return Options{MinIoU: 0.3, ClassMismatchCost: 0.5, CameraOnly: true, MaxCameraRange: 50, MinCameraScore: 0.3, SuppressRadius: 2}
}

// Validate names the first bad option.
func (o Options) Validate() error {
	switch {
	case !(o.MinIoU > 0 && o.MinIoU <= 1):
		return fmt.Errorf("fusion: option min_iou = %v: must be in (0, 1]", o.MinIoU)
	case o.ClassMismatchCost < 0:
		return fmt.Errorf("fusion: option class_mismatch_cost = %v: must be >= 0", o.ClassMismatchCost)
	case !(o.MaxCameraRange > 0):
		return fmt.Errorf("fusion: option max_camera_range = %v: must be > 0", o.MaxCameraRange)
	case o.SuppressRadius < 0:
		return fmt.Errorf("fusion: option suppress_radius = %v: must be >= 0", o.SuppressRadius)
	}
	return nil
}

// Fuser pairs lidar objects with camera detections.
type Fuser struct{ o Options }

// New checks the options.
func New(o Options) (*Fuser, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	return &Fuser{o: o}, nil
}

// family groups classes a camera and a lidar size hint can agree on.
func family(c av.ObjectClass) int {
	switch c {
	case av.ObjectClass_OBJECT_CLASS_CAR, av.ObjectClass_OBJECT_CLASS_TRUCK, av.ObjectClass_OBJECT_CLASS_BUS:
		return 1
	case av.ObjectClass_OBJECT_CLASS_PEDESTRIAN, av.ObjectClass_OBJECT_CLASS_BICYCLE, av.ObjectClass_OBJECT_CLASS_MOTORCYCLE:
		return 2
	case av.ObjectClass_OBJECT_CLASS_UNKNOWN:
		return 0
	}
	return 3
}

// prior is the typical size (length, width, height) of a class, used for camera-only objects.
func prior(c av.ObjectClass) (l, w, h float64, ok bool) {
	switch c {
	case av.ObjectClass_OBJECT_CLASS_CAR:
		return 4.2, 1.8, 1.5, true
	case av.ObjectClass_OBJECT_CLASS_TRUCK:
		return 8, 2.5, 3.2, true
	case av.ObjectClass_OBJECT_CLASS_BUS:
		return 12, 2.55, 3.2, true
	case av.ObjectClass_OBJECT_CLASS_MOTORCYCLE:
		return 2.1, 0.8, 1.5, true
	case av.ObjectClass_OBJECT_CLASS_BICYCLE:
		return 1.8, 0.6, 1.7, true
	case av.ObjectClass_OBJECT_CLASS_PEDESTRIAN:
		return 0.6, 0.6, 1.75, true
	}
	return 0, 0, 0, false // traffic lights, signs, unknown: no place on the ground
}

// Fuse returns the lidar objects (camera class and score where a camera pairs them, image boxes
// of every camera that does) followed by the camera-only objects, in input order.
func (f *Fuser) Fuse(lidar []Object, views []View) []Object {
	out := make([]Object, len(lidar))
	copy(out, lidar)
	bestCam := make([]float32, len(out)) // score of the camera pairing that set the class
	type camOnly struct {
		view int
		det  *av.Detection2D
	}
	var leftovers []camOnly
	for vi, v := range views {
		rects := make([]geom.Rect, len(out))
		visible := make([]bool, len(out))
		for i, o := range out {
			rects[i], visible[i] = v.Camera.ProjectBox(o.Box)
		}
		var rows []int
		if len(v.Detections) > 0 && len(out) > 0 {
			cost := make([][]float64, len(v.Detections))
			for di, d := range v.Detections {
				cost[di] = make([]float64, len(out))
				dr := geom.Rect{X1: float64(d.X1), Y1: float64(d.Y1), X2: float64(d.X2), Y2: float64(d.Y2)}
				for i := range out {
					c := math.Inf(1)
					if visible[i] {
						if iou := rects[i].IoU(dr); iou >= f.o.MinIoU {
							c = 1 - iou
							if fl, fc := family(out[i].Class), family(d.Class); fl != 0 && fl != fc {
								c += f.o.ClassMismatchCost
							}
						}
					}
					cost[di][i] = c
				}
			}
			rows = assign.Solve(cost)
		}
		for di, d := range v.Detections {
			if rows == nil || rows[di] < 0 {
				leftovers = append(leftovers, camOnly{vi, d})
				continue
			}
			o := &out[rows[di]]
			o.Sources |= uint32(av.SourceMask_SOURCE_CAMERA)
			r := rects[rows[di]]
			o.ImageBoxes = append(o.ImageBoxes, &av.ImageBox{Camera: v.Name, X1: float32(r.X1), Y1: float32(r.Y1), X2: float32(r.X2), Y2: float32(r.Y2), Visibility: 1})
			if d.Score > bestCam[rows[di]] && d.Class != av.ObjectClass_OBJECT_CLASS_UNKNOWN {
				bestCam[rows[di]] = d.Score
				o.Class, o.Score = d.Class, d.Score
			}
		}
	}
	if !f.o.CameraOnly {
		return out
	}
	for _, lo := range leftovers {
		if o, ok := f.groundObject(views[lo.view], lo.det); ok && !f.nearLidar(o, lidar) {
			out = append(out, o)
		}
	}
	return out
}

// groundObject places a camera detection on the ground plane: the bottom centre of its box is
// where the object touches the road, the near face of an object of the class's typical size.
func (f *Fuser) groundObject(v View, d *av.Detection2D) (Object, bool) {
	if d.Score < f.o.MinCameraScore {
		return Object{}, false
	}
	l, w, h, ok := prior(d.Class)
	if !ok {
		return Object{}, false
	}
	origin, dir := v.Camera.Ray(float64(d.X1+d.X2)/2, float64(d.Y2))
	if dir.Z >= -1e-6 { // the ray does not go down to the road
		return Object{}, false
	}
	s := -origin.Z / dir.Z
	p := origin.Add(dir.Scale(s))
	bearing := math.Atan2(p.Y-origin.Y, p.X-origin.X)
	rng := math.Hypot(p.X-origin.X, p.Y-origin.Y)
	if rng > f.o.MaxCameraRange {
		return Object{}, false
	}
	// The touching point is on the near face: the centre is half a length further along the ray.
	cx, cy := p.X+math.Cos(bearing)*l/2, p.Y+math.Sin(bearing)*l/2
	return Object{
		Box:        geom.Box{X: cx, Y: cy, Z: h / 2, Length: l, Width: w, Height: h, Yaw: bearing},
		Class:      d.Class,
		Score:      d.Score,
		Sources:    uint32(av.SourceMask_SOURCE_CAMERA),
		ImageBoxes: []*av.ImageBox{{Camera: v.Name, X1: d.X1, Y1: d.Y1, X2: d.X2, Y2: d.Y2, Visibility: 1}},
	}, true
}

func (f *Fuser) nearLidar(o Object, lidar []Object) bool {
	for _, l := range lidar {
		if math.Hypot(o.Box.X-l.Box.X, o.Box.Y-l.Box.Y) < f.o.SuppressRadius+l.Box.Length/2 {
			return true
		}
	}
	return false
}
