package graph

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/avstack/avstack/nn"
	"github.com/avstack/avstack/nn/cpu"
)

func randT(rng *rand.Rand, shape ...int) *nn.Tensor {
	t := nn.New(shape...)
	for k := range t.Data() {
		t.Data()[k] = rng.Float32()*2 - 1
	}
	return t
}

func near(t *testing.T, name string, got, want *nn.Tensor) {
	t.Helper()
	if !nn.SameShape(got.Shape(), want.Shape()) {
		t.Fatalf("%s: shape %v, want %v", name, got.Shape(), want.Shape())
	}
	for k, w := range want.Data() {
		if g := got.Data()[k]; math.Abs(float64(g-w)) > 1e-4+1e-3*math.Abs(float64(w)) {
			t.Fatalf("%s: element %d = %g, want %g", name, k, g, w)
		}
	}
}

// TestFoldBatchNormAndFuse: Conv -> BatchNormalization -> Relu becomes one
// node whose output equals the three ops run one by one.
func TestFoldBatchNormAndFuse(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	x := randT(rng, 1, 3, 6, 6)
	w, bias := randT(rng, 4, 3, 3, 3), randT(rng, 4)
	sc, bb, mean := randT(rng, 4), randT(rng, 4), randT(rng, 4)
	vr := nn.FromSlice([]float32{0.5, 1, 2, 0.1}, 4)
	b := NewBuilder()
	b.Input("x", nn.Float32, []int{1, 3, 6, 6})
	for name, v := range map[string]*nn.Tensor{"w": w, "b": bias, "s": sc, "bb": bb, "m": mean, "v": vr} {
		b.Const(name, v)
	}
	conv := &ConvOp{Pads: []int{1, 1, 1, 1}}
	b.Add(&Node{Name: "conv", OpType: "Conv", Op: conv, Inputs: []string{"x", "w", "b"}, Outputs: []string{"c"}})
	b.Add(&Node{Name: "bn", OpType: "BatchNormalization", Op: &BatchNormOp{Eps: 1e-5}, Inputs: []string{"c", "s", "bb", "m", "v"}, Outputs: []string{"n"}})
	b.Add(&Node{Name: "relu", OpType: "Relu", Op: &ActOp{Act: nn.Activation{Kind: nn.ActRelu}}, Inputs: []string{"n"}, Outputs: []string{"y"}})
	b.Output("y")
	g, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	if ops := g.OpTypes(); len(ops) != 1 || ops[0] != "Conv+BatchNormalization+Relu" {
		t.Fatalf("optimised ops %v, want [Conv+BatchNormalization+Relu]", ops)
	}
	out, err := g.Run(map[string]*nn.Tensor{"x": x})
	if err != nil {
		t.Fatal(err)
	}
	be := &cpu.Backend{}
	c := nn.New(1, 4, 6, 6)
	be.Conv(c, x, w, bias, nn.ConvParams{Strides: []int{1, 1}, Dilations: []int{1, 1}, Pads: []int{1, 1, 1, 1}, Group: 1}, nn.Activation{})
	be.BatchNorm(c, c, sc, bb, mean, vr, 1e-5)
	be.Activate(c, c, nn.Activation{Kind: nn.ActRelu})
	near(t, "folded", out["y"], c)
}

