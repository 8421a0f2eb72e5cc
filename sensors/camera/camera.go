package camera

import (
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"math"
	"time"

	"gocv.io/x/gocv"

	"github.com/avstack/avstack/config"
	"github.com/avstack/avstack/msg"
	"github.com/avstack/avstack/msg/av"
	"github.com/avstack/avstack/msg/foxglove"
	"github.com/avstack/avstack/node"
	"github.com/avstack/avstack/sensors/calibration"
	"github.com/avstack/avstack/sensors/mount"
)

// Intrinsics of the published images.
type Intrinsics struct {
	Width, Height int
	K             [9]float64
	D             []float64
}

// Resolve returns a camera entry's intrinsics, from its calibration_file when set (scaled to
// the entry's size) and otherwise from k and d.
func Resolve(c config.Camera) (Intrinsics, error) {
	in := Intrinsics{Width: c.Width, Height: c.Height}
	if c.CalibrationFile != "" && len(c.K) == 0 {
		f, err := calibration.ReadFile(c.CalibrationFile)
		if err != nil {
			return in, fmt.Errorf("camera %s: %w", c.Name, err)
		}
		if math.Abs(float64(f.Width)/float64(f.Height)-float64(c.Width)/float64(c.Height)) > 0.01 {
			return in, fmt.Errorf("camera %s: calibration %s is %dx%d, a different aspect from the camera's %dx%d", c.Name, c.CalibrationFile, f.Width, f.Height, c.Width, c.Height)
		}
		copy(in.K[:], f.Scaled(c.Width, c.Height))
		in.D = append([]float64(nil), f.D...)
		return in, nil
	}
	if len(c.K) != 9 {
		return in, fmt.Errorf("camera %s: k has %d numbers, want 9", c.Name, len(c.K))
	}
	copy(in.K[:], c.K)
	in.D = append([]float64(nil), c.D...)
	return in, nil
}

type state int

const (
	stateClosed state = iota // not open; open at retryAt
	stateOpen
	stateEnded // a file or folder reached its end (no loop): nothing more to publish
)

// Core is the camera node. It is a source: the runner's timer (Spec.Period = 1/rate) calls
// Step, which captures one frame; `now` is the capture (receive) time. It starts no goroutine
// and reads no clock. A camera that cannot be opened or stops delivering frames is closed and
// re-opened with exponential backoff (in `now` time), and its state is in Health.
type Core struct {
	name   string
	s      Settings
	in     Intrinsics
	g      grabber
	period time.Duration

	st      state
	retryAt int64
	backoff time.Duration
	health  av.NodeStatus_Health
	why     string

	frame, out, tmp gocv.Mat
	map1, map2      gocv.Mat
	haveMaps        bool

	t0        int64 // stamp of the first frame of this pass (capture stamps)
	pos0      float64
	lastStamp int64
	lastInfo  int64
	frames    int // frames of this pass
	published uint64
	closed    bool
}

// New builds a camera core for the camera entry cam. A video file or image folder is opened
// here, so a missing or unreadable one is a start-up error naming the path; devices and
// streams may appear later (they are retried).
func New(name string, s Settings, cam config.Camera) (*Core, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	in, err := Resolve(cam)
	if err != nil {
		return nil, err
	}
	c := &Core{name: cam.Name, s: s, in: in, backoff: s.RetryInitial, health: av.NodeStatus_HEALTH_OK}
	switch s.Source {
	case "device":
		c.g = &captureGrabber{kind: "device", target: s.Device, width: in.Width, height: in.Height, rate: s.RateHz}
	case "file":
		c.g = &captureGrabber{kind: "file", target: s.Path}
	case "stream":
		c.g = &captureGrabber{kind: "stream", target: s.URL}
	case "folder":
		c.g = &folderGrabber{dir: s.Path}
	}
	rate := s.RateHz
	if s.Source == "file" || s.Source == "folder" {
		if err := c.g.open(); err != nil {
			return nil, err
		}
		c.st = stateOpen
		if rate == 0 {
			rate = cam.RateHz
		}
		if rate == 0 {
			rate = c.g.fps()
		}
	}
	if rate == 0 {
		rate = cam.RateHz
	}
	if !(rate > 0) || rate > 1000 || math.IsNaN(rate) {
		c.g.close()
		return nil, fmt.Errorf("camera %s: no frame rate: set settings.rate_hz or cameras[].rate_hz", cam.Name)
	}
	c.period = time.Duration(float64(time.Second) / rate)
	c.frame, c.out, c.tmp = gocv.NewMat(), gocv.NewMat(), gocv.NewMat()
	if s.Undistort && len(in.D) > 0 {
		if err := c.initMaps(); err != nil {
			c.Close()
			return nil, err
		}
	}
	return c, nil
}

