package onnx

import (
	"errors"
	"fmt"
	"math"
	"os"
	"sort"
	"strings"

	"github.com/avstack/avstack/nn"
	"github.com/avstack/avstack/nn/cpu"
	"github.com/avstack/avstack/nn/graph"
)

// UnsupportedOpError names a node whose op (or op variant) is not supported.
type UnsupportedOpError struct {
	Node, OpType, Why string
}

func (e *UnsupportedOpError) Error() string {
	s := fmt.Sprintf("onnx: node %q: op %s is not supported", e.Node, e.OpType)
	if e.Why != "" {
		s = fmt.Sprintf("onnx: node %q: op %s: %s is not supported", e.Node, e.OpType, e.Why)
	}
	return s
}

// SupportedOps lists the op types the importer handles (default domain).
var SupportedOps = []string{
	"Abs", "Add", "AveragePool", "BatchNormalization", "Cast", "Clip", "Concat", "Constant",
	"ConstantOfShape", "Conv", "ConvTranspose", "Div", "Dropout", "Equal", "Exp", "Expand",
	"Flatten", "GRU", "Gather", "Gemm", "GlobalAveragePool", "GlobalMaxPool", "Greater",
	"HardSigmoid", "HardSwish", "Identity", "LSTM", "LeakyRelu", "Less", "LogSoftmax", "MatMul",
	"Max", "MaxPool", "Min", "Mul", "Neg", "Not", "Pad", "Pow", "Range", "Reciprocal", "ReduceMax",
	"ReduceMean", "ReduceSum", "Relu", "Reshape", "Resize", "Shape", "Sigmoid", "Slice", "Softmax",
	"Split", "Sqrt", "Squeeze", "Sub", "Tanh", "Transpose", "Unsqueeze", "Upsample", "Where",
}

var supported = func() map[string]bool {
	m := map[string]bool{}
	for _, s := range SupportedOps {
		m[s] = true
	}
	return m
}()

// Load reads and imports an .onnx file.
func Load(path string) (*graph.Graph, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("onnx: %w", err)
	}
	g, err := Decode(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return g, nil
}

// Decode imports a serialized ModelProto onto the fast cpu backend.
func Decode(b []byte) (*graph.Graph, error) { return DecodeOn(b, cpu.NewFast()) }

// DecodeOn imports a serialized ModelProto onto a given backend (for
// example &cpu.Backend{}, the reference).
func DecodeOn(b []byte, be nn.Backend) (*graph.Graph, error) {
	m, err := DecodeModel(b)
	if err != nil {
		return nil, fmt.Errorf("onnx: %w", err)
	}
	bld, err := Import(m)
	if err != nil {
		return nil, err
	}
	g, err := bld.BuildFor(be)
	if err != nil {
		return nil, fmt.Errorf("onnx: %w", err)
	}
	return g, nil
}

// Import converts a decoded model into a graph builder (before optimisation).
func Import(m *ModelProto) (*graph.Builder, error) {
	opset, ok := m.Opsets[""]
	if !ok {
		return nil, fmt.Errorf("onnx: model imports no default-domain opset")
	}
	if opset < 6 {
		return nil, fmt.Errorf("onnx: opset %d is below the supported 6", opset)
	}
	g := m.Graph
	b := graph.NewBuilder()
	inits := map[string]bool{}
	for _, t := range g.Initializer {
		v, err := t.ToTensor()
		if err != nil {
			return nil, fmt.Errorf("onnx: initializer %q: %w", t.Name, err)
		}
		b.Const(t.Name, v)
		inits[t.Name] = true
	}
	for _, in := range g.Inputs {
		if inits[in.Name] {
			continue
		}
		dt, err := elemType(in.ElemType)
		if err != nil {
			return nil, fmt.Errorf("onnx: graph input %q: %w", in.Name, err)
		}
		var shape []int
		if in.HasShape {
			shape = make([]int, len(in.Dims))
			for k, d := range in.Dims {
				shape[k] = int(d)
			}
		}
		b.Input(in.Name, dt, shape)
	}
	for k, n := range g.Nodes {
		if n.Name == "" {
			n.Name = fmt.Sprintf("%s_%d", n.OpType, k)
		}
		if n.Domain != "" && n.Domain != "ai.onnx" {
			return nil, &UnsupportedOpError{Node: n.Name, OpType: n.Domain + "." + n.OpType}
		}
		if err := addNode(b, n, int(opset)); err != nil {
			var u *UnsupportedOpError
			var ut *UnsupportedTypeError
			if errors.As(err, &u) || errors.As(err, &ut) {
				return nil, err
			}
			return nil, fmt.Errorf("onnx: node %q (%s): %w", n.Name, n.OpType, err)
		}
	}
	for _, o := range g.Outputs {
		b.Output(o.Name)
	}
	return b, nil
}

