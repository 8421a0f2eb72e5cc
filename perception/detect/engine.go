package detect

import (
	"fmt"

	"gocv.io/x/gocv"
)

// Engine names what runs the network.
type Engine string

const (
	// EngineAvstack is the project's own nn graph (nn/onnx, nn/darknet).
	EngineAvstack Engine = "avstack"
	// EngineOpenCV is OpenCV's DNN module through gocv: the reference.
	EngineOpenCV Engine = "opencv"
)

// Backend runs a network on one pre-processed input and returns its raw outputs in the order the
// decoder reads them (for Darknet: one per [yolo] head, in cfg order). The returned Outputs may
// alias buffers that the next Run overwrites.
type Backend interface {
	Run(input []float32) ([]Output, error)
	// InputShape is the [1, C, H, W] input the backend expects.
	InputShape() []int
	SetThreads(n int)
	Close() error
}

// OpenCVNet runs a model in OpenCV's DNN module (backend OpenCV, target CPU). OpenCV aborts the
// process on its own exceptions, so the constructor checks what it can (files exist, sizes)
// before handing anything to OpenCV.
type OpenCVNet struct {
	net     gocv.Net
	blob    gocv.Mat
	shape   []int
	outputs []string
	bufs    [][]float32
	closed  bool
}

// NewOpenCVONNX loads an .onnx file into OpenCV DNN; the input is [1,c,h,w] and the outputs are
// the network's unconnected output layers.
func NewOpenCVONNX(path string, c, h, w int) (*OpenCVNet, error) {
	if err := fileOK(path); err != nil {
		return nil, err
	}
	net := gocv.ReadNetFromONNX(path)
	if net.Empty() {
		net.Close()
		return nil, fmt.Errorf("detect: opencv: %s: no layers", path)
	}
	var names []string
	for _, id := range net.GetUnconnectedOutLayers() {
		l := net.GetLayer(id)
		names = append(names, l.GetName())
		l.Close()
	}
	return newOpenCVNet(net, []int{1, c, h, w}, names)
}

// NewOpenCVDarknet loads a Darknet cfg+weights pair into OpenCV DNN. Its outputs are the raw
// tensors of the layers feeding each [yolo] section ([1, A*(5+C), H, W]), not OpenCV's decoded
// Region outputs, so that they can be compared with the nn graph's.
func NewOpenCVDarknet(cfgPath, weightsPath string) (*OpenCVNet, error) {
	for _, p := range []string{cfgPath, weightsPath} {
		if err := fileOK(p); err != nil {
			return nil, err
		}
	}
	cfg, err := readDarknetCfg(cfgPath)
	if err != nil {
		return nil, err
	}
	net := gocv.ReadNet(weightsPath, cfgPath)
	if net.Empty() {
		net.Close()
		return nil, fmt.Errorf("detect: opencv: %s: no layers", cfgPath)
	}
	return newOpenCVNet(net, []int{1, cfg.Channels, cfg.Height, cfg.Width}, cfg.opencvHeadLayers())
}

func newOpenCVNet(net gocv.Net, shape []int, outputs []string) (*OpenCVNet, error) {
	net.SetPreferableBackend(gocv.NetBackendOpenCV)
	net.SetPreferableTarget(gocv.NetTargetCPU)
	if len(outputs) == 0 {
		net.Close()
		return nil, fmt.Errorf("detect: opencv: network has no outputs")
	}
	blob := gocv.NewMatWithSizes(shape, gocv.MatTypeCV32F)
	return &OpenCVNet{net: net, blob: blob, shape: shape, outputs: outputs, bufs: make([][]float32, len(outputs))}, nil
}

func fileOK(p string) error {
	if err := mustExist(p); err != nil {
		return fmt.Errorf("detect: %s %v", p, err)
	}
	return nil
}

// OutputNames are the OpenCV layer names whose outputs Run returns.
func (o *OpenCVNet) OutputNames() []string { return o.outputs }

// InputShape implements Backend.
func (o *OpenCVNet) InputShape() []int { return o.shape }

// SetThreads implements Backend; note that OpenCV's thread count is process-wide.
func (o *OpenCVNet) SetThreads(n int) { SetOpenCVThreads(n) }

// Run implements Backend. The returned data is copied out of OpenCV into buffers reused by the
// next Run.
func (o *OpenCVNet) Run(input []float32) ([]Output, error) {
	if o.closed {
		return nil, fmt.Errorf("detect: opencv: Run after Close")
	}
	if n := numel(o.shape); len(input) != n {
		return nil, fmt.Errorf("detect: opencv: input has %d values, want %d for %v", len(input), n, o.shape)
	}
	dst, err := o.blob.DataPtrFloat32()
	if err != nil {
		return nil, fmt.Errorf("detect: opencv: %w", err)
	}
	copy(dst, input)
	o.net.SetInput(o.blob, "")
	mats := o.net.ForwardLayers(o.outputs)
	defer func() {
		for i := range mats {
			mats[i].Close()
		}
	}()
	if len(mats) != len(o.outputs) {
		return nil, fmt.Errorf("detect: opencv: asked for %d outputs, got %d", len(o.outputs), len(mats))
	}
	outs := make([]Output, len(mats))
	for i := range mats {
		m := &mats[i]
		if m.Type() != gocv.MatTypeCV32F {
			return nil, fmt.Errorf("detect: opencv: output %q has type %v, want float32", o.outputs[i], m.Type())
		}
		data, err := m.DataPtrFloat32()
		if err != nil {
			return nil, fmt.Errorf("detect: opencv: output %q: %w", o.outputs[i], err)
		}
		shape := m.Size()
		if numel(shape) != len(data) {
			return nil, fmt.Errorf("detect: opencv: output %q has shape %v but %d values", o.outputs[i], shape, len(data))
		}
		if cap(o.bufs[i]) < len(data) {
			o.bufs[i] = make([]float32, len(data))
		}
		o.bufs[i] = o.bufs[i][:len(data)]
		copy(o.bufs[i], data)
		outs[i] = Output{Name: o.outputs[i], Shape: shape, Data: o.bufs[i]}
	}
	return outs, nil
}

// Forward runs the network and returns the outputs of arbitrary named layers (copied), for
// tests and debugging.
func (o *OpenCVNet) Forward(input []float32, layers ...string) ([]Output, error) {
	saved, savedBufs := o.outputs, o.bufs
	o.outputs, o.bufs = layers, make([][]float32, len(layers))
	defer func() { o.outputs, o.bufs = saved, savedBufs }()
	return o.Run(input)
}

// Close releases the OpenCV objects; it is idempotent.
func (o *OpenCVNet) Close() error {
	if o.closed {
		return nil
	}
	o.closed = true
	o.blob.Close()
	return o.net.Close()
}
