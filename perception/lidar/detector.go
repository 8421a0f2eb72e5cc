package lidar

import (
	"math"
	"time"

	"github.com/avstack/avstack/geom"
	"github.com/avstack/avstack/msg/av"
)

// Object is one detected object.
type Object struct {
	// Box is the oriented 3D box (centre, size, yaw) in the points' frame; vehicle boxes are
	// completed to the size priors.
	Box geom.Box
	// Visible is the rectangle the points themselves span (before completion).
	Visible Rect
	// Class is the size-based class hint (OBJECT_CLASS_UNKNOWN when no class fits).
	Class av.ObjectClass
	// Score is a confidence in 0..1 from the point count and how well the size fits the class.
	Score float32
	// Points is the number of raw points of the cluster.
	Points int
}

// Stats describe the last scan: counts and the time spent in each stage. Timings are measured
// with the monotonic clock for monitoring only; they never influence results.
type Stats struct {
	Points, Ground, Obstacle, Voxels, Clusters, Objects    int
	GroundTime, VoxelTime, ClusterTime, FitTime, TotalTime time.Duration
}

// Detector runs the pipeline and keeps its buffers between scans. Not safe for concurrent use.
type Detector struct {
	o       Options
	g       groundGrid
	v       voxelizer
	b       bevGrid
	labels  []Label
	groundZ []float32
	sel     []int32
	xy      []float64
	sub     []float64
	stats   Stats
}

// NewDetector checks the options and returns a detector.
func NewDetector(o Options) (*Detector, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	return &Detector{o: o}, nil
}

// Options returns the detector's options.
func (d *Detector) Options() Options { return d.o }

// Stats returns the counts and timings of the last Detect.
func (d *Detector) Stats() Stats { return d.stats }

// Labels returns the ground-segmentation label of each point of the last scan (valid until the
// next Detect).
func (d *Detector) Labels() []Label { return d.labels }

// Detect finds the objects of one scan. The result is ordered by the clusters' first points,
// so the same scan always gives the same list.
func (d *Detector) Detect(pts []Point) []Object {
	t0 := time.Now()
	st := Stats{Points: len(pts)}
	if cap(d.labels) < len(pts) {
		d.labels = make([]Label, len(pts))
		d.groundZ = make([]float32, len(pts))
	}
	d.labels, d.groundZ = d.labels[:len(pts)], d.groundZ[:len(pts)]
	d.g.segment(pts, d.o, d.labels, d.groundZ)
	d.sel = d.sel[:0]
	for i, l := range d.labels {
		switch l {
		case Obstacle:
			d.sel = append(d.sel, int32(i))
		case Ground:
			st.Ground++
		}
	}
	st.Obstacle = len(d.sel)
	t1 := time.Now()
	vox := d.v.downsample(pts, d.groundZ, d.sel, d.o.Voxel)
	st.Voxels = len(vox)
	t2 := time.Now()
	clusters := d.b.cluster(vox, d.o)
	st.Clusters = len(clusters)
	t3 := time.Now()
	var out []Object
	for _, cl := range clusters {
		if obj, ok := d.fit(vox, cl); ok {
			out = append(out, obj)
		}
	}
	out = absorbFragments(out)
	st.Objects = len(out)
	t4 := time.Now()
	st.GroundTime, st.VoxelTime, st.ClusterTime, st.FitTime, st.TotalTime = t1.Sub(t0), t2.Sub(t1), t3.Sub(t2), t4.Sub(t3), t4.Sub(t0)
	d.stats = st
	return out
}