// TestFoldShapeSubgraph: Shape -> Gather -> Unsqueeze -> Concat -> Reshape
// folds into a constant shape with static inputs, leaving one Reshape.
func TestFoldShapeSubgraph(t *testing.T) {
	b := NewBuilder()
	b.Input("x", nn.Float32, []int{2, 3, 4})
	b.Const("i0", nn.FromInt64s([]int64{0}))
	b.Const("m1", nn.FromInt64s([]int64{-1}, 1))
	b.Add(&Node{Name: "shape", OpType: "Shape", Op: &ShapeOp{}, Inputs: []string{"x"}, Outputs: []string{"s"}})
	b.Add(&Node{Name: "gather", OpType: "Gather", Op: &GatherOp{}, Inputs: []string{"s", "i0"}, Outputs: []string{"n"}})
	b.Add(&Node{Name: "unsq", OpType: "Unsqueeze", Op: &UnsqueezeOp{Axes: []int{0}}, Inputs: []string{"n"}, Outputs: []string{"n1"}})
	b.Add(&Node{Name: "cat", OpType: "Concat", Op: &ConcatOp{Axis: 0}, Inputs: []string{"n1", "m1"}, Outputs: []string{"shp"}})
	b.Add(&Node{Name: "reshape", OpType: "Reshape", Op: &ReshapeOp{}, Inputs: []string{"x", "shp"}, Outputs: []string{"y"}})
	b.Output("y")
	g, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	if ops := g.OpTypes(); len(ops) != 1 || ops[0] != "Reshape" {
		t.Fatalf("optimised ops %v, want [Reshape]", ops)
	}
	x := nn.FromSlice(make([]float32, 24), 2, 3, 4)
	out, err := g.Run(map[string]*nn.Tensor{"x": x})
	if err != nil {
		t.Fatal(err)
	}
	if s := out["y"].Shape(); !nn.SameShape(s, []int{2, 12}) {
		t.Fatalf("shape %v, want [2 12]", s)
	}
	if _, err := g.Run(map[string]*nn.Tensor{"x": nn.New(3, 3, 4)}); err == nil || !strings.Contains(err.Error(), "model declares") {
		t.Fatalf("a different input shape gave %v, want a shape error", err)
	}
}

// TestBufferReuse: a chain of 12 element-wise ops needs only 2 buffers, and
// the result is still right; Run allocates nothing after warm-up.
func TestBufferReuse(t *testing.T) {
	b := NewBuilder()
	b.Input("x", nn.Float32, []int{1, 8})
	b.Const("one", nn.FromSlice([]float32{1}))
	prev := "x"
	for k := 0; k < 12; k++ {
		out := string(rune('a' + k))
		b.Add(&Node{Name: out, OpType: "Add", Op: &BinaryOp{Op: nn.OpAdd}, Inputs: []string{prev, "one"}, Outputs: []string{out}})
		prev = out
	}
	b.Output(prev)
	g, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	if n := g.BufferCount(); n != 2 {
		t.Errorf("%d buffers, want 2", n)
	}
	x := nn.FromSlice([]float32{0, 1, 2, 3, 4, 5, 6, 7}, 1, 8)
	in := map[string]*nn.Tensor{"x": x}
	out, err := g.Run(in)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "chain", out[prev], nn.FromSlice([]float32{12, 13, 14, 15, 16, 17, 18, 19}, 1, 8))
	if a := testing.AllocsPerRun(5, func() { g.Run(in) }); a != 0 {
		t.Errorf("Run allocates %.0f times", a)
	}
}

func TestBuildAndRunErrors(t *testing.T) {
	b := NewBuilder()
	b.Input("x", nn.Float32, []int{1, 4})
	b.Add(&Node{Name: "bad", OpType: "Add", Op: &BinaryOp{Op: nn.OpAdd}, Inputs: []string{"x", "nope"}, Outputs: []string{"y"}})
	b.Output("y")
	if _, err := b.Build(); err == nil || !strings.Contains(err.Error(), `"bad"`) || !strings.Contains(err.Error(), `"nope"`) {
		t.Fatalf("missing input gave %v", err)
	}
	b = NewBuilder()
	b.Input("x", nn.Float32, []int{-1, 4})
	b.Const("w", nn.New(3, 5))
	b.Add(&Node{Name: "mm", OpType: "MatMul", Op: &MatMulOp{}, Inputs: []string{"x", "w"}, Outputs: []string{"y"}})
	b.Output("y")
	g, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	_, err = g.Run(map[string]*nn.Tensor{"x": nn.New(2, 4)})
	if err == nil || !strings.Contains(err.Error(), `node "mm" (MatMul)`) {
		t.Fatalf("shape mismatch gave %v, want an error naming the node", err)
	}
	if _, err := g.Run(map[string]*nn.Tensor{}); err == nil || !strings.Contains(err.Error(), `input "x" missing`) {
		t.Fatalf("missing input gave %v", err)
	}
}

