package render

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"math"
	"sort"

	"gocv.io/x/gocv"

	"github.com/avstack/avstack/geom"
	"github.com/avstack/avstack/sim/roadmap"
)

// Object is something to draw: a box in the map frame and its kind and colour.
type Object struct {
	ID    uint64
	Kind  string
	Box   geom.Box
	Color [3]uint8
}

// Scene is what the camera sees: the ego's rear-axle pose in the map and the objects.
type Scene struct {
	Ego     geom.Pose2
	Objects []Object
	// Blackout draws a black frame (a failed camera); labels are empty.
	Blackout bool
}

// Label is an object's ground truth in one image.
type Label struct {
	ID         uint64
	Rect       geom.Rect
	Visibility float64
}

// Colours (RGB).
var (
	Sky     = [3]uint8{150, 190, 230}
	Grass   = [3]uint8{78, 118, 62}
	Asphalt = [3]uint8{72, 72, 76}
	Marking = [3]uint8{235, 235, 230}
	Window  = [3]uint8{40, 52, 66}
	Skin    = [3]uint8{200, 160, 130}
)

const (
	shift     = 4 // sub-pixel bits for fillPoly
	nearPlane = 0.2
	drawRange = DrawRange
)

// DrawRange is how far the camera sees (m): farther ground and objects are not drawn and
// objects beyond it get no label.
const (
	DrawRange = 160.0
)

type groundPoly struct {
	pts    []geom.Vec3
	color  [3]uint8
	centre geom.Vec2
	radius float64
	layer  int
}

// Renderer draws one camera.
type Renderer struct {
	cam    geom.PinholeCamera
	img    gocv.Mat
	ids    gocv.Mat
	solo   gocv.Mat
	ground []groundPoly
	closed bool
}

// New makes a renderer for a camera; m supplies the ground (it may be nil: grass only).
func New(cam geom.PinholeCamera, m *roadmap.Map) (*Renderer, error) {
	if cam.Width <= 0 || cam.Height <= 0 || cam.Width > 8192 || cam.Height > 8192 {
		return nil, fmt.Errorf("render: image size %dx%d out of range", cam.Width, cam.Height)
	}
	if !(cam.Fx > 0) || !(cam.Fy > 0) {
		return nil, fmt.Errorf("render: focal lengths must be positive (fx %v, fy %v)", cam.Fx, cam.Fy)
	}
	r := &Renderer{cam: cam,
		img:  gocv.NewMatWithSize(cam.Height, cam.Width, gocv.MatTypeCV8UC3),
		ids:  gocv.NewMatWithSize(cam.Height, cam.Width, gocv.MatTypeCV8UC1),
		solo: gocv.NewMatWithSize(cam.Height, cam.Width, gocv.MatTypeCV8UC1),
	}
	if m != nil {
		r.ground = buildGround(m)
	}
	return r, nil
}

// Close frees the images; safe to call twice.
func (r *Renderer) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	r.img.Close()
	r.ids.Close()
	r.solo.Close()
	return nil
}

// Camera returns the camera model.
func (r *Renderer) Camera() geom.PinholeCamera { return r.cam }

// Image is the last rendered frame (BGR). It stays owned by the renderer.
func (r *Renderer) Image() *gocv.Mat { return &r.img }

// JPEG encodes the last frame.
func (r *Renderer) JPEG(quality int) ([]byte, error) {
	if r.closed {
		return nil, errors.New("render: renderer closed")
	}
	buf, err := gocv.IMEncodeWithParams(gocv.JPEGFileExt, r.img, []int{gocv.IMWriteJpegQuality, quality})
	if err != nil {
		return nil, fmt.Errorf("render: jpeg: %w", err)
	}
	defer buf.Close()
	b := buf.GetBytes()
	out := make([]byte, len(b))
	copy(out, b)
	return out, nil
}

func rgba(c [3]uint8) color.RGBA { return color.RGBA{R: c[0], G: c[1], B: c[2], A: 255} }

