package sim

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"path/filepath"
	"strings"

	"gocv.io/x/gocv"

	"github.com/avstack/avstack/geom"
)

// Bird's-eye view: BEVSize pixels square, BEVScale pixels per metre, the ego a quarter from
// the bottom, heading up.
const (
	BEVSize  = 360
	BEVScale = 3.0
)

type videoWriter struct {
	w      *World
	s      *sensorSet
	vw     *gocv.VideoWriter
	canvas gocv.Mat
	bev    gocv.Mat
	every  uint64
	width  int
	path   string
}

// VideoCodec returns the FourCC gocv's VideoWriter uses for a file: MJPG for .avi, mp4v for .mp4.
func VideoCodec(path string) (string, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".avi":
		return "MJPG", nil
	case ".mp4":
		return "mp4v", nil
	}
	return "", fmt.Errorf("sim: video %s: use a .avi (MJPG) or .mp4 (mp4v) file", path)
}

func newVideoWriter(path string, w *World, s *sensorSet) (*videoWriter, error) {
	codec, err := VideoCodec(path)
	if err != nil {
		return nil, err
	}
	v := &videoWriter{w: w, s: s, every: 5, width: BEVSize, path: path}
	height := BEVSize
	if s != nil && len(s.cams) > 0 {
		c := s.cams[0]
		v.every = c.every
		v.width += c.cfg.Width
		if c.cfg.Height > height {
			height = c.cfg.Height
		}
	}
	fps := 1 / (float64(v.every) * TickPeriod)
	v.vw, err = gocv.VideoWriterFile(path, codec, fps, v.width, height, true)
	if err != nil {
		return nil, fmt.Errorf("sim: video %s: %w", path, err)
	}
	if !v.vw.IsOpened() {
		v.vw.Close()
		return nil, fmt.Errorf("sim: video %s: OpenCV could not open a %s writer", path, codec)
	}
	v.canvas = gocv.NewMatWithSize(height, v.width, gocv.MatTypeCV8UC3)
	v.bev = gocv.NewMatWithSize(BEVSize, BEVSize, gocv.MatTypeCV8UC3)
	return v, nil
}

func (v *videoWriter) Close() {
	if v.vw == nil {
		return
	}
	v.vw.Close()
	v.canvas.Close()
	v.bev.Close()
	v.vw = nil
}

// toBEV maps a map point to bird's-eye pixels.
func (v *videoWriter) toBEV(inv geom.Pose2, p geom.Vec2) image.Point {
	q := inv.Apply(p)
	return image.Point{X: int(math.Round(BEVSize/2 - q.Y*BEVScale)), Y: int(math.Round(BEVSize*0.75 - q.X*BEVScale))}
}

func (v *videoWriter) box(inv geom.Pose2, b geom.Box, c color.RGBA) {
	var pts []image.Point
	for _, p := range b.Corners2() {
		pts = append(pts, v.toBEV(inv, p))
	}
	pv := gocv.NewPointsVectorFromPoints([][]image.Point{pts})
	defer pv.Close()
	gocv.FillPoly(&v.bev, pv, c)
	// Front edge marker.
	gocv.Line(&v.bev, pts[0], pts[1], color.RGBA{R: 255, G: 255, B: 255, A: 255}, 1)
}

func (v *videoWriter) frame(now int64) error {
	if v.w.Tick%v.every != 0 {
		return nil
	}
	w := v.w
	ego := w.EgoPose()
	inv := ego.Inverse()
	v.bev.SetTo(gocv.NewScalar(40, 70, 40, 0))
	reach := BEVSize / BEVScale
	for _, l := range w.Map.Lanes {
		var pts []image.Point
		for s := 0.0; s <= l.Length(); s += 2 {
			p, _ := l.At(s)
			if math.Hypot(p.X-ego.X, p.Y-ego.Y) > reach*1.2 {
				if len(pts) > 1 {
					v.polyline(pts, int(l.Width*BEVScale))
				}
				pts = pts[:0]
				continue
			}
			pts = append(pts, v.toBEV(inv, p))
		}
		if len(pts) > 1 {
			v.polyline(pts, int(l.Width*BEVScale))
		}
	}
	var route []image.Point
	for s := w.RouteS; s < w.RouteS+reach && s < w.Route.Length(); s += 2 {
		p, _ := w.Route.At(s)
		route = append(route, v.toBEV(inv, p))
	}
	if len(route) > 1 {
		pv := gocv.NewPointsVectorFromPoints([][]image.Point{route})
		gocv.Polylines(&v.bev, pv, false, color.RGBA{R: 0, G: 200, B: 255, A: 255}, 1)
		pv.Close()
	}
	for _, a := range w.Traffic.Active() {
		v.box(inv, a.Box(), color.RGBA{R: a.Color[0], G: a.Color[1], B: a.Color[2], A: 255})
	}
	v.box(inv, w.EgoBox(), color.RGBA{R: 40, G: 220, B: 60, A: 255})
	text := fmt.Sprintf("%s t=%.1fs v=%.1fm/s", w.Scenario.Name, w.Time(), w.Ego.S.V)
	gocv.PutText(&v.bev, text, image.Point{X: 6, Y: 16}, gocv.FontHersheySimplex, 0.45, color.RGBA{R: 255, G: 255, B: 255, A: 255}, 1)
	v.canvas.SetTo(gocv.NewScalar(0, 0, 0, 0))
	dst := v.canvas.Region(image.Rect(0, 0, BEVSize, BEVSize))
	v.bev.CopyTo(&dst)
	dst.Close()
	if v.s != nil && len(v.s.cams) > 0 {
		c := v.s.cams[0]
		img := c.r.Image()
		roi := v.canvas.Region(image.Rect(BEVSize, 0, BEVSize+img.Cols(), img.Rows()))
		img.CopyTo(&roi)
		for _, l := range c.last {
			r := image.Rect(int(l.Rect.X1), int(l.Rect.Y1), int(l.Rect.X2), int(l.Rect.Y2))
			gocv.Rectangle(&roi, r, color.RGBA{R: 255, G: 40, B: 40, A: 255}, 1)
		}
		roi.Close()
	}
	if err := v.vw.Write(v.canvas); err != nil {
		return fmt.Errorf("sim: video %s: %w", v.path, err)
	}
	return nil
}

func (v *videoWriter) polyline(pts []image.Point, width int) {
	pv := gocv.NewPointsVectorFromPoints([][]image.Point{pts})
	defer pv.Close()
	gocv.Polylines(&v.bev, pv, false, color.RGBA{R: 80, G: 80, B: 84, A: 255}, max(1, width))
}