// fit turns one cluster into an object, or rejects it (too few points, too large).
func (d *Detector) fit(vox []Voxel, cl []int32) (Object, bool) {
	if len(cl) < d.o.MinPoints {
		return Object{}, false
	}
	d.xy = d.xy[:0]
	top, bottom, ground := math.Inf(-1), math.Inf(1), math.Inf(1)
	n := 0
	for _, i := range cl {
		v := vox[i]
		d.xy = append(d.xy, float64(v.X), float64(v.Y))
		top = math.Max(top, float64(v.Z))
		bottom = math.Min(bottom, float64(v.Z))
		ground = math.Min(ground, float64(v.GroundZ))
		n += int(v.N)
	}
	// Axis-aligned bounds first: a cluster whose diagonal exceeds the largest allowed extent
	// by far (walls, buildings) is dropped before the fit.
	minx, maxx, miny, maxy := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for i := 0; i < len(d.xy); i += 2 {
		minx, maxx = math.Min(minx, d.xy[i]), math.Max(maxx, d.xy[i])
		miny, maxy = math.Min(miny, d.xy[i+1]), math.Max(maxy, d.xy[i+1])
	}
	if math.Hypot(maxx-minx, maxy-miny) > d.o.MaxExtent*math.Sqrt2 {
		return Object{}, false
	}
	fitXY := d.xy
	if k := len(d.xy) / 2 / 400; k > 1 { // big clusters: fit on every k-th point
		d.sub = d.sub[:0]
		for i := 0; i < len(d.xy); i += 2 * k {
			d.sub = append(d.sub, d.xy[i], d.xy[i+1])
		}
		fitXY = d.sub
	}
	r := FitRect(fitXY, d.o.HeadingStep)
	lv, wv := math.Max(r.Length, r.Width), math.Min(r.Length, r.Width)
	if lv > d.o.MaxExtent {
		return Object{}, false
	}
	h := top - ground
	// Extent of the upper part (above 60 % of the height) along the rectangle's axes: a car's
	// roof and windows are wide, a person's or cyclist's head and shoulders are not.
	upper := 0.0
	{
		c, s := math.Cos(r.Yaw), math.Sin(r.Yaw)
		lo1, hi1, lo2, hi2 := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
		cut := ground + 0.6*h
		for k, i := range cl {
			if float64(vox[i].Z) < cut {
				continue
			}
			x, y := d.xy[2*k], d.xy[2*k+1]
			a, b := x*c+y*s, -x*s+y*c
			lo1, hi1 = math.Min(lo1, a), math.Max(hi1, a)
			lo2, hi2 = math.Min(lo2, b), math.Max(hi2, b)
		}
		if hi1 >= lo1 {
			upper = math.Max(hi1-lo1, hi2-lo2)
		}
	}
	rng := math.Hypot(r.X-d.o.SensorX, r.Y-d.o.SensorY)
	slack := math.Min(rng*math.Tan(d.o.VerticalResolution), d.o.MaxHeightSlack)
	class, score := classify(lv, wv, h, bottom-ground, upper, slack)
	box := r
	sensor := geom.Vec2{X: d.o.SensorX, Y: d.o.SensorY}
	switch class {
	case av.ObjectClass_OBJECT_CLASS_CAR:
		box = Complete(r, sensor, d.o.CarLength, d.o.CarWidth)
	case av.ObjectClass_OBJECT_CLASS_TRUCK:
		box = Complete(r, sensor, math.Max(lv, 6), 2.4)
	default:
		if r.Width > r.Length { // keep Length along the longer side
			box.Length, box.Width, box.Yaw = r.Width, r.Length, geom.NormalizeAngle(r.Yaw+math.Pi/2)
		}
	}
	// Score grows with support: a cluster of 40+ raw points is fully supported.
	support := math.Min(1, float64(n)/40)
	obj := Object{
		Box:     geom.Box{X: box.X, Y: box.Y, Z: ground + h/2, Length: box.Length, Width: box.Width, Height: h, Yaw: box.Yaw},
		Visible: r,
		Class:   class,
		Score:   float32(score * (0.5 + 0.5*support)),
		Points:  n,
	}
	return obj, true
}

// classify gives a size-based class hint from the visible extent (longer lv, shorter wv), the
// height above ground h, the gap between the ground and the lowest obstacle point, the extent
// of the upper part of the cluster, and the height slack (how much a sparse lidar may have
// missed of the top at this range; it lowers the least heights). The returned score says how
// typical the size is for the class.
func classify(lv, wv, h, gap, upper, slack float64) (av.ObjectClass, float64) {
	if gap > 0.8+slack { // floating: branches, signs, overhangs
		return av.ObjectClass_OBJECT_CLASS_UNKNOWN, 0.2
	}
	thin := wv < 0.9
	switch {
	case h >= 2.3 && h <= 4.5 && lv >= 4 && wv <= 3.5:
		return av.ObjectClass_OBJECT_CLASS_TRUCK, 0.7
	case h >= 1.0-slack && h < 2.3 && lv >= 2.2 && lv <= 6.0 && wv <= 2.4 && upper >= 0.9:
		// A side of a vehicle (or an L of side and rear).
		return av.ObjectClass_OBJECT_CLASS_CAR, 0.9
	case h >= 1.0-slack && h < 1.65 && lv >= 1.0 && lv < 2.2 && upper >= 0.7:
		// A rear, front or partly seen side: lower than a standing person or a cyclist.
		return av.ObjectClass_OBJECT_CLASS_CAR, 0.7
	case h >= 1.65 && h < 2.3 && lv >= 1.3 && lv < 2.2 && upper >= 1.2:
		// A taller vehicle's rear (van, SUV): wide up to the roof, unlike a cyclist.
		return av.ObjectClass_OBJECT_CLASS_CAR, 0.6
	case h >= 1.3-slack && h <= 2.1 && lv <= 1.2 && wv <= 1.0 && lv >= 0.2:
		return av.ObjectClass_OBJECT_CLASS_PEDESTRIAN, 0.6
	case h >= 1.3-slack && h <= 2.1 && lv > 1.2 && lv <= 2.2 && thin && upper < 1.2:
		return av.ObjectClass_OBJECT_CLASS_BICYCLE, 0.5
	}
	return av.ObjectClass_OBJECT_CLASS_UNKNOWN, 0.3
}

// absorbFragments drops small non-vehicle objects whose centre lies inside a vehicle's box: a
// vehicle seen at a grazing angle breaks up into pieces, and the completed box already claims
// the space of the pieces beyond the largest one. Their points are added to the vehicle.
func absorbFragments(objs []Object) []Object {
	vehicle := func(c av.ObjectClass) bool {
		return c == av.ObjectClass_OBJECT_CLASS_CAR || c == av.ObjectClass_OBJECT_CLASS_TRUCK
	}
	gone := make([]bool, len(objs))
	for i := range objs {
		if !vehicle(objs[i].Class) {
			continue
		}
		for j := range objs {
			o := objs[j]
			if j == i || gone[j] || vehicle(o.Class) || o.Points > objs[i].Points {
				continue
			}
			if objs[i].Box.Contains2(geom.Vec2{X: o.Box.X, Y: o.Box.Y}) {
				gone[j] = true
				objs[i].Points += o.Points
			}
		}
	}
	kept := objs[:0]
	for i, o := range objs {
		if !gone[i] {
			kept = append(kept, o)
		}
	}
	return kept
}