func shade(c [3]uint8, k float64) [3]uint8 {
	var o [3]uint8
	for i := range c {
		o[i] = uint8(math.Max(0, math.Min(255, float64(c[i])*k)))
	}
	return o
}

// mapToCamera returns the transform from map points to the optical frame.
func (r *Renderer) mapToCamera(ego geom.Pose2) geom.Pose3 {
	return r.cam.VehicleToCamera.Compose(geom.Pose3From2(ego).Inverse())
}

// clipNear clips a polygon (optical frame) to z >= nearPlane.
func clipNear(in []geom.Vec3, out []geom.Vec3) []geom.Vec3 {
	out = out[:0]
	n := len(in)
	for i := 0; i < n; i++ {
		a, b := in[i], in[(i+1)%n]
		ain, bin := a.Z >= nearPlane, b.Z >= nearPlane
		if ain {
			out = append(out, a)
		}
		if ain != bin {
			t := (nearPlane - a.Z) / (b.Z - a.Z)
			out = append(out, a.Add(b.Sub(a).Scale(t)))
		}
	}
	return out
}

// polyPixels projects an optical-frame polygon to fixed-point pixels (nil if clipped away).
func (r *Renderer) polyPixels(q []geom.Vec3, buf []geom.Vec3) []image.Point {
	c := clipNear(q, buf)
	if len(c) < 3 {
		return nil
	}
	pts := make([]image.Point, len(c))
	const k = 1 << shift
	for i, p := range c {
		u := r.cam.Fx*p.X/p.Z + r.cam.Cx
		v := r.cam.Fy*p.Y/p.Z + r.cam.Cy
		// Keep far-off vertices within what OpenCV's fixed point handles.
		u = math.Max(-1e5, math.Min(1e5, u))
		v = math.Max(-1e5, math.Min(1e5, v))
		pts[i] = image.Point{X: int(math.Round(u * k)), Y: int(math.Round(v * k))}
	}
	return pts
}

func fill(dst *gocv.Mat, pts []image.Point, c color.RGBA) {
	if len(pts) < 3 {
		return
	}
	pv := gocv.NewPointsVectorFromPoints([][]image.Point{pts})
	defer pv.Close()
	gocv.FillPolyWithParams(dst, pv, c, gocv.LineAA*0+gocv.Line8, shift, image.Point{})
}

// part is one box of an object's shape, in fractions of the object's box.
type part struct {
	x0, x1, y0, y1, z0, z1 float64 // along length (-0.5..0.5), width, height (0..1)
	color                  int     // 0 body, 1 window/dark, 2 skin
}

var shapes = map[string][]part{
	"car":        {{-0.5, 0.5, -0.5, 0.5, 0, 0.55, 0}, {-0.32, 0.2, -0.45, 0.45, 0.55, 1, 1}},
	"suv":        {{-0.5, 0.5, -0.5, 0.5, 0, 0.6, 0}, {-0.45, 0.22, -0.46, 0.46, 0.6, 1, 1}},
	"van":        {{-0.5, 0.5, -0.5, 0.5, 0, 1, 0}},
	"truck":      {{0.26, 0.5, -0.5, 0.5, 0, 0.85, 0}, {-0.5, 0.24, -0.5, 0.5, 0.08, 1, 0}},
	"bus":        {{-0.5, 0.5, -0.5, 0.5, 0, 1, 0}},
	"motorcycle": {{-0.5, 0.5, -0.2, 0.2, 0, 0.5, 1}, {-0.2, 0.1, -0.5, 0.5, 0.5, 1, 0}},
	"cyclist":    {{-0.5, 0.5, -0.1, 0.1, 0, 0.5, 1}, {-0.2, 0.1, -0.5, 0.5, 0.5, 0.9, 0}, {-0.12, 0.05, -0.25, 0.25, 0.9, 1, 2}},
	"pedestrian": {{-0.3, 0.3, -0.35, 0.35, 0, 0.48, 1}, {-0.5, 0.5, -0.5, 0.5, 0.48, 0.86, 0}, {-0.25, 0.25, -0.25, 0.25, 0.86, 1, 2}},
	"barrier":    {{-0.5, 0.5, -0.5, 0.5, 0, 1, 0}},
}

