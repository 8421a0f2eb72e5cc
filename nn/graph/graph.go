package graph

import (
	"fmt"
	"math"
	"time"

	"github.com/avstack/avstack/nn"
	"github.com/avstack/avstack/nn/cpu"
)

// Op is one executable operation. Run shapes the outputs (Resize) and fills
// them. Inputs that were optional and absent are nil.
type Op interface {
	Run(be nn.Backend, in, out []*nn.Tensor) error
}

// Node is one op with its input and output value names.
type Node struct {
	Name, OpType string
	Op           Op
	Inputs       []string // "" for an absent optional input
	Outputs      []string
}

// Builder collects a graph before Build optimises it.
type Builder struct {
	Nodes     []*Node
	inputs    []string
	inShapes  map[string][]int
	inTypes   map[string]nn.DType
	outputs   []string
	consts    map[string]*nn.Tensor
	constList []string
	shapes    map[string][]int // value shapes from the dry run (static inputs only)
}

// NewBuilder returns an empty builder.
func NewBuilder() *Builder {
	return &Builder{inShapes: map[string][]int{}, inTypes: map[string]nn.DType{}, consts: map[string]*nn.Tensor{}}
}

// Input declares a graph input. Dimensions < 0 are unknown (dynamic).
func (b *Builder) Input(name string, dt nn.DType, shape []int) {
	b.inputs = append(b.inputs, name)
	b.inShapes[name] = append([]int(nil), shape...)
	b.inTypes[name] = dt
}

// Const declares a constant value (an initializer).
func (b *Builder) Const(name string, t *nn.Tensor) {
	if _, ok := b.consts[name]; !ok {
		b.constList = append(b.constList, name)
	}
	b.consts[name] = t
}

// IsConst reports whether a value is a declared constant.
func (b *Builder) IsConst(name string) (*nn.Tensor, bool) {
	t, ok := b.consts[name]
	return t, ok
}

// Add appends a node.
func (b *Builder) Add(n *Node) { b.Nodes = append(b.Nodes, n) }

// Output declares a graph output.
func (b *Builder) Output(name string) { b.outputs = append(b.outputs, name) }

// Graph is the optimised, executable graph.
type Graph struct {
	be        nn.Backend
	inputs    []string
	inShapes  map[string][]int
	inTypes   map[string]nn.DType
	outputs   []string
	nodes     []*Node
	slot      map[string]int // value name -> index into vals
	vals      []*nn.Tensor   // current tensor of each value
	nodeIn    [][]int
	nodeOut   [][]int
	inBuf     [][]*nn.Tensor // per node, reused argument slices
	outBuf    [][]*nn.Tensor
	inSlot    []int
	outSlot   []int
	outMap    map[string]*nn.Tensor
	folded    bool            // shape sub-graphs were folded for the declared input shapes
	prof      []time.Duration // per-node accumulated time while profiling, else nil
	profMin   []time.Duration
	profRuns  int
	profShape [][]int // per-node output shape of the last profiled run
	tune      threadTuner
}

// InputNames returns the names of the non-constant graph inputs.
func (g *Graph) InputNames() []string { return g.inputs }

// OutputNames returns the output names.
func (g *Graph) OutputNames() []string { return g.outputs }

// InputShape returns the declared shape of an input (-1 for a dynamic
// dimension), or nil for an unknown name.
func (g *Graph) InputShape(name string) []int { return g.inShapes[name] }

// InputType returns the declared element type of an input.
func (g *Graph) InputType(name string) nn.DType { return g.inTypes[name] }

// Backend returns the backend the graph runs on.
func (g *Graph) Backend() nn.Backend { return g.be }

// NodeCount returns the number of nodes left after optimisation.
func (g *Graph) NodeCount() int { return len(g.nodes) }

// BufferCount returns the number of distinct intermediate buffers the
// planner allocated (values share a buffer when their lifetimes do not overlap).
func (g *Graph) BufferCount() int {
	seen := map[*nn.Tensor]bool{}
	for _, outs := range g.nodeOut {
		for _, s := range outs {
			seen[g.vals[s]] = true
		}
	}
	return len(seen)
}

// OpTypes returns the op type of every node, in execution order.
func (g *Graph) OpTypes() []string {
	s := make([]string, len(g.nodes))
	for k, n := range g.nodes {
		s[k] = n.OpType
	}
	return s
}

// runHolder is implemented by backends whose worker threads should stay
// awake for the whole of a forward pass (cpu.Backend and cpu.Fast):
// BeginRun before the first node, EndRun after the last.
type runHolder interface {
	BeginRun()
	EndRun()
}

