package detect

import (
	"errors"
	"fmt"

	"github.com/avstack/avstack/nn"
	"github.com/avstack/avstack/nn/graph"
	"github.com/avstack/avstack/nn/onnx"
)

var errNNUnavailable = errors.New("nn graph import not available yet")

// GraphNet runs a model in avstack's own nn graph. It has one input, fed from a buffer it owns;
// Run's outputs alias the graph's buffers and are overwritten by the next Run.
type GraphNet struct {
	g       *graph.Graph
	input   string
	shape   []int
	in      *nn.Tensor
	feed    map[string]*nn.Tensor // reused so that Run allocates nothing of its own
	outputs []string
	outs    []Output
}

// NewGraphNet wraps an imported graph. outputs names the graph values Run returns, in order
// (nil: the graph's outputs). shape is the [1,C,H,W] input to use where the graph's declared
// input has dynamic dimensions.
func NewGraphNet(g *graph.Graph, outputs []string, shape []int) (*GraphNet, error) {
	ins := g.InputNames()
	if len(ins) != 1 {
		return nil, fmt.Errorf("detect: nn graph has %d inputs %v, want 1", len(ins), ins)
	}
	decl := g.InputShape(ins[0])
	if len(decl) != len(shape) {
		return nil, fmt.Errorf("detect: nn graph input %q has shape %v, want rank %d like %v", ins[0], decl, len(shape), shape)
	}
	for i, d := range decl {
		if d > 0 && d != shape[i] {
			return nil, fmt.Errorf("detect: nn graph input %q has shape %v, the manifest wants %v", ins[0], decl, shape)
		}
	}
	if outputs == nil {
		outputs = g.OutputNames()
	}
	if len(outputs) == 0 {
		return nil, fmt.Errorf("detect: nn graph has no outputs")
	}
	s := append([]int(nil), shape...)
	return &GraphNet{g: g, input: ins[0], shape: s, in: nn.New(s...), outputs: outputs,
		feed: map[string]*nn.Tensor{}, outs: make([]Output, len(outputs))}, nil
}

// newAvstackBackend opens the manifest's model in the nn graph.
func newAvstackBackend(m *Manifest) (Backend, error) {
	shape := []int{1, 3, m.Input.Height, m.Input.Width}
	if m.IsDarknet() {
		return openDarknetGraph(m, shape)
	}
	g, err := onnx.Load(m.File)
	if err != nil {
		return nil, fmt.Errorf("detect: model %s: %w", m.Name, err)
	}
	return NewGraphNet(g, nil, shape)
}

// InputShape implements Backend.
func (n *GraphNet) InputShape() []int { return n.shape }

// OutputNames are the graph values Run returns.
func (n *GraphNet) OutputNames() []string { return n.outputs }

// SetThreads implements Backend. With t > 1 the first runs measure which layers gain from
// the threads (graph.Graph.ThreadPlan); Warming reports them.
func (n *GraphNet) SetThreads(t int) { n.g.SetThreads(t) }

// Warming reports whether the graph is still measuring its layers' thread counts.
func (n *GraphNet) Warming() bool { return n.g.Measuring() }

// ParallelLayers reports how many of the graph's layers run on more than one thread, of how
// many (0, 0 while measuring or on one thread).
func (n *GraphNet) ParallelLayers() (parallel, layers int) {
	p := n.g.ThreadPlan()
	for _, t := range p {
		if t > 1 {
			parallel++
		}
	}
	return parallel, len(p)
}

// Run implements Backend.
func (n *GraphNet) Run(input []float32) ([]Output, error) {
	dst := n.in.Data()
	if len(input) != len(dst) {
		return nil, fmt.Errorf("detect: nn graph: input has %d values, want %d for %v", len(input), len(dst), n.shape)
	}
	copy(dst, input)
	n.feed[n.input] = n.in
	res, err := n.g.Run(n.feed)
	if err != nil {
		return nil, fmt.Errorf("detect: nn graph: %w", err)
	}
	for i, name := range n.outputs {
		t, ok := res[name]
		if !ok || t == nil {
			return nil, fmt.Errorf("detect: nn graph: no output %q", name)
		}
		if t.DType() != nn.Float32 {
			return nil, fmt.Errorf("detect: nn graph: output %q is %s, want float32", name, t.DType())
		}
		if !t.IsContiguous() {
			t = t.Contiguous()
		}
		n.outs[i] = Output{Name: name, Shape: t.Shape(), Data: t.Data()}
	}
	return n.outs, nil
}

// Close implements Backend (the graph holds only Go memory).
func (n *GraphNet) Close() error { return nil }