// TestAllocFreeOps runs a graph with MatMul, Softmax, Resize (linear),
// Transpose, Slice and Concat and checks Run allocates nothing after warm-up.
func TestAllocFreeOps(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	b := NewBuilder()
	b.Input("x", nn.Float32, []int{1, 2, 4, 4})
	b.Const("w", randT(rng, 4, 4))
	b.Const("starts", nn.FromInt64s([]int64{1}, 1))
	b.Const("ends", nn.FromInt64s([]int64{3}, 1))
	b.Const("axes", nn.FromInt64s([]int64{2}, 1))
	b.Const("scales", nn.FromSlice([]float32{1, 1, 2, 2}, 4))
	b.Add(&Node{Name: "mm", OpType: "MatMul", Op: &MatMulOp{}, Inputs: []string{"x", "w"}, Outputs: []string{"a"}})
	b.Add(&Node{Name: "sm", OpType: "Softmax", Op: &SoftmaxOp{Axis: -1}, Inputs: []string{"a"}, Outputs: []string{"s"}})
	b.Add(&Node{Name: "rs", OpType: "Resize", Op: &ResizeOp{P: nn.ResizeParams{Mode: nn.ResizeLinear, Coord: "half_pixel"}}, Inputs: []string{"s", "", "scales"}, Outputs: []string{"r"}})
	b.Add(&Node{Name: "tr", OpType: "Transpose", Op: &TransposeOp{Perm: []int{0, 1, 3, 2}}, Inputs: []string{"r"}, Outputs: []string{"t"}})
	b.Add(&Node{Name: "sl", OpType: "Slice", Op: &SliceOp{FromInputs: true}, Inputs: []string{"t", "starts", "ends", "axes"}, Outputs: []string{"u"}})
	b.Add(&Node{Name: "cat", OpType: "Concat", Op: &ConcatOp{Axis: 2}, Inputs: []string{"u", "u"}, Outputs: []string{"y"}})
	b.Output("y")
	g, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	in := map[string]*nn.Tensor{"x": randT(rng, 1, 2, 4, 4)}
	out, err := g.Run(in)
	if err != nil {
		t.Fatal(err)
	}
	if s := out["y"].Shape(); !nn.SameShape(s, []int{1, 2, 4, 8}) {
		t.Fatalf("shape %v", s)
	}
	if a := testing.AllocsPerRun(5, func() { g.Run(in) }); a != 0 {
		t.Errorf("Run allocates %.0f times", a)
	}
}

// TestInPlace: element-wise and shape-only ops write over their dead input,
// so Add -> Relu -> Sigmoid -> Reshape needs one buffer and stays correct.
func TestInPlace(t *testing.T) {
	b := NewBuilder()
	b.Input("x", nn.Float32, []int{2, 2})
	b.Const("c", nn.FromSlice([]float32{-1}))
	b.Const("shape", nn.FromInt64s([]int64{4}, 1))
	b.Add(&Node{Name: "add", OpType: "Add", Op: &BinaryOp{Op: nn.OpAdd}, Inputs: []string{"x", "c"}, Outputs: []string{"a"}})
	b.Add(&Node{Name: "relu", OpType: "Relu", Op: &ActOp{Act: nn.Activation{Kind: nn.ActRelu}}, Inputs: []string{"a"}, Outputs: []string{"r"}})
	b.Add(&Node{Name: "neg", OpType: "Neg", Op: &ActOp{Act: nn.Activation{Kind: nn.ActNeg}}, Inputs: []string{"r"}, Outputs: []string{"n"}})
	b.Add(&Node{Name: "reshape", OpType: "Reshape", Op: &ReshapeOp{}, Inputs: []string{"n", "shape"}, Outputs: []string{"y"}})
	b.Output("y")
	g, err := b.BuildFor(&cpu.Backend{})
	if err != nil {
		t.Fatal(err)
	}
	if n := g.BufferCount(); n != 1 {
		t.Errorf("%d buffers, want 1", n)
	}
	x := nn.FromSlice([]float32{0, 1, 2, 3}, 2, 2)
	out, err := g.Run(map[string]*nn.Tensor{"x": x})
	if err != nil {
		t.Fatal(err)
	}
	near(t, "in place", out["y"], nn.FromSlice([]float32{0, 0, -1, -2}, 4))
	near(t, "input untouched", x, nn.FromSlice([]float32{0, 1, 2, 3}, 2, 2))
}