// Run executes the graph. Inputs must be contiguous and of the declared
// element type; the returned map and tensors are reused by the next Run.
func (g *Graph) Run(inputs map[string]*nn.Tensor) (map[string]*nn.Tensor, error) {
	for k, name := range g.inputs {
		t, ok := inputs[name]
		if !ok || t == nil {
			return nil, fmt.Errorf("graph: input %q missing", name)
		}
		if t.DType() != g.inTypes[name] {
			return nil, fmt.Errorf("graph: input %q is %s, want %s", name, t.DType(), g.inTypes[name])
		}
		want := g.inShapes[name]
		if err := checkInputShape(name, t.Shape(), want, g.folded); err != nil {
			return nil, err
		}
		if !t.IsContiguous() {
			return nil, fmt.Errorf("graph: input %q is a non-contiguous view", name)
		}
		g.vals[g.inSlot[k]] = t
	}
	threads, plan, measure, timeRun := g.runMode()
	var tRun time.Time
	if timeRun {
		tRun = time.Now()
	}
	if threads > 0 {
		// This Run's count for the whole graph (what BeginRun holds workers
		// for); a tuned plan sets each node's below, and the configured
		// count is back once the Run returns.
		g.be.SetThreads(threads)
		defer g.be.SetThreads(g.tune.threads)
	}
	if h, ok := g.be.(runHolder); ok {
		h.BeginRun()
		defer h.EndRun()
	}
	cur := threads
	timed := g.prof != nil || measure
	for i, n := range g.nodes {
		in, out := g.inBuf[i], g.outBuf[i]
		for k, s := range g.nodeIn[i] {
			if s < 0 {
				in[k] = nil
			} else {
				in[k] = g.vals[s]
			}
		}
		for k, s := range g.nodeOut[i] {
			out[k] = g.vals[s]
		}
		if plan != nil && plan[i] != cur {
			cur = plan[i]
			g.be.SetThreads(cur)
		}
		var t0 time.Time
		if timed {
			t0 = time.Now()
		}
		if err := n.Op.Run(g.be, in, out); err != nil {
			return nil, fmt.Errorf("graph: node %q (%s): %w", n.Name, n.OpType, err)
		}
		if measure {
			g.record(i, time.Since(t0))
		}
		if g.prof != nil {
			d := time.Since(t0)
			g.prof[i] += d
			if g.profRuns == 0 || d < g.profMin[i] {
				g.profMin[i] = d
			}
			if len(out) > 0 && out[0] != nil {
				g.profShape[i] = append(g.profShape[i][:0], out[0].Shape()...)
			}
		}
	}
	if g.prof != nil {
		g.profRuns++
	}
	if measure {
		g.endMeasure()
	}
	if timeRun {
		g.endVerify(time.Since(tRun))
	}
	for k, name := range g.outputs {
		g.outMap[name] = g.vals[g.outSlot[k]]
	}
	return g.outMap, nil
}

func checkInputShape(name string, got, want []int, strict bool) error {
	if want == nil {
		return nil
	}
	bad := len(got) != len(want)
	for k := 0; !bad && k < len(want); k++ {
		if want[k] >= 0 && got[k] != want[k] {
			bad = true
		}
	}
	if bad {
		return fmt.Errorf("graph: input %q has shape %v, model declares %v", name, append([]int(nil), got...), want)
	}
	return nil
}

// Build optimises the graph for the fast cpu backend (cpu.Fast; its ops fall
// back to the reference where no fast kernel applies).
func (b *Builder) Build() (*Graph, error) { return b.BuildFor(cpu.NewFast()) }

// BuildFor optimises the graph for a backend.
func (b *Builder) BuildFor(be nn.Backend) (*Graph, error) {
	if err := b.check(); err != nil {
		return nil, err
	}
	if err := b.foldConstants(be); err != nil {
		return nil, err
	}
	b.foldBatchNorm()
	b.dropIdentities()
	b.fuseResidual()
	b.fuseTransposedSoftmax()
	b.fuseShuffle()
	b.fusePadPool()
	b.fuseActivations()
	b.prune()
	return b.plan(be)
}

func (b *Builder) check() error {
	known := map[string]bool{"": true}
	for _, n := range b.inputs {
		known[n] = true
	}
	for n := range b.consts {
		known[n] = true
	}
	for _, n := range b.Nodes {
		for _, in := range n.Inputs {
			if !known[in] {
				return fmt.Errorf("graph: node %q (%s): input %q is not produced by any earlier node, initializer or graph input", n.Name, n.OpType, in)
			}
		}
		for _, o := range n.Outputs {
			known[o] = true
		}
	}
	for _, o := range b.outputs {
		if !known[o] {
			return fmt.Errorf("graph: output %q is not produced by any node", o)
		}
	}
	return nil
}