// faces of a box from geom.Box.Corners3 (bottom 0-3, top 4-7; 0 front-right, 1 front-left,
// 2 rear-left, 3 rear-right) with the outward normal in box coordinates and a shade.
var faces = []struct {
	idx   [4]int
	n     geom.Vec3
	shade float64
}{
	{[4]int{4, 5, 6, 7}, geom.Vec3{Z: 1}, 1.0},
	{[4]int{0, 1, 5, 4}, geom.Vec3{X: 1}, 0.85},
	{[4]int{2, 3, 7, 6}, geom.Vec3{X: -1}, 0.8},
	{[4]int{1, 2, 6, 5}, geom.Vec3{Y: 1}, 0.7},
	{[4]int{3, 0, 4, 7}, geom.Vec3{Y: -1}, 0.6},
	{[4]int{0, 3, 2, 1}, geom.Vec3{Z: -1}, 0.4},
}

type drawFace struct {
	pts   []image.Point
	color [3]uint8
}

// objectFaces returns the visible faces of an object's parts in drawing order.
func (r *Renderer) objectFaces(o Object, toCam geom.Pose3, camPos geom.Vec3) []drawFace {
	parts, ok := shapes[o.Kind]
	if !ok {
		parts = shapes["van"]
	}
	b := o.Box
	var out []drawFace
	var buf [8]geom.Vec3
	sin, cos := math.Sincos(b.Yaw)
	z0 := b.Z - b.Height/2
	for _, p := range parts {
		cx := (p.x0 + p.x1) / 2 * b.Length
		cy := (p.y0 + p.y1) / 2 * b.Width
		pb := geom.Box{X: b.X + cx*cos - cy*sin, Y: b.Y + cx*sin + cy*cos, Z: z0 + (p.z0+p.z1)/2*b.Height,
			Length: (p.x1 - p.x0) * b.Length, Width: (p.y1 - p.y0) * b.Width, Height: (p.z1 - p.z0) * b.Height, Yaw: b.Yaw}
		col := o.Color
		switch p.color {
		case 1:
			col = Window
		case 2:
			col = Skin
		}
		corners := pb.Corners3()
		for _, f := range faces {
			n := geom.Vec3{X: f.n.X*cos - f.n.Y*sin, Y: f.n.X*sin + f.n.Y*cos, Z: f.n.Z}
			var fc geom.Vec3
			for _, k := range f.idx {
				fc = fc.Add(corners[k])
			}
			fc = fc.Scale(0.25)
			if n.Dot(camPos.Sub(fc)) <= 0 {
				continue
			}
			q := make([]geom.Vec3, 4)
			for i, k := range f.idx {
				q[i] = toCam.Apply(corners[k])
			}
			pts := r.polyPixels(q, buf[:0])
			if pts != nil {
				out = append(out, drawFace{pts: pts, color: shade(col, f.shade)})
			}
		}
	}
	return out
}

