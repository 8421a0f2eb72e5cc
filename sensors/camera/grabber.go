package camera

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"gocv.io/x/gocv"
)

// grabber is one way of getting frames. read fills dst with a BGR frame and returns the
// driver's capture position in ms (a file's presentation time; -1 when the driver has none).
// ok = false means no frame (end of stream or device gone); err names a frame that exists
// but cannot be decoded.
type grabber interface {
	open() error
	read(dst *gocv.Mat) (posMs float64, ok bool, err error)
	fps() float64
	close()
	describe() string
}

// captureGrabber wraps OpenCV's VideoCapture (V4L2 device, video file, stream URL).
type captureGrabber struct {
	kind   string // "device", "file", "stream"
	target string
	width  int
	height int
	rate   float64
	vc     *gocv.VideoCapture
}

func (g *captureGrabber) describe() string { return g.kind + " " + g.target }

func (g *captureGrabber) open() error {
	var vc *gocv.VideoCapture
	var err error
	switch g.kind {
	case "device":
		if idx, aerr := strconv.Atoi(g.target); aerr == nil {
			vc, err = gocv.VideoCaptureDeviceWithAPI(idx, gocv.VideoCaptureV4L2)
		} else {
			if _, serr := os.Stat(g.target); serr != nil {
				return fmt.Errorf("camera: device %s: %w", g.target, serr)
			}
			vc, err = gocv.VideoCaptureFileWithAPI(g.target, gocv.VideoCaptureV4L2)
		}
	case "file":
		if _, serr := os.Stat(g.target); serr != nil {
			return fmt.Errorf("camera: video file: %w", serr)
		}
		vc, err = gocv.VideoCaptureFileWithAPI(g.target, gocv.VideoCaptureFFmpeg)
	case "stream":
		vc, err = gocv.VideoCaptureFileWithAPI(g.target, gocv.VideoCaptureFFmpeg)
	default:
		return fmt.Errorf("camera: unknown capture kind %q", g.kind)
	}
	if err != nil || vc == nil || !vc.IsOpened() {
		if vc != nil {
			vc.Close()
		}
		what := map[string]string{"device": "no such capture device or it is busy", "file": "OpenCV (FFmpeg) cannot open it: not a video or an unsupported codec", "stream": "OpenCV (FFmpeg) cannot open the stream"}[g.kind]
		return fmt.Errorf("camera: %s %s: %s", g.kind, g.target, what)
	}
	if g.kind == "device" {
		if g.width > 0 && g.height > 0 {
			vc.Set(gocv.VideoCaptureFrameWidth, float64(g.width))
			vc.Set(gocv.VideoCaptureFrameHeight, float64(g.height))
		}
		if g.rate > 0 {
			vc.Set(gocv.VideoCaptureFPS, g.rate)
		}
	}
	g.vc = vc
	return nil
}

func (g *captureGrabber) read(dst *gocv.Mat) (float64, bool, error) {
	if g.vc == nil {
		return 0, false, nil
	}
	if !g.vc.Read(dst) || dst.Empty() {
		return 0, false, nil
	}
	pos := -1.0
	if g.kind == "file" {
		pos = g.vc.Get(gocv.VideoCapturePosMsec)
	}
	return pos, true, nil
}

func (g *captureGrabber) fps() float64 {
	if g.vc == nil {
		return 0
	}
	return g.vc.Get(gocv.VideoCaptureFPS)
}

func (g *captureGrabber) close() {
	if g.vc != nil {
		g.vc.Close()
		g.vc = nil
	}
}

// frameCount is the container's frame count of a file (0 when unknown).
func (g *captureGrabber) frameCount() int {
	if g.vc == nil {
		return 0
	}
	return int(g.vc.Get(gocv.VideoCaptureFrameCount))
}

// folderGrabber plays a folder of images in natural sort order (img2 before img10).
type folderGrabber struct {
	dir   string
	files []string
	next  int
}

var imageExt = map[string]bool{".jpg": true, ".jpeg": true, ".png": true, ".bmp": true, ".ppm": true, ".pgm": true, ".tif": true, ".tiff": true, ".webp": true}

func (g *folderGrabber) describe() string { return "folder " + g.dir }

func (g *folderGrabber) open() error {
	ents, err := os.ReadDir(g.dir)
	if err != nil {
		return fmt.Errorf("camera: image folder: %w", err)
	}
	g.files = g.files[:0]
	for _, e := range ents {
		if !e.IsDir() && imageExt[strings.ToLower(filepath.Ext(e.Name()))] {
			g.files = append(g.files, filepath.Join(g.dir, e.Name()))
		}
	}
	if len(g.files) == 0 {
		return fmt.Errorf("camera: image folder %s: no images (.jpg, .png, ...)", g.dir)
	}
	sort.Slice(g.files, func(i, j int) bool { return naturalLess(filepath.Base(g.files[i]), filepath.Base(g.files[j])) })
	g.next = 0
	return nil
}

func (g *folderGrabber) read(dst *gocv.Mat) (float64, bool, error) {
	if g.next >= len(g.files) {
		return 0, false, nil
	}
	p := g.files[g.next]
	g.next++
	if _, err := os.Stat(p); err != nil {
		return 0, false, fmt.Errorf("camera: image folder: %w", err)
	}
	img := gocv.IMRead(p, gocv.IMReadColor)
	defer img.Close()
	if img.Empty() {
		return 0, true, fmt.Errorf("camera: %s: not a decodable image", p)
	}
	img.CopyTo(dst)
	return -1, true, nil
}

func (g *folderGrabber) fps() float64 { return 0 }
func (g *folderGrabber) close()       {}

// naturalLess orders names with digit runs compared as numbers.
func naturalLess(a, b string) bool {
	for a != "" && b != "" {
		da, db := digits(a), digits(b)
		if da > 0 && db > 0 {
			na, nb := strings.TrimLeft(a[:da], "0"), strings.TrimLeft(b[:db], "0")
			if len(na) != len(nb) {
				return len(na) < len(nb)
			}
			if na != nb {
				return na < nb
			}
			a, b = a[da:], b[db:]
			continue
		}
		if a[0] != b[0] {
			return a[0] < b[0]
		}
		a, b = a[1:], b[1:]
	}
	return len(a) < len(b)
}

func digits(s string) int {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}