func (c *Core) initMaps() error {
	switch len(c.in.D) {
	case 4, 5, 8:
	default:
		return fmt.Errorf("camera %s: %d distortion coefficients, want 4, 5 or 8", c.name, len(c.in.D))
	}
	k, err := gocv.NewMatFromBytes(3, 3, gocv.MatTypeCV64F, f64bytes(c.in.K[:]))
	if err != nil {
		return fmt.Errorf("camera %s: %w", c.name, err)
	}
	defer k.Close()
	d, err := gocv.NewMatFromBytes(1, len(c.in.D), gocv.MatTypeCV64F, f64bytes(c.in.D))
	if err != nil {
		return fmt.Errorf("camera %s: %w", c.name, err)
	}
	defer d.Close()
	r := gocv.NewMat()
	defer r.Close()
	c.map1, c.map2 = gocv.NewMat(), gocv.NewMat()
	gocv.InitUndistortRectifyMap(k, d, r, k, image.Pt(c.in.Width, c.in.Height), int(gocv.MatTypeCV32FC1), c.map1, c.map2)
	if c.map1.Empty() || c.map1.Cols() != c.in.Width {
		return fmt.Errorf("camera %s: undistortion maps could not be built", c.name)
	}
	c.haveMaps = true
	return nil
}

func f64bytes(v []float64) []byte {
	b := make([]byte, 8*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint64(b[8*i:], math.Float64bits(x))
	}
	return b
}

// Spec: no inputs; image then calibration; a timer at the capture rate.
func (c *Core) Spec() node.Spec {
	return node.Spec{Outputs: []string{msg.Camera(c.name), msg.CameraInfo(c.name)}, Period: c.period}
}

// Health reports the capture state.
func (c *Core) Health() (av.NodeStatus_Health, string) { return c.health, c.why }

// Published is the number of frames published so far.
func (c *Core) Published() uint64 { return c.published }

func (c *Core) fail(now int64, why string) {
	c.g.close()
	c.st = stateClosed
	c.retryAt = now + int64(c.backoff)
	c.health = av.NodeStatus_HEALTH_DEGRADED
	c.why = fmt.Sprintf("%s; retrying in %v", why, c.backoff)
	c.backoff *= 2
	if c.backoff > c.s.RetryMax {
		c.backoff = c.s.RetryMax
	}
}

// Step captures one frame (when open) and returns the image, plus the calibration when due.
// A step without a frame (camera closed and waiting to retry, or finished) returns nothing.
func (c *Core) Step(_ []node.Message, now int64) ([]node.Output, error) {
	if c.closed {
		return nil, fmt.Errorf("camera %s: closed", c.name)
	}
	switch c.st {
	case stateEnded:
		return nil, nil
	case stateClosed:
		if now < c.retryAt {
			return nil, nil
		}
		if err := c.g.open(); err != nil {
			c.fail(now, err.Error())
			return nil, err
		}
		c.st = stateOpen
		c.frames = 0
	}
	pos, ok, err := c.g.read(&c.frame)
	if err != nil {
		// One undecodable frame (an image of a folder): report it and go on with the next.
		c.health, c.why = av.NodeStatus_HEALTH_DEGRADED, err.Error()
		return nil, err
	}
	if !ok {
		n := c.frames
		switch {
		case c.s.Source == "file" || c.s.Source == "folder":
			if c.s.Loop && n > 0 {
				c.g.close()
				if err := c.g.open(); err != nil {
					c.fail(now, err.Error())
					return nil, err
				}
				c.frames = 0
				c.t0 = 0
				return c.Step(nil, now)
			}
			c.st = stateEnded
			c.g.close()
			if n == 0 {
				c.health, c.why = av.NodeStatus_HEALTH_ERROR, fmt.Sprintf("camera %s: %s gave no decodable frame", c.name, c.g.describe())
				return nil, fmt.Errorf("%s", c.why)
			}
			c.health, c.why = av.NodeStatus_HEALTH_DEGRADED, fmt.Sprintf("%s ended after %d frames", c.g.describe(), n)
			return nil, nil
		default:
			c.fail(now, fmt.Sprintf("camera %s: %s delivered no frame (unplugged or stream ended)", c.name, c.g.describe()))
			return nil, fmt.Errorf("camera %s: %s delivered no frame", c.name, c.g.describe())
		}
	}
	c.frames++
	c.backoff = c.s.RetryInitial
	c.health, c.why = av.NodeStatus_HEALTH_OK, ""

	stamp := now
	if c.s.Stamps == "capture" && (c.s.Source == "file" || c.s.Source == "folder") {
		if c.frames == 1 {
			c.t0 = now
			if c.lastStamp >= now { // a loop restarting within the same step time
				c.t0 = c.lastStamp + int64(c.period)
			}
			c.pos0 = pos
		}
		if pos >= 0 {
			stamp = c.t0 + int64(math.Round((pos-c.pos0)*1e6))
		} else {
			stamp = c.t0 + int64(c.frames-1)*int64(c.period)
		}
	}
	if stamp <= c.lastStamp {
		return nil, fmt.Errorf("camera %s: capture time %d is not after the previous frame's %d; frame dropped", c.name, stamp, c.lastStamp)
	}
	img, err := c.prepare()
	if err != nil {
		return nil, err
	}
	out, err := c.encode(img, stamp)
	if err != nil {
		return nil, err
	}
	c.lastStamp = stamp
	c.published++
	outs := []node.Output{{Subject: msg.Camera(c.name), Value: out}}
	if c.lastInfo == 0 || stamp-c.lastInfo >= int64(c.s.InfoPeriod) {
		c.lastInfo = stamp
		outs = append(outs, node.Output{Subject: msg.CameraInfo(c.name), Value: c.Info(stamp)})
	}
	return outs, nil
}

