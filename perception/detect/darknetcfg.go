package detect

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/avstack/avstack/nn/darknet"
)

// darknetCfg is what detection needs from a Darknet .cfg: the [net] input size and channel count
// and, per [yolo] section in file order, its head and the section before it (whose output is the
// raw tensor the head decodes).
type darknetCfg struct {
	Width, Height, Channels int
	Heads                   []YoloHead
	// HeadInputs[i] is the index (0-based, [net] not counted) and kind of the section feeding
	// head i. OpenCV's Darknet importer names that layer "<kind-prefix>_<index>" (conv_120).
	HeadInputs []int
	HeadKinds  []string
}

// readDarknetCfg scans a .cfg for the [net] size and the [yolo] heads. It checks only what it
// reads; the full import is nn/darknet's job.
func readDarknetCfg(path string) (*darknetCfg, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("detect: darknet cfg: %w", err)
	}
	secs, err := darknet.ParseCfg(b)
	if err != nil {
		return nil, fmt.Errorf("detect: darknet cfg %s: %w", path, err)
	}
	if len(secs) == 0 || (secs[0].Type != "net" && secs[0].Type != "network") {
		return nil, fmt.Errorf("detect: darknet cfg %s: first section must be [net]", path)
	}
	atoi := func(s *darknet.Section, key string, def int) (int, error) {
		v, ok := s.Opts[key]
		if !ok {
			return def, nil
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			return 0, fmt.Errorf("detect: darknet cfg %s:%d: [%s] %s=%q is not an integer", path, s.Line, s.Type, key, v)
		}
		return n, nil
	}
	ints := func(s *darknet.Section, key string) ([]int, error) {
		var out []int
		for _, f := range strings.Split(s.Opts[key], ",") {
			f = strings.TrimSpace(f)
			if f == "" {
				continue
			}
			n, err := strconv.Atoi(f)
			if err != nil {
				return nil, fmt.Errorf("detect: darknet cfg %s:%d: [%s] %s has %q, not an integer", path, s.Line, s.Type, key, f)
			}
			out = append(out, n)
		}
		return out, nil
	}
	c := &darknetCfg{}
	net := secs[0]
	if c.Width, err = atoi(net, "width", 0); err != nil {
		return nil, err
	}
	if c.Height, err = atoi(net, "height", 0); err != nil {
		return nil, err
	}
	if c.Channels, err = atoi(net, "channels", 3); err != nil {
		return nil, err
	}
	if c.Width <= 0 || c.Height <= 0 {
		return nil, fmt.Errorf("detect: darknet cfg %s: [net] width=%d height=%d must be positive", path, c.Width, c.Height)
	}
	layers := secs[1:]
	prefix := map[string]string{"convolutional": "conv", "conv": "conv"}
	for i, s := range layers {
		if s.Type != "yolo" {
			continue
		}
		classes, err := atoi(s, "classes", 20)
		if err != nil {
			return nil, err
		}
		anchors, err := ints(s, "anchors")
		if err != nil {
			return nil, err
		}
		mask, err := ints(s, "mask")
		if err != nil {
			return nil, err
		}
		if len(anchors)%2 != 0 || len(anchors) == 0 {
			return nil, fmt.Errorf("detect: darknet cfg %s:%d: [yolo] anchors has %d values, want a non-empty even count", path, s.Line, len(anchors))
		}
		if len(mask) == 0 {
			for k := 0; k < len(anchors)/2; k++ {
				mask = append(mask, k)
			}
		}
		h := YoloHead{Classes: classes, ScaleXY: 1}
		for _, m := range mask {
			if m < 0 || 2*m+1 >= len(anchors) {
				return nil, fmt.Errorf("detect: darknet cfg %s:%d: [yolo] mask %d is outside the %d anchors", path, s.Line, m, len(anchors)/2)
			}
			h.Anchors = append(h.Anchors, [2]float32{float32(anchors[2*m]), float32(anchors[2*m+1])})
		}
		if v, ok := s.Opts["scale_x_y"]; ok {
			f, err := strconv.ParseFloat(v, 32)
			if err != nil || f <= 0 {
				return nil, fmt.Errorf("detect: darknet cfg %s:%d: [yolo] scale_x_y=%q is not a positive number", path, s.Line, v)
			}
			h.ScaleXY = float32(f)
		}
		if i == 0 {
			return nil, fmt.Errorf("detect: darknet cfg %s:%d: [yolo] is the first layer", path, s.Line)
		}
		p, ok := prefix[layers[i-1].Type]
		if !ok {
			p = layers[i-1].Type
		}
		c.Heads = append(c.Heads, h)
		c.HeadInputs = append(c.HeadInputs, i-1)
		c.HeadKinds = append(c.HeadKinds, p)
	}
	if len(c.Heads) == 0 {
		return nil, fmt.Errorf("detect: darknet cfg %s: no [yolo] section", path)
	}
	return c, nil
}

// opencvHeadLayers names, for each head, the OpenCV DNN layer whose output feeds it.
func (c *darknetCfg) opencvHeadLayers() []string {
	out := make([]string, len(c.HeadInputs))
	for i, idx := range c.HeadInputs {
		out[i] = fmt.Sprintf("%s_%d", c.HeadKinds[i], idx)
	}
	return out
}
