package detect

import (
	"fmt"
	"path/filepath"
	"runtime"
	"strings"

	"gocv.io/x/gocv"
)

// Options are the run-time choices of a Detector; the manifest gives the defaults.
type Options struct {
	Engine     Engine  // default EngineAvstack
	Confidence float32 // 0: the manifest's thresholds.confidence
	IoU        float32 // 0: the manifest's thresholds.iou
	// Threads is the most threads the network may use. 0: the engine's default; for avstack's
	// that is GOMAXPROCS, each layer on one thread or all of them as measured faster in its
	// first runs (graph.Graph.ThreadPlan).
	Threads int
}

// Option changes Options.
type Option func(*Options) error

// WithEngine chooses what runs the network.
func WithEngine(e Engine) Option {
	return func(o *Options) error {
		if e != EngineAvstack && e != EngineOpenCV {
			return fmt.Errorf("detect: engine %q is not %q or %q", e, EngineAvstack, EngineOpenCV)
		}
		o.Engine = e
		return nil
	}
}

// WithConfidence overrides the manifest's score threshold.
func WithConfidence(c float32) Option {
	return func(o *Options) error {
		if !(c > 0 && c < 1) {
			return fmt.Errorf("detect: confidence %v must be in (0,1)", c)
		}
		o.Confidence = c
		return nil
	}
}

// WithIoU overrides the manifest's NMS IoU threshold.
func WithIoU(v float32) Option {
	return func(o *Options) error {
		if !(v > 0 && v <= 1) {
			return fmt.Errorf("detect: iou %v must be in (0,1]", v)
		}
		o.IoU = v
		return nil
	}
}

// WithThreads sets the engine's thread count.
func WithThreads(n int) Option {
	return func(o *Options) error {
		if n < 0 {
			return fmt.Errorf("detect: threads %d must not be negative", n)
		}
		o.Threads = n
		return nil
	}
}

// Detector runs one model on images: pre-processing, network, decoding, NMS.
type Detector struct {
	m       *Manifest
	opts    Options
	pre     Preprocess
	dec     Decoder
	backend Backend
	names   []string
	input   []float32
}

// New builds a Detector from a validated manifest.
func New(m *Manifest, opts ...Option) (*Detector, error) {
	o := Options{Engine: EngineAvstack}
	for _, f := range opts {
		if err := f(&o); err != nil {
			return nil, err
		}
	}
	if o.Confidence == 0 {
		o.Confidence = m.Thresholds.Confidence
	}
	if o.IoU == 0 {
		o.IoU = m.Thresholds.IoU
	}
	names, err := ReadClassNames(m.Classes)
	if err != nil {
		return nil, err
	}
	dec, err := decoderFor(m)
	if err != nil {
		return nil, err
	}
	pre := m.Preprocessing()
	if err := pre.Validate(); err != nil {
		return nil, err
	}
	be, err := OpenBackend(m, o.Engine)
	if err != nil {
		return nil, err
	}
	if s := be.InputShape(); len(s) != 4 || s[1] != 3 || s[2] != pre.Height || s[3] != pre.Width {
		be.Close()
		return nil, fmt.Errorf("detect: manifest %s: input %dx%d does not match the model's input %v",
			m.Path(), pre.Width, pre.Height, s)
	}
	switch {
	case o.Threads > 0:
		be.SetThreads(o.Threads)
	case o.Engine == EngineAvstack:
		be.SetThreads(runtime.GOMAXPROCS(0))
	}
	return &Detector{m: m, opts: o, pre: pre, dec: dec, backend: be, names: names, input: make([]float32, pre.InputLen())}, nil
}

// OpenBackend opens the manifest's model in the chosen engine.
func OpenBackend(m *Manifest, e Engine) (Backend, error) {
	switch e {
	case EngineOpenCV:
		if m.IsDarknet() {
			return NewOpenCVDarknet(m.Cfg, m.Weights)
		}
		return NewOpenCVONNX(m.File, 3, m.Input.Height, m.Input.Width)
	case EngineAvstack:
		return newAvstackBackend(m)
	}
	return nil, fmt.Errorf("detect: engine %q is not %q or %q", e, EngineAvstack, EngineOpenCV)
}

func decoderFor(m *Manifest) (Decoder, error) {
	switch m.Decoder {
	case "fastestdet":
		return FastestDet{}, nil
	case "yolov5":
		return YOLOv5{}, nil
	case "yolov3":
		if m.IsDarknet() {
			cfg, err := readDarknetCfg(m.Cfg)
			if err != nil {
				return nil, err
			}
			return YOLOv3{Heads: cfg.Heads}, nil
		}
		d := YOLOv3{}
		for _, h := range m.Heads {
			d.Heads = append(d.Heads, YoloHead{Anchors: h.Anchors, Classes: h.Classes, ScaleXY: h.ScaleXY})
		}
		return d, nil
	}
	return nil, fmt.Errorf("detect: manifest %s: field decoder: %q is not fastestdet, yolov3 or yolov5", m.Path(), m.Decoder)
}