// prepare converts the captured frame to BGR at the camera's size and undistorts it.
func (c *Core) prepare() (gocv.Mat, error) {
	f := c.frame
	if f.Empty() || f.Cols() <= 0 || f.Rows() <= 0 {
		return f, fmt.Errorf("camera %s: empty frame", c.name)
	}
	switch f.Channels() {
	case 3:
	case 1:
		gocv.CvtColor(f, &c.tmp, gocv.ColorGrayToBGR)
		c.tmp.CopyTo(&c.frame)
	case 4:
		gocv.CvtColor(f, &c.tmp, gocv.ColorBGRAToBGR)
		c.tmp.CopyTo(&c.frame)
	default:
		return f, fmt.Errorf("camera %s: frame has %d channels", c.name, f.Channels())
	}
	if c.frame.Type() != gocv.MatTypeCV8UC3 {
		return f, fmt.Errorf("camera %s: frame type %v, want 8-bit BGR", c.name, c.frame.Type())
	}
	img := c.frame
	if img.Cols() != c.in.Width || img.Rows() != c.in.Height {
		gocv.Resize(img, &c.tmp, image.Pt(c.in.Width, c.in.Height), 0, 0, gocv.InterpolationArea)
		img = c.tmp
	}
	if c.haveMaps {
		gocv.Remap(img, &c.out, &c.map1, &c.map2, gocv.InterpolationLinear, gocv.BorderConstant, color.RGBA{})
		img = c.out
	}
	return img, nil
}

func (c *Core) encode(img gocv.Mat, stamp int64) (protoMsg, error) {
	ts := node.Timestamp(stamp)
	frame := mount.CameraOpticalFrame(c.name)
	if c.s.Encoding == "raw" {
		b := img.ToBytes()
		return &foxglove.RawImage{Timestamp: ts, FrameId: frame, Width: uint32(img.Cols()), Height: uint32(img.Rows()),
			Encoding: "bgr8", Step: uint32(img.Cols() * 3), Data: b}, nil
	}
	buf, err := gocv.IMEncodeWithParams(gocv.JPEGFileExt, img, []int{gocv.IMWriteJpegQuality, c.s.JPEGQuality})
	if err != nil {
		return nil, fmt.Errorf("camera %s: jpeg: %w", c.name, err)
	}
	defer buf.Close()
	data := append([]byte(nil), buf.GetBytes()...)
	return &foxglove.CompressedImage{Timestamp: ts, FrameId: frame, Data: data, Format: "jpeg"}, nil
}

// Info is the calibration message of the published images.
func (c *Core) Info(stamp int64) *foxglove.CameraCalibration {
	k := c.in.K
	d := append([]float64(nil), c.in.D...)
	if c.haveMaps {
		d = make([]float64, len(c.in.D))
	}
	if len(d) == 0 {
		d = make([]float64, 5)
	}
	return &foxglove.CameraCalibration{
		Timestamp: node.Timestamp(stamp), FrameId: mount.CameraOpticalFrame(c.name),
		Width: uint32(c.in.Width), Height: uint32(c.in.Height), DistortionModel: "plumb_bob",
		D: d, K: k[:], R: []float64{1, 0, 0, 0, 1, 0, 0, 0, 1},
		P: []float64{k[0], k[1], k[2], 0, k[3], k[4], k[5], 0, k[6], k[7], k[8], 0},
	}
}

// Close releases the capture and the Mats; safe to call twice.
func (c *Core) Close() error {
	if c.closed {
		return nil
	}
	c.closed = true
	c.g.close()
	c.frame.Close()
	c.out.Close()
	c.tmp.Close()
	if c.haveMaps {
		c.map1.Close()
		c.map2.Close()
	}
	return nil
}
