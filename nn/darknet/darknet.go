package darknet

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/avstack/avstack/nn"
	"github.com/avstack/avstack/nn/cpu"
	"github.com/avstack/avstack/nn/graph"
)

// InputName is the name of the graph input.
const InputName = "data"

// YoloHead describes one [yolo] layer.
type YoloHead struct {
	Output  string
	Anchors [][2]float32 // pixels, the masked ones
	Classes int
	ScaleXY float32
	Stride  int
}

// Model is an imported Darknet network.
type Model struct {
	Graph                   *graph.Graph
	Width, Height, Channels int
	Heads                   []YoloHead
	// Floats is the number of float32 weights read.
	Floats int
}

// Section is one [type] block of a cfg file.
type Section struct {
	Type string
	Line int
	Opts map[string]string
}

// ParseCfg reads the sections of a Darknet cfg.
func ParseCfg(b []byte) ([]*Section, error) {
	var secs []*Section
	sc := bufio.NewScanner(bytes.NewReader(b))
	line := 0
	for sc.Scan() {
		line++
		s := strings.TrimSpace(sc.Text())
		if i := strings.IndexAny(s, "#;"); i >= 0 {
			s = strings.TrimSpace(s[:i])
		}
		if s == "" {
			continue
		}
		if s[0] == '[' {
			if !strings.HasSuffix(s, "]") {
				return nil, fmt.Errorf("line %d: bad section header %q", line, s)
			}
			secs = append(secs, &Section{Type: strings.TrimSpace(s[1 : len(s)-1]), Line: line, Opts: map[string]string{}})
			continue
		}
		k, v, ok := strings.Cut(s, "=")
		if !ok {
			return nil, fmt.Errorf("line %d: want key=value, got %q", line, s)
		}
		if len(secs) == 0 {
			return nil, fmt.Errorf("line %d: expected key=value inside a section, got %q before any section", line, s)
		}
		secs[len(secs)-1].Opts[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return secs, sc.Err()
}

func (s *Section) errf(format string, a ...any) error {
	return fmt.Errorf("[%s] at line %d: %s", s.Type, s.Line, fmt.Sprintf(format, a...))
}

func (s *Section) int(key string, def int) (int, error) {
	v, ok := s.Opts[key]
	if !ok {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, s.errf("%s=%q is not an integer", key, v)
	}
	return n, nil
}

func (s *Section) float(key string, def float32) (float32, error) {
	v, ok := s.Opts[key]
	if !ok {
		return def, nil
	}
	f, err := strconv.ParseFloat(v, 32)
	if err != nil {
		return 0, s.errf("%s=%q is not a number", key, v)
	}
	return float32(f), nil
}

func (s *Section) ints(key string) ([]int, error) {
	v, ok := s.Opts[key]
	if !ok {
		return nil, nil
	}
	var r []int
	for _, f := range strings.Split(v, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil {
			return nil, s.errf("%s=%q: %q is not an integer", key, v, f)
		}
		r = append(r, n)
	}
	return r, nil
}

// weights reads float32s from the weights file in order.
type weights struct {
	b    []byte
	off  int
	path string
}

func (w *weights) take(n int) ([]float32, error) {
	if w.off+4*n > len(w.b) {
		return nil, fmt.Errorf("darknet: %s: truncated: need %d more floats at float %d, file has %d", w.path, n, w.off/4, len(w.b)/4)
	}
	d := make([]float32, n)
	for k := range d {
		d[k] = math.Float32frombits(binary.LittleEndian.Uint32(w.b[w.off+4*k:]))
	}
	w.off += 4 * n
	return d, nil
}

type shape struct{ c, h, w int }

// Load reads a cfg and its weights onto the fast cpu backend.
func Load(cfgPath, weightsPath string) (*Model, error) {
	return LoadOn(cfgPath, weightsPath, cpu.NewFast())
}

// LoadOn reads a cfg and its weights onto a given backend.
func LoadOn(cfgPath, weightsPath string, be nn.Backend) (*Model, error) {
	cb, err := os.ReadFile(cfgPath)
	if err != nil {
		return nil, fmt.Errorf("darknet: %w", err)
	}
	wb, err := os.ReadFile(weightsPath)
	if err != nil {
		return nil, fmt.Errorf("darknet: %w", err)
	}
	m, err := DecodeOn(cb, wb, weightsPath, be)
	if err != nil {
		return nil, fmt.Errorf("darknet: %s: %w", cfgPath, err)
	}
	return m, nil
}

// Decode builds a model from cfg text and weights bytes (name is used in
// errors) on the fast cpu backend.
func Decode(cfg, wts []byte, name string) (*Model, error) {
	return DecodeOn(cfg, wts, name, cpu.NewFast())
}

// DecodeOn is Decode on a given backend.
func DecodeOn(cfg, wts []byte, name string, be nn.Backend) (*Model, error) {
	secs, err := ParseCfg(cfg)
	if err != nil {
		return nil, err
	}
	if len(secs) == 0 || (secs[0].Type != "net" && secs[0].Type != "network") {
		return nil, fmt.Errorf("first section must be [net]")
	}
	net := secs[0]
	m := &Model{}
	if m.Width, err = net.int("width", 0); err != nil {
		return nil, err
	}
	if m.Height, err = net.int("height", 0); err != nil {
		return nil, err
	}
	if m.Channels, err = net.int("channels", 3); err != nil {
		return nil, err
	}
	if m.Width <= 0 || m.Height <= 0 || m.Channels <= 0 {
		return nil, net.errf("width %d, height %d, channels %d must be positive", m.Width, m.Height, m.Channels)
	}
	if len(wts) < 20 {
		return nil, fmt.Errorf("%s: %d bytes is too short for a weights header", name, len(wts))
	}
	major := int32(binary.LittleEndian.Uint32(wts[0:]))
	minor := int32(binary.LittleEndian.Uint32(wts[4:]))
	hdr := 16
	if major*10+minor >= 2 {
		hdr = 20
	}
	if major < 0 || major > 1000 || minor < 0 || minor > 1000 {
		return nil, fmt.Errorf("%s: header version %d.%d does not look like a Darknet weights file", name, major, minor)
	}
	if (len(wts)-hdr)%4 != 0 {
		return nil, fmt.Errorf("%s: %d bytes after the header is not a whole number of floats", name, len(wts)-hdr)
	}
	w := &weights{b: wts[hdr:], path: name}
	b := graph.NewBuilder()
	b.Input(InputName, nn.Float32, []int{1, m.Channels, m.Height, m.Width})
	var names []string
	var shapes []shape
	cur := InputName
	sh := shape{m.Channels, m.Height, m.Width}
	layer := func(i int, at int) (int, error) {
		if at < 0 {
			at += i
		}
		if at < 0 || at >= i {
			return 0, fmt.Errorf("layer %d refers to layer %d", i, at)
		}
		return at, nil
	}
	for i, s := range secs[1:] {
		out := fmt.Sprintf("layer%d_%s", i, s.Type)
		switch s.Type {
		case "convolutional", "conv":
			filters, e1 := s.int("filters", 1)
			size, e2 := s.int("size", 1)
			stride, e3 := s.int("stride", 1)
			pad, e4 := s.int("pad", 0)
			padding, e5 := s.int("padding", 0)
			groups, e6 := s.int("groups", 1)
			bn, e7 := s.int("batch_normalize", 0)
			if err := firstErr(e1, e2, e3, e4, e5, e6, e7); err != nil {
				return nil, err
			}
			if pad == 1 {
				padding = size / 2
			}
			if groups < 1 || sh.c%groups != 0 || filters%groups != 0 || filters <= 0 || size <= 0 || stride <= 0 {
				return nil, s.errf("filters %d, size %d, stride %d, groups %d for %d input channels", filters, size, stride, groups, sh.c)
			}
			bias, err := w.take(filters)
			if err != nil {
				return nil, err
			}
			var gamma, mean, vr []float32
			if bn == 1 {
				if gamma, err = w.take(filters); err != nil {
					return nil, err
				}
				if mean, err = w.take(filters); err != nil {
					return nil, err
				}
				if vr, err = w.take(filters); err != nil {
					return nil, err
				}
			}
			kern, err := w.take(filters * sh.c / groups * size * size)
			if err != nil {
				return nil, err
			}
			wn := out + ".weight"
			b.Const(wn, nn.FromSlice(kern, filters, sh.c/groups, size, size))
			conv := &graph.ConvOp{Strides: []int{stride, stride}, Pads: []int{padding, padding, padding, padding}, Group: groups}
			convOut := out
			act, err := activation(s, "logistic")
			if err != nil {
				return nil, err
			}
			if act.Kind != nn.ActNone {
				convOut = out + ".pre"
			}
			if bn == 1 {
				bnIn := out + ".conv"
				b.Add(&graph.Node{Name: out + ".conv", OpType: "Conv", Op: conv, Inputs: []string{cur, wn}, Outputs: []string{bnIn}})
				b.Const(out+".scale", nn.FromSlice(gamma, filters))
				b.Const(out+".bias", nn.FromSlice(bias, filters))
				b.Const(out+".mean", nn.FromSlice(mean, filters))
				b.Const(out+".var", nn.FromSlice(vr, filters))
				b.Add(&graph.Node{Name: out + ".bn", OpType: "BatchNormalization", Op: &graph.BatchNormOp{Eps: 1e-6},
					Inputs: []string{bnIn, out + ".scale", out + ".bias", out + ".mean", out + ".var"}, Outputs: []string{convOut}})
			} else {
				b.Const(out+".b", nn.FromSlice(bias, filters))
				b.Add(&graph.Node{Name: out + ".conv", OpType: "Conv", Op: conv, Inputs: []string{cur, wn, out + ".b"}, Outputs: []string{convOut}})
			}
			if act.Kind != nn.ActNone {
				b.Add(&graph.Node{Name: out + ".act", OpType: act.Kind.String(), Op: &graph.ActOp{Act: act}, Inputs: []string{convOut}, Outputs: []string{out}})
			}
			sh = shape{filters, nn.ConvOutSize(sh.h, size, stride, 1, padding, padding), nn.ConvOutSize(sh.w, size, stride, 1, padding, padding)}
		case "shortcut":
			from, err := s.int("from", 0)
			if err != nil {
				return nil, err
			}
			j, err := layer(i, from)
			if err != nil {
				return nil, s.errf("%v", err)
			}
			if shapes[j] != sh {
				return nil, s.errf("from=%d has shape %v, previous layer %v", from, shapes[j], sh)
			}
			act, err := activation(s, "linear")
			if err != nil {
				return nil, err
			}
			sum := out
			if act.Kind != nn.ActNone {
				sum = out + ".sum"
			}
			b.Add(&graph.Node{Name: out, OpType: "Add", Op: &graph.BinaryOp{Op: nn.OpAdd}, Inputs: []string{cur, names[j]}, Outputs: []string{sum}})
			if act.Kind != nn.ActNone {
				b.Add(&graph.Node{Name: out + ".act", OpType: act.Kind.String(), Op: &graph.ActOp{Act: act}, Inputs: []string{sum}, Outputs: []string{out}})
			}
		case "route":
			ls, err := s.ints("layers")
			if err != nil {
				return nil, err
			}
			groups, e1 := s.int("groups", 1)
			gid, e2 := s.int("group_id", 0)
			if err := firstErr(e1, e2); err != nil {
				return nil, err
			}
			if len(ls) == 0 {
				return nil, s.errf("layers is empty")
			}
			var ins []string
			c := 0
			var first shape
			for k, l := range ls {
				j, err := layer(i, l)
				if err != nil {
					return nil, s.errf("%v", err)
				}
				if k == 0 {
					first = shapes[j]
				} else if shapes[j].h != first.h || shapes[j].w != first.w {
					return nil, s.errf("layers %v have different sizes", ls)
				}
				ins = append(ins, names[j])
				c += shapes[j].c
			}
			cat := out
			if groups > 1 {
				cat = out + ".cat"
			}
			if len(ins) == 1 {
				b.Add(&graph.Node{Name: out, OpType: "Identity", Op: graph.IdentityOp{}, Inputs: ins, Outputs: []string{cat}})
			} else {
				b.Add(&graph.Node{Name: out, OpType: "Concat", Op: &graph.ConcatOp{Axis: 1}, Inputs: ins, Outputs: []string{cat}})
			}
			if groups > 1 {
				if c%groups != 0 || gid < 0 || gid >= groups {
					return nil, s.errf("groups %d, group_id %d for %d channels", groups, gid, c)
				}
				part := c / groups
				b.Add(&graph.Node{Name: out + ".group", OpType: "Slice", Op: &graph.SliceOp{Starts: []int{gid * part}, Ends: []int{(gid + 1) * part}, Axes: []int{1}}, Inputs: []string{cat}, Outputs: []string{out}})
				c = part
			}
			sh = shape{c, first.h, first.w}
		case "maxpool":
			size, e1 := s.int("size", 1)
			stride, e2 := s.int("stride", 1)
			padding, e3 := s.int("padding", size-1)
			if err := firstErr(e1, e2, e3); err != nil {
				return nil, err
			}
			if size <= 0 || stride <= 0 {
				return nil, s.errf("size %d, stride %d", size, stride)
			}
			pb, pe := padding/2, padding-padding/2
			b.Add(&graph.Node{Name: out, OpType: "MaxPool", Op: &graph.PoolOp{Max: true, Kernel: []int{size, size}, Strides: []int{stride, stride}, Pads: []int{pb, pb, pe, pe}}, Inputs: []string{cur}, Outputs: []string{out}})
			sh = shape{sh.c, (sh.h+padding-size)/stride + 1, (sh.w+padding-size)/stride + 1}
		case "upsample":
			stride, err := s.int("stride", 2)
			if err != nil {
				return nil, err
			}
			if stride <= 0 {
				return nil, s.errf("stride %d (downsampling upsample is not supported)", stride)
			}
			f := float32(stride)
			b.Add(&graph.Node{Name: out, OpType: "Upsample", Op: &graph.ResizeOp{Scales: []float32{1, 1, f, f}, P: nn.ResizeParams{Mode: nn.ResizeNearest, Coord: "asymmetric", Nearest: "floor"}}, Inputs: []string{cur}, Outputs: []string{out}})
			sh = shape{sh.c, sh.h * stride, sh.w * stride}
		case "dropout":
			b.Add(&graph.Node{Name: out, OpType: "Dropout", Op: graph.IdentityOp{}, Inputs: []string{cur}, Outputs: []string{out}})
		case "yolo":
			mask, err := s.ints("mask")
			if err != nil {
				return nil, err
			}
			an, err := s.ints("anchors")
			if err != nil {
				return nil, err
			}
			classes, e1 := s.int("classes", 20)
			sxy, e2 := s.float("scale_x_y", 1)
			if err := firstErr(e1, e2); err != nil {
				return nil, err
			}
			if len(an)%2 != 0 {
				return nil, s.errf("anchors has an odd count %d", len(an))
			}
			if len(mask) == 0 {
				for k := 0; k < len(an)/2; k++ {
					mask = append(mask, k)
				}
			}
			h := YoloHead{Output: cur, Classes: classes, ScaleXY: sxy}
			for _, k := range mask {
				if k < 0 || 2*k+1 >= len(an) {
					return nil, s.errf("mask %d outside %d anchors", k, len(an)/2)
				}
				h.Anchors = append(h.Anchors, [2]float32{float32(an[2*k]), float32(an[2*k+1])})
			}
			if sh.c != len(mask)*(5+classes) {
				return nil, s.errf("input has %d channels, want %d anchors x (5 + %d classes)", sh.c, len(mask), classes)
			}
			if sh.w > 0 {
				h.Stride = m.Width / sh.w
			}
			m.Heads = append(m.Heads, h)
			b.Output(cur)
			out = cur // a yolo layer passes its input through for later routes
		default:
			return nil, s.errf("layer type %q is not supported", s.Type)
		}
		names = append(names, out)
		shapes = append(shapes, sh)
		cur = out
	}
	if len(m.Heads) == 0 {
		return nil, fmt.Errorf("no [yolo] layer: nothing to output")
	}
	if rest := len(w.b) - w.off; rest != 0 {
		return nil, fmt.Errorf("%s: %d floats left over after the last layer (cfg uses %d): weights do not match the cfg", name, rest/4, w.off/4)
	}
	m.Floats = w.off / 4
	g, err := b.BuildFor(be)
	if err != nil {
		return nil, err
	}
	m.Graph = g
	return m, nil
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// activation reads the activation option (Darknet's default differs by layer).
func activation(s *Section, def string) (nn.Activation, error) {
	a, ok := s.Opts["activation"]
	if !ok {
		a = def
	}
	switch a {
	case "linear":
		return nn.Activation{}, nil
	case "leaky":
		return nn.Activation{Kind: nn.ActLeakyRelu, Alpha: 0.1}, nil
	case "relu":
		return nn.Activation{Kind: nn.ActRelu}, nil
	case "logistic":
		return nn.Activation{Kind: nn.ActSigmoid}, nil
	case "mish":
		return nn.Activation{Kind: nn.ActMish}, nil
	case "swish", "silu":
		return nn.Activation{Kind: nn.ActSiLU}, nil
	case "tanh":
		return nn.Activation{Kind: nn.ActTanh}, nil
	default:
		return nn.Activation{}, s.errf("activation %q is not supported", a)
	}
}