// Manifest is the detector's model manifest.
func (d *Detector) Manifest() *Manifest { return d.m }

// Classes are the class names, by index.
func (d *Detector) Classes() []string { return d.names }

// Backend is the engine running the network.
func (d *Detector) Backend() Backend { return d.backend }

// Preprocess is the pre-processing in use.
func (d *Detector) Preprocess() Preprocess { return d.pre }

// Detect finds objects in an 8-bit BGR image. Boxes are in image pixels, sorted by descending
// score, after class-aware NMS.
func (d *Detector) Detect(img gocv.Mat) ([]Detection, error) {
	t, err := d.pre.Apply(img, d.input)
	if err != nil {
		return nil, err
	}
	return d.DetectInput(d.input, t)
}

// DetectInput runs the network on an already pre-processed input and maps the boxes through t.
func (d *Detector) DetectInput(input []float32, t Transform) ([]Detection, error) {
	outs, err := d.backend.Run(input)
	if err != nil {
		return nil, err
	}
	cands, err := d.dec.Decode(outs, d.pre.Width, d.pre.Height, d.opts.Confidence)
	if err != nil {
		return nil, err
	}
	dets := NMS(cands, d.opts.IoU)
	for i := range dets {
		c := dets[i].Class
		if c < 0 || c >= len(d.names) {
			return nil, fmt.Errorf("detect: model %s predicts class %d but %s has %d names",
				d.m.Name, c, d.m.Classes, len(d.names))
		}
		dets[i].Name = d.names[c]
		dets[i].Box = t.ToImage(dets[i].Box)
	}
	return dets, nil
}

// Close releases the engine; it is idempotent.
func (d *Detector) Close() error {
	if d.backend == nil {
		return nil
	}
	err := d.backend.Close()
	d.backend = nil
	return err
}

// ResolveModel turns what a user names on the command line into a manifest: a manifest YAML
// path (e.g. configs/models/fastestdet.yaml); an .onnx file (FastestDet-style decoding
// and pre-processing as in configs/models/fastestdet.yaml, input size from the model); or a Darknet .cfg (weights and names beside it,
// Darknet's own pre-processing: RGB, linear resize to the [net] size, 1/255).
func ResolveModel(spec string) (*Manifest, error) {
	lower := strings.ToLower(spec)
	switch {
	case strings.HasSuffix(lower, ".yaml") || strings.HasSuffix(lower, ".yml"):
		return LoadManifest(spec)
	case strings.HasSuffix(lower, ".cfg"):
		cfg, err := readDarknetCfg(spec)
		if err != nil {
			return nil, err
		}
		base := strings.TrimSuffix(spec, filepath.Ext(spec))
		m := &Manifest{Name: filepath.Base(base), Cfg: spec, Weights: base + ".weights", Decoder: "yolov3",
			Classes: filepath.Join(filepath.Dir(spec), "coco.names"), path: spec}
		m.Input.Width, m.Input.Height = cfg.Width, cfg.Height
		m.Preprocess.Resize, m.Preprocess.Interpolation, m.Preprocess.Color, m.Preprocess.Scale = "resize", "linear", "rgb", 1.0/255
		m.Thresholds.Confidence, m.Thresholds.IoU = 0.25, 0.45
		if err := m.Validate(); err != nil {
			return nil, err
		}
		return m, nil
	case strings.HasSuffix(lower, ".onnx"):
		shape, err := onnxInputShape(spec)
		if err != nil {
			return nil, err
		}
		if len(shape) != 4 || shape[1] != 3 || shape[2] <= 0 || shape[3] <= 0 {
			return nil, fmt.Errorf("detect: %s: input shape %v is not [1,3,H,W] with a fixed size", spec, shape)
		}
		m := &Manifest{Name: strings.TrimSuffix(filepath.Base(spec), filepath.Ext(spec)), File: spec, Decoder: "fastestdet",
			Classes: filepath.Join(filepath.Dir(spec), "coco.names"), path: spec}
		m.Input.Width, m.Input.Height = shape[3], shape[2]
		m.Preprocess.Resize, m.Preprocess.Interpolation, m.Preprocess.Color, m.Preprocess.Scale = "resize", "linear", "bgr", 1.0/255
		m.Thresholds.Confidence, m.Thresholds.IoU = 0.65, 0.45
		if err := m.Validate(); err != nil {
			return nil, err
		}
		return m, nil
	}
	return nil, fmt.Errorf("detect: model %q is not a .yaml manifest, an .onnx file or a Darknet .cfg", spec)
}