// TestFuseResidualAndIdentity: Conv -> Add(residual) -> Relu becomes one
// Conv node (pointwise: one GEMM onto the residual; others: the generic
// path), Identity/Dropout nodes disappear, and the outputs equal the ops
// run one by one on the reference backend, on the fast and the reference
// backends, whether or not the residual dies at the Add.
func TestFuseResidualAndIdentity(t *testing.T) {
	cases := []struct {
		name       string
		k, pad     int
		convSide   int  // which Add input the Conv feeds
		keepResid  bool // the residual is also a graph output (not in place)
		wantFusion string
	}{
		{"pointwise in place", 1, 0, 0, false, "Conv+Add+Relu"},
		{"pointwise conv second", 1, 0, 1, false, "Conv+Add+Relu"},
		{"pointwise residual kept", 1, 0, 0, true, "Conv+Add+Relu"},
		{"3x3 in place", 3, 1, 0, false, "Conv+Add+Relu"},
		{"3x3 residual kept", 3, 1, 1, true, "Conv+Add+Relu"},
	}
	for _, c := range cases {
		for _, be := range []nn.Backend{cpu.NewFast(), &cpu.Backend{}} {
			t.Run(c.name+" "+be.Name(), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(3, 3))
				x := randT(rng, 2, 6, 5, 7)
				w0, w1, bias := randT(rng, 6, 6, 1, 1), randT(rng, 6, 6, c.k, c.k), randT(rng, 6)
				b := NewBuilder()
				b.Input("x", nn.Float32, []int{2, 6, 5, 7})
				b.Const("w0", w0)
				b.Const("w1", w1)
				b.Const("b", bias)
				b.Add(&Node{Name: "c0", OpType: "Conv", Op: &ConvOp{}, Inputs: []string{"x", "w0"}, Outputs: []string{"r0"}})
				b.Add(&Node{Name: "id", OpType: "Dropout", Op: IdentityOp{}, Inputs: []string{"r0"}, Outputs: []string{"r"}})
				b.Add(&Node{Name: "c1", OpType: "Conv", Op: &ConvOp{Pads: []int{c.pad, c.pad, c.pad, c.pad}}, Inputs: []string{"r", "w1", "b"}, Outputs: []string{"c"}})
				ins := []string{"c", "r"}
				if c.convSide == 1 {
					ins = []string{"r", "c"}
				}
				b.Add(&Node{Name: "add", OpType: "Add", Op: &BinaryOp{Op: nn.OpAdd}, Inputs: ins, Outputs: []string{"s"}})
				b.Add(&Node{Name: "relu", OpType: "Relu", Op: &ActOp{Act: nn.Activation{Kind: nn.ActRelu}}, Inputs: []string{"s"}, Outputs: []string{"y"}})
				b.Output("y")
				if c.keepResid {
					b.Output("r")
				}
				g, err := b.BuildFor(be)
				if err != nil {
					t.Fatal(err)
				}
				want := []string{"Conv", c.wantFusion}
				if c.keepResid { // the Identity producing a graph output stays
					want = []string{"Conv", "Dropout", c.wantFusion}
				}
				if ops := g.OpTypes(); strings.Join(ops, ",") != strings.Join(want, ",") {
					t.Fatalf("optimised ops %v, want %v", ops, want)
				}
				ref := &cpu.Backend{}
				r := nn.New(2, 6, 5, 7)
				ref.Conv(r, x, w0, nil, nn.ConvParams{Strides: []int{1, 1}, Dilations: []int{1, 1}, Pads: []int{0, 0, 0, 0}, Group: 1}, nn.Activation{})
				y := nn.New(2, 6, 5, 7)
				ref.Conv(y, r, w1, bias, nn.ConvParams{Strides: []int{1, 1}, Dilations: []int{1, 1}, Pads: []int{c.pad, c.pad, c.pad, c.pad}, Group: 1}, nn.Activation{})
				ref.Binary(y, y, r, nn.OpAdd)
				ref.Activate(y, y, nn.Activation{Kind: nn.ActRelu})
				for run := 0; run < 2; run++ {
					out, err := g.Run(map[string]*nn.Tensor{"x": x})
					if err != nil {
						t.Fatal(err)
					}
					near(t, "y", out["y"], y)
					if c.keepResid {
						near(t, "r", out["r"], r)
					}
				}
			})
		}
	}
}