// staticInputs reports whether every graph input has a fully known shape.
func (b *Builder) staticInputs() bool {
	for _, n := range b.inputs {
		s := b.inShapes[n]
		if s == nil {
			return false
		}
		for _, d := range s {
			if d < 0 {
				return false
			}
		}
	}
	return true
}

// foldConstants evaluates every node whose inputs are constant. With static
// input shapes, the outputs of Shape nodes are constant too, so whole
// shape sub-graphs fold; a dry run with zero inputs provides the shapes.
func (b *Builder) foldConstants(be nn.Backend) error {
	static := b.staticInputs()
	var shapes map[string][]int
	if static {
		var err error
		shapes, err = b.dryRunShapes(be)
		if err != nil {
			return err
		}
		b.shapes = shapes
	}
	var kept []*Node
	for _, n := range b.Nodes {
		allConst := true
		for _, in := range n.Inputs {
			if in == "" {
				continue
			}
			if _, ok := b.consts[in]; !ok {
				allConst = false
			}
		}
		if n.OpType == "Shape" && static && len(n.Inputs) == 1 {
			if s, ok := shapes[n.Inputs[0]]; ok {
				allConst = true
				sh := n.Op.(*ShapeOp)
				out := nn.NewInt64()
				if err := sh.shapeOf(s, out); err != nil {
					return fmt.Errorf("graph: node %q (Shape): %w", n.Name, err)
				}
				b.Const(n.Outputs[0], out)
				continue
			}
		}
		if !allConst || isRandom(n.OpType) {
			kept = append(kept, n)
			continue
		}
		in := make([]*nn.Tensor, len(n.Inputs))
		for k, name := range n.Inputs {
			if name != "" {
				in[k] = b.consts[name]
			}
		}
		out := make([]*nn.Tensor, len(n.Outputs))
		for k := range out {
			out[k] = nn.New()
		}
		if err := n.Op.Run(be, in, out); err != nil {
			return fmt.Errorf("graph: node %q (%s): %w", n.Name, n.OpType, err)
		}
		for k, name := range n.Outputs {
			if name != "" {
				b.Const(name, out[k])
			}
		}
	}
	b.Nodes = kept
	return nil
}

func isRandom(op string) bool { return false }

// dryRunShapes runs the graph once on zero inputs of the declared shapes and
// returns the shape of every value.
func (b *Builder) dryRunShapes(be nn.Backend) (map[string][]int, error) {
	vals := map[string]*nn.Tensor{}
	for name, t := range b.consts {
		vals[name] = t
	}
	for _, name := range b.inputs {
		if b.inTypes[name] == nn.Int64 {
			vals[name] = nn.NewInt64(b.inShapes[name]...)
		} else {
			vals[name] = nn.New(b.inShapes[name]...)
		}
	}
	shapes := map[string][]int{}
	for name, t := range vals {
		shapes[name] = t.Shape()
	}
	for _, n := range b.Nodes {
		in := make([]*nn.Tensor, len(n.Inputs))
		for k, name := range n.Inputs {
			if name != "" {
				in[k] = vals[name]
			}
		}
		out := make([]*nn.Tensor, len(n.Outputs))
		for k := range out {
			out[k] = nn.New()
		}
		if err := n.Op.Run(be, in, out); err != nil {
			// Data-dependent failures on zero inputs: stop folding here.
			return shapes, nil
		}
		for k, name := range n.Outputs {
			vals[name] = out[k]
			shapes[name] = out[k].Shape()
		}
	}
	return shapes, nil
}

// consumers counts how many node inputs and graph outputs use each value.
func (b *Builder) consumers() map[string]int {
	c := map[string]int{}
	for _, n := range b.Nodes {
		for _, in := range n.Inputs {
			c[in]++
		}
	}
	for _, o := range b.outputs {
		c[o] += 1 << 20
	}
	return c
}