func elemType(t int32) (nn.DType, error) {
	switch t {
	case dtFloat:
		return nn.Float32, nil
	case dtInt64, dtInt32, dtBool:
		return nn.Int64, nil
	}
	return 0, &UnsupportedTypeError{DataType: t}
}

type attrs struct{ m map[string]*Attribute }

func (a attrs) i(name string, def int) int {
	if v, ok := a.m[name]; ok {
		return int(v.I)
	}
	return def
}
func (a attrs) f(name string, def float32) float32 {
	if v, ok := a.m[name]; ok {
		return v.F
	}
	return def
}
func (a attrs) s(name, def string) string {
	if v, ok := a.m[name]; ok {
		return string(v.S)
	}
	return def
}
func (a attrs) ints(name string) []int {
	v, ok := a.m[name]
	if !ok {
		return nil
	}
	r := make([]int, len(v.Ints))
	for k, x := range v.Ints {
		r[k] = int(x)
	}
	return r
}
func (a attrs) has(name string) bool { _, ok := a.m[name]; return ok }

func actByName(name string, alpha, beta float32, hasA, hasB bool) (nn.Activation, bool) {
	switch strings.ToLower(name) {
	case "sigmoid":
		return nn.Activation{Kind: nn.ActSigmoid}, true
	case "tanh":
		return nn.Activation{Kind: nn.ActTanh}, true
	case "relu":
		return nn.Activation{Kind: nn.ActRelu}, true
	case "leakyrelu":
		if !hasA {
			alpha = 0.01
		}
		return nn.Activation{Kind: nn.ActLeakyRelu, Alpha: alpha}, true
	case "hardsigmoid":
		if !hasA {
			alpha = 0.2
		}
		if !hasB {
			beta = 0.5
		}
		return nn.Activation{Kind: nn.ActHardSigmoid, Alpha: alpha, Beta: beta}, true
	}
	return nn.Activation{}, false
}

func rnnParams(n *NodeProto, a attrs, gates int) (nn.RNNParams, error) {
	p := nn.RNNParams{
		Hidden:            a.i("hidden_size", 0),
		Direction:         a.s("direction", "forward"),
		BatchFirst:        a.i("layout", 0) == 1,
		LinearBeforeReset: a.i("linear_before_reset", 0) == 1,
	}
	if a.has("clip") {
		p.Clip = a.f("clip", 0)
	}
	if p.Hidden <= 0 {
		return p, fmt.Errorf("hidden_size %d", p.Hidden)
	}
	if a.i("input_forget", 0) != 0 {
		return p, &UnsupportedOpError{Node: n.Name, OpType: n.OpType, Why: "input_forget"}
	}
	if v, ok := a.m["activations"]; ok {
		var al, be []float32
		if x, ok := a.m["activation_alpha"]; ok {
			al = x.Floats
		}
		if x, ok := a.m["activation_beta"]; ok {
			be = x.Floats
		}
		for k, s := range v.Strings {
			var fa, fb float32
			ha, hb := k < len(al), k < len(be)
			if ha {
				fa = al[k]
			}
			if hb {
				fb = be[k]
			}
			act, ok := actByName(string(s), fa, fb, ha, hb)
			if !ok {
				return p, &UnsupportedOpError{Node: n.Name, OpType: n.OpType, Why: "activation " + string(s)}
			}
			p.Acts = append(p.Acts, act)
		}
	}
	return p, nil
}