// TestFuseTransposedSoftmax: Transpose -> Softmax(last) -> inverse
// Transpose becomes one Softmax over the original axis and equals the
// three ops; a second Transpose that is not the inverse does not fuse.
func TestFuseTransposedSoftmax(t *testing.T) {
	cases := []struct {
		name    string
		p1, p2  []int
		coerce  bool
		wantOps string
	}{
		{"channels last and back", []int{0, 2, 3, 1}, []int{0, 3, 1, 2}, false, "Transpose+Softmax+Transpose"},
		{"opset 11 softmax", []int{0, 2, 3, 1}, []int{0, 3, 1, 2}, true, "Transpose+Softmax+Transpose"},
		{"not the inverse", []int{0, 2, 3, 1}, []int{0, 3, 2, 1}, false, "Transpose,Softmax,Transpose"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(4, 4))
			x := randT(rng, 2, 5, 3, 4)
			for k := range x.Data() {
				x.Data()[k] *= 10
			}
			b := NewBuilder()
			b.Input("x", nn.Float32, []int{2, 5, 3, 4})
			b.Add(&Node{Name: "t1", OpType: "Transpose", Op: &TransposeOp{Perm: c.p1}, Inputs: []string{"x"}, Outputs: []string{"a"}})
			b.Add(&Node{Name: "sm", OpType: "Softmax", Op: &SoftmaxOp{Axis: -1, Coerce2D: c.coerce}, Inputs: []string{"a"}, Outputs: []string{"s"}})
			b.Add(&Node{Name: "t2", OpType: "Transpose", Op: &TransposeOp{Perm: c.p2}, Inputs: []string{"s"}, Outputs: []string{"y"}})
			b.Output("y")
			g, err := b.Build()
			if err != nil {
				t.Fatal(err)
			}
			if ops := strings.Join(g.OpTypes(), ","); ops != c.wantOps {
				t.Fatalf("optimised ops %s, want %s", ops, c.wantOps)
			}
			ref := &cpu.Backend{}
			as := make([]int, 4)
			for k, a := range c.p1 {
				as[k] = x.Shape()[a]
			}
			a := nn.New(as...)
			ref.Transpose(a, x, c.p1)
			s := nn.New(as...)
			ref.Softmax(s, a, 3, false)
			ys := make([]int, 4)
			for k, p := range c.p2 {
				ys[k] = as[p]
			}
			y := nn.New(ys...)
			ref.Transpose(y, s, c.p2)
			out, err := g.Run(map[string]*nn.Tensor{"x": x})
			if err != nil {
				t.Fatal(err)
			}
			near(t, "y", out["y"], y)
		})
	}
}

// TestFuseShuffle: the ShuffleNet channel shuffle (Concat -> Reshape ->
// Transpose [1 0 2] -> Reshape -> Gather 0, Gather 1) becomes one node
// whose outputs equal the six ops; with a Concat output read elsewhere the
// Concat stays and the shuffle still fuses.
func TestFuseShuffle(t *testing.T) {
	for _, c := range []struct {
		name    string
		keepCat bool
		wantOps string
	}{
		{"with concat", false, "Concat+Reshape+Transpose+Reshape+Gather"},
		{"concat also an output", true, "Concat,Reshape+Transpose+Reshape+Gather"},
	} {
		t.Run(c.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(9, 9))
			a, bb := randT(rng, 1, 4, 3, 5), randT(rng, 1, 6, 3, 5)
			b := NewBuilder()
			b.Input("a", nn.Float32, []int{1, 4, 3, 5})
			b.Input("b", nn.Float32, []int{1, 6, 3, 5})
			b.Const("s1", nn.FromInt64s([]int64{5, 2, 15}, 3))
			b.Const("s2", nn.FromInt64s([]int64{2, -1, 5, 3, 5}, 5))
			b.Const("i0", nn.FromInt64s([]int64{0}))
			b.Const("i1", nn.FromInt64s([]int64{1}))
			b.Add(&Node{Name: "cat", OpType: "Concat", Op: &ConcatOp{Axis: 1}, Inputs: []string{"a", "b"}, Outputs: []string{"x"}})
			b.Add(&Node{Name: "r1", OpType: "Reshape", Op: &ReshapeOp{}, Inputs: []string{"x", "s1"}, Outputs: []string{"y1"}})
			b.Add(&Node{Name: "t", OpType: "Transpose", Op: &TransposeOp{Perm: []int{1, 0, 2}}, Inputs: []string{"y1"}, Outputs: []string{"y2"}})
			b.Add(&Node{Name: "r2", OpType: "Reshape", Op: &ReshapeOp{}, Inputs: []string{"y2", "s2"}, Outputs: []string{"y3"}})
			b.Add(&Node{Name: "g0", OpType: "Gather", Op: &GatherOp{}, Inputs: []string{"y3", "i0"}, Outputs: []string{"o0"}})
			b.Add(&Node{Name: "g1", OpType: "Gather", Op: &GatherOp{}, Inputs: []string{"y3", "i1"}, Outputs: []string{"o1"}})
			b.Output("o0")
			b.Output("o1")
			if c.keepCat {
				b.Output("x")
			}
			g, err := b.Build()
			if err != nil {
				t.Fatal(err)
			}
			if ops := strings.Join(g.OpTypes(), ","); ops != c.wantOps {
				t.Fatalf("optimised ops %s, want %s", ops, c.wantOps)
			}
			out, err := g.Run(map[string]*nn.Tensor{"a": a, "b": bb})
			if err != nil {
				t.Fatal(err)
			}
			// Output k holds channels 2i+k of the concatenation.
			cat := append(append([]float32(nil), a.Data()...), bb.Data()...)
			for k, name := range []string{"o0", "o1"} {
				want := nn.New(1, 5, 3, 5)
				for i := 0; i < 5; i++ {
					copy(want.Data()[i*15:(i+1)*15], cat[(2*i+k)*15:(2*i+k+1)*15])
				}
				near(t, name, out[name], want)
			}
			if _, err := g.Run(map[string]*nn.Tensor{"a": a, "b": nn.New(1, 6, 3, 4)}); err == nil {
				t.Fatal("a changed input shape ran")
			}
		})
	}
}