// foldBatchNorm merges a BatchNormalization into the Conv that alone feeds it.
func (b *Builder) foldBatchNorm() {
	uses := b.consumers()
	prod := map[string]*Node{}
	for _, n := range b.Nodes {
		for _, o := range n.Outputs {
			prod[o] = n
		}
	}
	var kept []*Node
	removed := map[*Node]bool{}
	for _, n := range b.Nodes {
		bn, ok := n.Op.(*BatchNormOp)
		if !ok || len(n.Inputs) < 5 || len(n.Outputs) != 1 {
			continue
		}
		p := prod[n.Inputs[0]]
		if p == nil || uses[n.Inputs[0]] != 1 {
			continue
		}
		conv, ok := p.Op.(*ConvOp)
		if !ok || conv.Act.Kind != nn.ActNone {
			continue
		}
		w, ok1 := b.consts[p.Inputs[1]]
		sc, ok2 := b.consts[n.Inputs[1]]
		bi, ok3 := b.consts[n.Inputs[2]]
		me, ok4 := b.consts[n.Inputs[3]]
		va, ok5 := b.consts[n.Inputs[4]]
		if !(ok1 && ok2 && ok3 && ok4 && ok5) {
			continue
		}
		var bias *nn.Tensor
		if len(p.Inputs) > 2 && p.Inputs[2] != "" {
			if bias, ok = b.consts[p.Inputs[2]]; !ok {
				continue
			}
		}
		m := w.Shape()[0]
		per := w.Len() / m
		nw := w.Clone()
		nb := nn.New(m)
		wd, nbd := nw.Data(), nb.Data()
		for c := 0; c < m; c++ {
			a := sc.Data()[c] / float32(math.Sqrt(float64(va.Data()[c]+bn.Eps)))
			for j := 0; j < per; j++ {
				wd[c*per+j] *= a
			}
			b0 := float32(0)
			if bias != nil {
				b0 = bias.Data()[c]
			}
			nbd[c] = (b0-me.Data()[c])*a + bi.Data()[c]
		}
		wname := p.Name + "#bnfold.w"
		bname := p.Name + "#bnfold.b"
		b.Const(wname, nw)
		b.Const(bname, nb)
		p.Inputs = []string{p.Inputs[0], wname, bname}
		p.Outputs = []string{n.Outputs[0]}
		p.OpType += "+BatchNormalization"
		removed[n] = true
	}
	for _, n := range b.Nodes {
		if !removed[n] {
			kept = append(kept, n)
		}
	}
	b.Nodes = kept
}

// fuseActivations merges an activation into the Conv or Gemm that alone feeds it.
func (b *Builder) fuseActivations() {
	uses := b.consumers()
	prod := map[string]*Node{}
	for _, n := range b.Nodes {
		for _, o := range n.Outputs {
			prod[o] = n
		}
	}
	removed := map[*Node]bool{}
	for _, n := range b.Nodes {
		act, ok := n.Op.(*ActOp)
		if !ok || len(n.Inputs) != 1 {
			continue
		}
		p := prod[n.Inputs[0]]
		if p == nil || uses[n.Inputs[0]] != 1 || removed[p] {
			continue
		}
		switch op := p.Op.(type) {
		case *ConvOp:
			if op.Act.Kind != nn.ActNone {
				continue
			}
			op.Act = act.Act
		case *GemmOp:
			if op.Act.Kind != nn.ActNone {
				continue
			}
			op.Act = act.Act
		default:
			continue
		}
		p.Outputs = []string{n.Outputs[0]}
		p.OpType += "+" + n.OpType
		removed[n] = true
	}
	var kept []*Node
	for _, n := range b.Nodes {
		if !removed[n] {
			kept = append(kept, n)
		}
	}
	b.Nodes = kept
}

// prune drops nodes whose outputs nobody uses.
func (b *Builder) prune() {
	for {
		uses := b.consumers()
		var kept []*Node
		for _, n := range b.Nodes {
			used := false
			for _, o := range n.Outputs {
				if o != "" && uses[o] > 0 {
					used = true
				}
			}
			if used {
				kept = append(kept, n)
			}
		}
		if len(kept) == len(b.Nodes) {
			return
		}
		b.Nodes = kept
	}
}