// Render draws a frame and returns the labels of the objects whose 3D box projects into it.
func (r *Renderer) Render(sc Scene) ([]Label, error) {
	if r.closed {
		return nil, errors.New("render: renderer closed")
	}
	if sc.Blackout {
		r.img.SetTo(gocv.NewScalar(0, 0, 0, 0))
		return nil, nil
	}
	toCam := r.mapToCamera(sc.Ego)
	camPos := toCam.Inverse().T
	r.img.SetTo(gocv.NewScalar(float64(Sky[2]), float64(Sky[1]), float64(Sky[0]), 0))
	r.ids.SetTo(gocv.NewScalar(0, 0, 0, 0))
	// Ground: a grass plane around the camera, then lanes and markings in layer order.
	var buf [16]geom.Vec3
	grass := []geom.Vec3{}
	for _, c := range [][2]float64{{-1, -1}, {1, -1}, {1, 1}, {-1, 1}} {
		grass = append(grass, toCam.Apply(geom.Vec3{X: camPos.X + c[0]*1000, Y: camPos.Y + c[1]*1000}))
	}
	fill(&r.img, r.polyPixels(grass, buf[:0]), rgba(Grass))
	for _, g := range r.ground {
		if math.Hypot(g.centre.X-camPos.X, g.centre.Y-camPos.Y) > drawRange+g.radius {
			continue
		}
		q := make([]geom.Vec3, len(g.pts))
		for i, p := range g.pts {
			q[i] = toCam.Apply(p)
		}
		fill(&r.img, r.polyPixels(q, buf[:0]), rgba(g.color))
	}
	// Objects far to near.
	type item struct {
		o     Object
		depth float64
	}
	var items []item
	for _, o := range sc.Objects {
		c := toCam.Apply(o.Box.Center())
		reach := math.Hypot(o.Box.Length, o.Box.Width) / 2
		if c.Z < -reach || c.Norm() > drawRange {
			continue
		}
		items = append(items, item{o, c.Norm()})
	}
	sort.SliceStable(items, func(i, j int) bool { return items[i].depth > items[j].depth })
	var labels []Label
	type pending struct {
		label Label
		idx   int
		faces []drawFace
	}
	var pend []pending
	for i, it := range items {
		fs := r.objectFaces(it.o, toCam, camPos)
		for _, f := range fs {
			fill(&r.img, f.pts, rgba(f.color))
			if i < 255 {
				fill(&r.ids, f.pts, color.RGBA{B: uint8(i + 1)})
			}
		}
		vehBox := it.o.Box
		rect, ok := r.cam.ProjectBox(boxInVehicle(vehBox, sc.Ego))
		if !ok || len(fs) == 0 {
			continue
		}
		pend = append(pend, pending{label: Label{ID: it.o.ID, Rect: rect}, idx: i, faces: fs})
	}
	if len(pend) == 0 {
		return nil, nil
	}
	// Visibility: pixels of the object in the final frame over pixels of it drawn alone.
	ids, err := r.ids.DataPtrUint8()
	if err != nil {
		return nil, fmt.Errorf("render: %w", err)
	}
	var count [256]int
	for _, v := range ids {
		count[v]++
	}
	for _, p := range pend {
		alone := 0
		if p.idx < 255 {
			alone = r.soloPixels(p.faces, p.label.Rect)
		}
		if alone > 0 {
			p.label.Visibility = math.Min(1, float64(count[p.idx+1])/float64(alone))
		}
		labels = append(labels, p.label)
	}
	sort.SliceStable(labels, func(i, j int) bool { return labels[i].ID < labels[j].ID })
	return labels, nil
}

// soloPixels counts the pixels of faces drawn alone, within rect.
func (r *Renderer) soloPixels(fs []drawFace, rect geom.Rect) int {
	x0, y0 := int(math.Max(0, math.Floor(rect.X1)-1)), int(math.Max(0, math.Floor(rect.Y1)-1))
	x1, y1 := int(math.Min(float64(r.cam.Width), math.Ceil(rect.X2)+1)), int(math.Min(float64(r.cam.Height), math.Ceil(rect.Y2)+1))
	if x1 <= x0 || y1 <= y0 {
		return 0
	}
	roi := r.solo.Region(image.Rect(x0, y0, x1, y1))
	defer roi.Close()
	roi.SetTo(gocv.NewScalar(0, 0, 0, 0))
	for _, f := range fs {
		fill(&r.solo, f.pts, color.RGBA{B: 255})
	}
	return gocv.CountNonZero(roi)
}

// boxInVehicle expresses a map-frame box in the frame of the ego's rear axle.
func boxInVehicle(b geom.Box, ego geom.Pose2) geom.Box {
	return b.Transform(ego.Inverse())
}