// TestFusePadPool: a zero spatial Pad before an AveragePool without pads
// becomes the pool's own padding (count_include_pad) and equals the two
// ops; a non-zero pad value or a MaxPool does not fuse.
func TestFusePadPool(t *testing.T) {
	for _, c := range []struct {
		name    string
		value   float32
		max     bool
		wantOps string
	}{
		{"zero pad, average", 0, false, "Pad+AveragePool"},
		{"pad value 1", 1, false, "Pad,AveragePool"},
		{"max pool", 0, true, "Pad,MaxPool"},
	} {
		t.Run(c.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(10, 10))
			x := randT(rng, 1, 3, 9, 8)
			pads := []int{0, 0, 1, 2, 0, 0, 1, 0}
			b := NewBuilder()
			b.Input("x", nn.Float32, []int{1, 3, 9, 8})
			b.Const("pads", nn.FromInt64s([]int64{0, 0, 1, 2, 0, 0, 1, 0}, 8))
			b.Const("v", nn.FromSlice([]float32{c.value}))
			b.Add(&Node{Name: "pad", OpType: "Pad", Op: &PadOp{Mode: nn.PadConstant, FromInputs: true}, Inputs: []string{"x", "pads", "v"}, Outputs: []string{"p"}})
			op, name := "AveragePool", "AveragePool"
			if c.max {
				op, name = "MaxPool", "MaxPool"
			}
			b.Add(&Node{Name: "pool", OpType: op, Op: &PoolOp{Max: c.max, Kernel: []int{3, 3}, Strides: []int{2, 2}}, Inputs: []string{"p"}, Outputs: []string{"y"}})
			b.Output("y")
			g, err := b.Build()
			if err != nil {
				t.Fatal(err)
			}
			if ops := strings.Join(g.OpTypes(), ","); ops != c.wantOps {
				t.Fatalf("optimised ops %s, want %s (%s)", ops, c.wantOps, name)
			}
			ref := &cpu.Backend{}
			p := nn.New(1, 3, 11, 10)
			ref.Pad(p, x, pads, nn.PadConstant, c.value)
			y := nn.New(1, 3, 5, 4)
			pp := nn.PoolParams{Kernel: []int{3, 3}, Strides: []int{2, 2}, Dilations: []int{1, 1}, Pads: []int{0, 0, 0, 0}}
			if c.max {
				ref.MaxPool(y, p, pp)
			} else {
				ref.AvgPool(y, p, pp)
			}
			out, err := g.Run(map[string]*nn.Tensor{"x": x})
			if err != nil {
				t.Fatal(err)
			}
			near(t, "y", out["y"], y)
		})
	}
}