func addNode(b *graph.Builder, n *NodeProto, opset int) error {
	a := attrs{n.Attrs}
	node := &graph.Node{Name: n.Name, OpType: n.OpType, Inputs: n.Inputs, Outputs: n.Outputs}
	unsup := func(why string) error { return &UnsupportedOpError{Node: n.Name, OpType: n.OpType, Why: why} }
	act := func(k nn.ActKind, alpha, beta float32) graph.Op {
		return &graph.ActOp{Act: nn.Activation{Kind: k, Alpha: alpha, Beta: beta}}
	}
	switch n.OpType {
	case "Constant":
		var t *nn.Tensor
		switch {
		case a.has("value"):
			var err error
			if t, err = n.Attrs["value"].T.ToTensor(); err != nil {
				return err
			}
		case a.has("value_float"):
			t = nn.FromSlice([]float32{a.f("value_float", 0)})
		case a.has("value_floats"):
			v := n.Attrs["value_floats"].Floats
			t = nn.FromSlice(append([]float32(nil), v...), len(v))
		case a.has("value_int"):
			t = nn.FromInt64s([]int64{n.Attrs["value_int"].I})
		case a.has("value_ints"):
			v := n.Attrs["value_ints"].Ints
			t = nn.FromInt64s(append([]int64(nil), v...), len(v))
		default:
			return unsup("value kind")
		}
		if len(n.Outputs) != 1 {
			return fmt.Errorf("%d outputs", len(n.Outputs))
		}
		b.Const(n.Outputs[0], t)
		return nil
	case "Conv":
		node.Op = &graph.ConvOp{Strides: a.ints("strides"), Dilations: a.ints("dilations"), Pads: a.ints("pads"), Group: a.i("group", 1), AutoPad: a.s("auto_pad", "NOTSET")}
	case "ConvTranspose":
		node.Op = &graph.ConvTransposeOp{Strides: a.ints("strides"), Dilations: a.ints("dilations"), Pads: a.ints("pads"), Group: a.i("group", 1), AutoPad: a.s("auto_pad", "NOTSET"), OutputPadding: a.ints("output_padding"), OutputShape: a.ints("output_shape")}
	case "Gemm":
		node.Op = &graph.GemmOp{TransA: a.i("transA", 0) == 1, TransB: a.i("transB", 0) == 1, Alpha: a.f("alpha", 1), Beta: a.f("beta", 1)}
	case "MatMul":
		node.Op = &graph.MatMulOp{}
	case "BatchNormalization":
		train := a.i("training_mode", 0) == 1
		if opset < 14 && len(n.Outputs) > 1 {
			return unsup("training outputs of opset < 14")
		}
		node.Op = &graph.BatchNormOp{Eps: a.f("epsilon", 1e-5), Momentum: a.f("momentum", 0.9), Training: train}
	case "Relu":
		node.Op = act(nn.ActRelu, 0, 0)
	case "LeakyRelu":
		node.Op = act(nn.ActLeakyRelu, a.f("alpha", 0.01), 0)
	case "Sigmoid":
		node.Op = act(nn.ActSigmoid, 0, 0)
	case "Tanh":
		node.Op = act(nn.ActTanh, 0, 0)
	case "HardSigmoid":
		node.Op = act(nn.ActHardSigmoid, a.f("alpha", 0.2), a.f("beta", 0.5))
	case "HardSwish":
		node.Op = act(nn.ActHardSwish, 0, 0)
	case "Exp":
		node.Op = act(nn.ActExp, 0, 0)
	case "Neg":
		node.Op = act(nn.ActNeg, 0, 0)
	case "Sqrt":
		node.Op = act(nn.ActSqrt, 0, 0)
	case "Reciprocal":
		node.Op = act(nn.ActReciprocal, 0, 0)
	case "Abs":
		node.Op = act(nn.ActAbs, 0, 0)
	case "Clip":
		if opset < 11 {
			node.Op = act(nn.ActClip, a.f("min", float32(math.Inf(-1))), a.f("max", float32(math.Inf(1))))
		} else {
			node.Op = &graph.ClipOp{}
		}
	case "Add", "Sub", "Mul", "Div", "Pow", "Max", "Min":
		op := map[string]nn.BinaryOp{"Add": nn.OpAdd, "Sub": nn.OpSub, "Mul": nn.OpMul, "Div": nn.OpDiv, "Pow": nn.OpPow, "Max": nn.OpMax, "Min": nn.OpMin}[n.OpType]
		if len(n.Inputs) != 2 {
			return unsup(fmt.Sprintf("%d inputs", len(n.Inputs)))
		}
		node.Op = &graph.BinaryOp{Op: op, Legacy: opset < 7 && a.i("broadcast", 0) == 1, LegacyAxis: a.i("axis", 0), HasAxis: a.has("axis")}
	case "Equal", "Less", "Greater":
		node.Op = &graph.CompareOp{Kind: n.OpType}
	case "Not":
		node.Op = graph.NotOp{}
	case "Where":
		node.Op = &graph.WhereOp{}
	case "Softmax", "LogSoftmax":
		def := -1
		if opset < 13 {
			def = 1
		}
		node.Op = &graph.SoftmaxOp{Axis: a.i("axis", def), Log: n.OpType == "LogSoftmax", Coerce2D: opset < 13}
	case "MaxPool", "AveragePool":
		if len(n.Outputs) > 1 && n.Outputs[1] != "" && n.OpType != "MaxPool" {
			return unsup("second output")
		}
		node.Op = &graph.PoolOp{Max: n.OpType == "MaxPool", Kernel: a.ints("kernel_shape"), Strides: a.ints("strides"), Pads: a.ints("pads"), Dilations: a.ints("dilations"), AutoPad: a.s("auto_pad", "NOTSET"), Ceil: a.i("ceil_mode", 0) == 1, CountIncludePad: a.i("count_include_pad", 0) == 1, ColumnMajorIndices: a.i("storage_order", 0) == 1}
	case "GlobalAveragePool", "GlobalMaxPool":
		node.Op = &graph.GlobalPoolOp{Max: n.OpType == "GlobalMaxPool"}
	case "Resize", "Upsample":
		mode := a.s("mode", "nearest")
		p := nn.ResizeParams{Coord: a.s("coordinate_transformation_mode", "half_pixel"), Nearest: a.s("nearest_mode", "round_prefer_floor"),
			CubicA: a.f("cubic_coeff_a", -0.75), ExcludeOut: a.i("exclude_outside", 0) == 1, Antialias: a.i("antialias", 0) == 1, Extrapolation: a.f("extrapolation_value", 0)}
		switch mode {
		case "nearest":
			p.Mode = nn.ResizeNearest
		case "linear", "bilinear":
			p.Mode = nn.ResizeLinear
		case "cubic":
			p.Mode = nn.ResizeCubic
		default:
			return unsup("mode " + mode)
		}
		op := &graph.ResizeOp{Axes: a.ints("axes"), KeepAspect: a.s("keep_aspect_ratio_policy", "stretch")}
		if n.OpType == "Upsample" || opset == 10 {
			p.Coord = "asymmetric"
			if p.Mode == nn.ResizeNearest && n.OpType == "Upsample" {
				p.Nearest = "floor"
			}
		}
		if n.OpType == "Upsample" {
			if v, ok := n.Attrs["scales"]; ok {
				op.Scales = v.Floats
			} else {
				op.Opset10 = true
			}
		} else if opset == 10 {
			op.Opset10 = true
		}
		op.P = p
		node.Op = op
	case "Concat":
		if !a.has("axis") {
			return fmt.Errorf("attribute axis missing")
		}
		node.Op = &graph.ConcatOp{Axis: a.i("axis", 0)}
	case "Split":
		node.Op = &graph.SplitOp{Axis: a.i("axis", 0), Split: a.ints("split")}
	case "Slice":
		if opset < 10 {
			node.Op = &graph.SliceOp{Starts: a.ints("starts"), Ends: a.ints("ends"), Axes: a.ints("axes")}
		} else {
			node.Op = &graph.SliceOp{FromInputs: true}
		}
	case "Reshape":
		node.Op = &graph.ReshapeOp{AllowZero: a.i("allowzero", 0) == 1}
	case "Flatten":
		node.Op = &graph.FlattenOp{Axis: a.i("axis", 1)}
	case "Squeeze":
		node.Op = &graph.SqueezeOp{Axes: a.ints("axes")}
	case "Unsqueeze":
		node.Op = &graph.UnsqueezeOp{Axes: a.ints("axes")}
	case "Transpose":
		node.Op = &graph.TransposeOp{Perm: a.ints("perm")}
	case "Pad":
		modes := map[string]nn.PadMode{"constant": nn.PadConstant, "reflect": nn.PadReflect, "edge": nn.PadEdge, "wrap": nn.PadWrap}
		m, ok := modes[a.s("mode", "constant")]
		if !ok {
			return unsup("mode " + a.s("mode", ""))
		}
		if opset < 11 {
			node.Op = &graph.PadOp{Mode: m, Pads: a.ints("pads"), Value: a.f("value", 0)}
		} else {
			node.Op = &graph.PadOp{Mode: m, FromInputs: true}
		}
	case "Shape":
		node.Op = &graph.ShapeOp{Start: a.i("start", 0), End: a.i("end", 0), HasEnd: a.has("end")}
	case "Gather":
		node.Op = &graph.GatherOp{Axis: a.i("axis", 0)}
	case "ConstantOfShape":
		op := &graph.ConstantOfShapeOp{}
		if v, ok := n.Attrs["value"]; ok && v.T != nil {
			t, err := v.T.ToTensor()
			if err != nil {
				return err
			}
			op.Value = t
		}
		node.Op = op
	case "Cast":
		switch a.i("to", 0) {
		case dtFloat:
			node.Op = &graph.CastOp{To: nn.Float32}
		case dtInt64, dtInt32, dtBool:
			node.Op = &graph.CastOp{To: nn.Int64}
		default:
			return &UnsupportedTypeError{Name: n.Name, DataType: int32(a.i("to", 0))}
		}
	case "Range":
		node.Op = graph.RangeOp{}
	case "Expand":
		node.Op = &graph.ExpandOp{}
	case "ReduceMean", "ReduceMax", "ReduceSum":
		node.Op = &graph.ReduceOp{Kind: n.OpType, Axes: a.ints("axes"), KeepDims: a.i("keepdims", 1) == 1, NoopWhenEmpty: a.i("noop_with_empty_axes", 0) == 1}
	case "Identity", "Dropout":
		node.Op = graph.IdentityOp{}
	case "LSTM":
		p, err := rnnParams(n, a, 4)
		if err != nil {
			return err
		}
		node.Op = &graph.LSTMOp{P: p}
	case "GRU":
		p, err := rnnParams(n, a, 3)
		if err != nil {
			return err
		}
		node.Op = &graph.GRUOp{P: p}
	default:
		return unsup("")
	}
	// Trailing empty inputs are absent optional inputs.
	b.Add(node)
	return nil
}

// OpsOf returns the sorted distinct op types of a model.
func OpsOf(m *ModelProto) []string {
	set := map[string]bool{}
	for _, n := range m.Graph.Nodes {
		set[n.OpType] = true
	}
	var s []string
	for k := range set {
		s = append(s, k)
	}
	sort.Strings(s)
	return s
}