// plan assigns value slots and buffers: an intermediate value takes a free
// buffer and returns it after its last use.
func (b *Builder) plan(be nn.Backend) (*Graph, error) {
	g := &Graph{be: be, inputs: nil, inShapes: b.inShapes, inTypes: b.inTypes, outputs: b.outputs,
		nodes: b.Nodes, slot: map[string]int{}, outMap: map[string]*nn.Tensor{}, folded: b.staticInputs()}
	newSlot := func(name string, t *nn.Tensor) int {
		g.slot[name] = len(g.vals)
		g.vals = append(g.vals, t)
		return len(g.vals) - 1
	}
	for _, name := range b.inputs {
		if _, isConst := b.consts[name]; isConst {
			continue // an initializer that is also listed as an input
		}
		g.inputs = append(g.inputs, name)
		g.inSlot = append(g.inSlot, newSlot(name, nil))
	}
	for _, name := range b.constList {
		if _, ok := g.slot[name]; !ok {
			newSlot(name, b.consts[name])
		}
	}
	last := map[string]int{}
	for i, n := range b.Nodes {
		for _, in := range n.Inputs {
			last[in] = i
		}
	}
	for _, o := range b.outputs {
		last[o] = math.MaxInt
	}
	var free []*nn.Tensor
	for i, n := range b.Nodes {
		ins := make([]int, len(n.Inputs))
		for k, name := range n.Inputs {
			if name == "" {
				ins[k] = -1
				continue
			}
			ins[k] = g.slot[name]
		}
		outs := make([]int, len(n.Outputs))
		for k, name := range n.Outputs {
			if s, ok := g.slot[name]; ok && name != "" {
				return nil, fmt.Errorf("graph: node %q (%s): value %q is produced twice", n.Name, n.OpType, name)
			} else if ok {
				outs[k] = s
				continue
			}
			var t *nn.Tensor
			if ip := inPlaceInput(n); k == 0 && name != "" && ip >= 0 && b.dying(n.Inputs[ip], i, last) && !b.readsTwice(n, ip) {
				// The op may write over its dead input: share its buffer.
				t = g.vals[g.slot[n.Inputs[ip]]]
			} else if len(free) > 0 && name != "" {
				t = free[len(free)-1]
				free = free[:len(free)-1]
			} else {
				t = nn.New()
			}
			if name == "" {
				name = fmt.Sprintf("%s#unused%d", n.Name, k)
			}
			outs[k] = newSlot(name, t)
		}
		g.nodeIn = append(g.nodeIn, ins)
		g.nodeOut = append(g.nodeOut, outs)
		g.inBuf = append(g.inBuf, make([]*nn.Tensor, len(ins)))
		g.outBuf = append(g.outBuf, make([]*nn.Tensor, len(outs)))
		// release inputs whose last use is this node (not constants or graph inputs)
		for _, name := range n.Inputs {
			if name == "" || last[name] != i {
				continue
			}
			if _, c := b.consts[name]; c {
				continue
			}
			if isInput(b.inputs, name) {
				continue
			}
			t := g.vals[g.slot[name]]
			if t == nil || containsT(free, t) || producedBy(n, name) {
				continue
			}
			shared := false // taken over by an output of this node
			for _, o := range outs {
				if g.vals[o] == t {
					shared = true
				}
			}
			if !shared {
				free = append(free, t)
			}
		}
		// outputs that nobody reads are free right after this node
		for k, name := range n.Outputs {
			if _, used := last[name]; !used {
				t := g.vals[outs[k]]
				if !containsT(free, t) {
					free = append(free, t)
				}
			}
		}
	}
	for _, o := range b.outputs {
		s, ok := g.slot[o]
		if !ok {
			return nil, fmt.Errorf("graph: output %q has no value", o)
		}
		g.outSlot = append(g.outSlot, s)
	}
	return g, nil
}

// inPlace reports ops that produce output 0 correctly when it is the same
// buffer as input 0 (element-wise maps and shape-only ops).
func inPlace(op Op) bool {
	switch op.(type) {
	case *ActOp, *ClipOp, *ReshapeOp, *FlattenOp, *SqueezeOp, *UnsqueezeOp:
		return true
	}
	return false
}

// inPlaceInput is the input whose buffer output 0 may take over, or -1:
// input 0 of the in-place ops, the residual of a Conv with a fused Add.
func inPlaceInput(n *Node) int {
	if inPlace(n.Op) && len(n.Inputs) > 0 && n.Inputs[0] != "" {
		return 0
	}
	if _, ok := n.Op.(*ConvOp); ok && len(n.Inputs) == 4 && n.Inputs[3] != "" {
		return 3
	}
	return -1
}

// readsTwice reports whether input ip of n is also another of its inputs
// (then writing over it would corrupt the other read).
func (b *Builder) readsTwice(n *Node, ip int) bool {
	for k, in := range n.Inputs {
		if k != ip && in == n.Inputs[ip] {
			return true
		}
	}
	return false
}

// dying reports whether value name is an intermediate whose last use is node i.
func (b *Builder) dying(name string, i int, last map[string]int) bool {
	if name == "" || last[name] != i {
		return false
	}
	if _, c := b.consts[name]; c {
		return false
	}
	return !isInput(b.inputs, name)
}

func isInput(in []string, name string) bool {
	for _, s := range in {
		if s == name {
			return true
		}
	}
	return false
}

func producedBy(n *Node, name string) bool {
	for _, o := range n.Outputs {
		if o == name {
			return true
		}
	}
	return false
}

func containsT(s []*nn.Tensor, t *nn.Tensor) bool {
	for _, x := range s {
		if x == t {
			return true
		}
	}
	return false
}
