package graph

import (
	"fmt"
	"testing"

	"github.com/avstack/avstack/nn"
	"github.com/avstack/avstack/nn/cpu"
)

func f32(shape []int, v ...float32) *nn.Tensor { return nn.FromSlice(v, shape...) }
func i64(shape []int, v ...int64) *nn.Tensor   { return nn.FromInt64s(v, shape...) }
func sh(d ...int) []int                        { return d }

// runOp runs one op on the reference backend and returns its outputs.
func runOp(op Op, nOut int, in ...*nn.Tensor) ([]*nn.Tensor, error) {
	out := make([]*nn.Tensor, nOut)
	for k := range out {
		out[k] = nn.New()
	}
	err := op.Run(&cpu.Backend{}, in, out)
	return out, err
}

func sameTensor(got, want *nn.Tensor) error {
	if got.DType() != want.DType() || !nn.SameShape(got.Shape(), want.Shape()) {
		return fmt.Errorf("got %v, want %v", got, want)
	}
	if want.DType() == nn.Int64 {
		for k, w := range want.Int64s() {
			if got.Int64s()[k] != w {
				return fmt.Errorf("got %v, want %v", got, want)
			}
		}
		return nil
	}
	for k, w := range want.Data() {
		if d := got.Data()[k] - w; d > 1e-5 || d < -1e-5 {
			return fmt.Errorf("got %v, want %v", got, want)
		}
	}
	return nil
}

// TestOps is the table of the graph ops the conformance suite does not
// exercise (or only for float32): shape arithmetic on int64, masks,
// reductions, casts.
func TestOps(t *testing.T) {
	x := f32(sh(2, 3), 1, 2, 3, 4, 5, 6)
	cases := []struct {
		name string
		op   Op
		in   []*nn.Tensor
		want *nn.Tensor
	}{
		{"Shape", &ShapeOp{}, []*nn.Tensor{x}, i64(sh(2), 2, 3)},
		{"Shape start -1", &ShapeOp{Start: -1}, []*nn.Tensor{x}, i64(sh(1), 3)},
		{"Gather int64", &GatherOp{}, []*nn.Tensor{i64(sh(3), 7, 8, 9), i64(nil, -1)}, i64(nil, 9)},
		{"Gather axis 1", &GatherOp{Axis: 1}, []*nn.Tensor{x, i64(sh(2), 2, 0)}, f32(sh(2, 2), 3, 1, 6, 4)},
		{"Concat int64", &ConcatOp{Axis: 0}, []*nn.Tensor{i64(sh(1), 1), i64(sh(2), -1, 4)}, i64(sh(3), 1, -1, 4)},
		{"Add int64 broadcast", &BinaryOp{Op: nn.OpAdd}, []*nn.Tensor{i64(sh(2), 1, 2), i64(nil, 10)}, i64(sh(2), 11, 12)},
		{"Mul int64", &BinaryOp{Op: nn.OpMul}, []*nn.Tensor{i64(sh(2), 3, 4), i64(sh(2), 2, 2)}, i64(sh(2), 6, 8)},
		{"Div int64 truncates", &BinaryOp{Op: nn.OpDiv}, []*nn.Tensor{i64(sh(2), 7, -7), i64(nil, 2)}, i64(sh(2), 3, -3)},
		{"Equal", &CompareOp{Kind: "Equal"}, []*nn.Tensor{i64(sh(3), 1, 2, 3), i64(nil, 2)}, i64(sh(3), 0, 1, 0)},
		{"Less float", &CompareOp{Kind: "Less"}, []*nn.Tensor{f32(sh(2), 1, 5), f32(nil, 2)}, i64(sh(2), 1, 0)},
		{"Not", NotOp{}, []*nn.Tensor{i64(sh(3), 0, 1, 5)}, i64(sh(3), 1, 0, 0)},
		{"Where broadcast", &WhereOp{}, []*nn.Tensor{i64(sh(1, 3), 1, 0, 1), x, f32(nil, -1)}, f32(sh(2, 3), 1, -1, 3, 4, -1, 6)},
		{"Where int64", &WhereOp{}, []*nn.Tensor{i64(sh(2), 0, 1), i64(sh(2), 1, 2), i64(sh(2), 3, 4)}, i64(sh(2), 3, 2)},
		{"Cast to int64", &CastOp{To: nn.Int64}, []*nn.Tensor{f32(sh(3), 1.7, -2.5, 3)}, i64(sh(3), 1, -2, 3)},
		{"Cast to float", &CastOp{To: nn.Float32}, []*nn.Tensor{i64(sh(2), 4, -1)}, f32(sh(2), 4, -1)},
		{"Range int64", RangeOp{}, []*nn.Tensor{i64(nil, 1), i64(nil, 8), i64(nil, 3)}, i64(sh(3), 1, 4, 7)},
		{"Range float down", RangeOp{}, []*nn.Tensor{f32(nil, 1), f32(nil, 0), f32(nil, -0.25)}, f32(sh(4), 1, 0.75, 0.5, 0.25)},
		{"Expand", &ExpandOp{}, []*nn.Tensor{f32(sh(2, 1), 1, 2), i64(sh(2), 2, 3)}, f32(sh(2, 3), 1, 1, 1, 2, 2, 2)},
		{"Expand int64 rank up", &ExpandOp{}, []*nn.Tensor{i64(sh(2), 5, 6), i64(sh(2), 2, 1)}, i64(sh(2, 2), 5, 6, 5, 6)},
		{"ConstantOfShape default", &ConstantOfShapeOp{}, []*nn.Tensor{i64(sh(2), 1, 2)}, f32(sh(1, 2), 0, 0)},
		{"ConstantOfShape int64", &ConstantOfShapeOp{Value: i64(sh(1), 7)}, []*nn.Tensor{i64(sh(1), 3)}, i64(sh(3), 7, 7, 7)},
		{"ReduceMean axis 1", &ReduceOp{Kind: "ReduceMean", Axes: []int{1}, KeepDims: true}, []*nn.Tensor{x}, f32(sh(2, 1), 2, 5)},
		{"ReduceSum all", &ReduceOp{Kind: "ReduceSum"}, []*nn.Tensor{x}, f32(sh(), 21)},
		{"ReduceSum axes input", &ReduceOp{Kind: "ReduceSum", KeepDims: true}, []*nn.Tensor{x, i64(sh(1), 0)}, f32(sh(1, 3), 5, 7, 9)},
		{"ReduceMax axis -1", &ReduceOp{Kind: "ReduceMax", Axes: []int{-1}}, []*nn.Tensor{x}, f32(sh(2), 3, 6)},
		{"ReduceSum noop", &ReduceOp{Kind: "ReduceSum", NoopWhenEmpty: true}, []*nn.Tensor{x, i64(sh(0))}, x},
		{"Identity int64", IdentityOp{}, []*nn.Tensor{i64(sh(2), 1, 2)}, i64(sh(2), 1, 2)},
		{"Squeeze all", &SqueezeOp{}, []*nn.Tensor{f32(sh(1, 2, 1), 1, 2)}, f32(sh(2), 1, 2)},
		{"Unsqueeze int64", &UnsqueezeOp{Axes: []int{0}}, []*nn.Tensor{i64(nil, 4)}, i64(sh(1), 4)},
		{"Slice int64 negative step", &SliceOp{FromInputs: true}, []*nn.Tensor{i64(sh(4), 1, 2, 3, 4), i64(sh(1), -1), i64(sh(1), -5), i64(sh(1), 0), i64(sh(1), -2)}, i64(sh(2), 4, 2)},
		{"Transpose int64", &TransposeOp{}, []*nn.Tensor{i64(sh(2, 2), 1, 2, 3, 4)}, i64(sh(2, 2), 1, 3, 2, 4)},
		{"Reshape allowzero off", &ReshapeOp{}, []*nn.Tensor{x, i64(sh(2), 0, -1)}, f32(sh(2, 3), 1, 2, 3, 4, 5, 6)},
		{"Flatten axis 0", &FlattenOp{Axis: 0}, []*nn.Tensor{x}, f32(sh(1, 6), 1, 2, 3, 4, 5, 6)},
		{"Clip inputs", &ClipOp{}, []*nn.Tensor{x, f32(nil, 2), f32(nil, 4)}, f32(sh(2, 3), 2, 2, 3, 4, 4, 4)},
		{"GlobalMaxPool", &GlobalPoolOp{Max: true}, []*nn.Tensor{f32(sh(1, 2, 2), 1, 3, 2, 0)}, f32(sh(1, 2, 1), 3, 2)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, err := runOp(c.op, 1, c.in...)
			if err != nil {
				t.Fatal(err)
			}
			if err := sameTensor(out[0], c.want); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestOpErrors(t *testing.T) {
	x := f32(sh(2, 3), 1, 2, 3, 4, 5, 6)
	cases := []struct {
		name string
		op   Op
		in   []*nn.Tensor
		want string
	}{
		{"reshape size", &ReshapeOp{}, []*nn.Tensor{x, i64(sh(1), 4)}, "cannot reshape"},
		{"gather range", &GatherOp{}, []*nn.Tensor{x, i64(nil, 5)}, "out of range"},
		{"concat ranks", &ConcatOp{Axis: 0}, []*nn.Tensor{x, f32(sh(3), 1, 2, 3)}, "do not concatenate"},
		{"broadcast", &BinaryOp{Op: nn.OpAdd}, []*nn.Tensor{x, f32(sh(2), 1, 2)}, "do not broadcast"},
		{"int division by zero", &BinaryOp{Op: nn.OpDiv}, []*nn.Tensor{i64(sh(1), 1), i64(sh(1), 0)}, "division by zero"},
		{"squeeze non-1", &SqueezeOp{Axes: []int{0}}, []*nn.Tensor{x}, "is not 1"},
		{"split sizes", &SplitOp{Split: []int{2, 2}}, []*nn.Tensor{x}, "do not sum"},
		{"conv channels", &ConvOp{}, []*nn.Tensor{f32(sh(1, 2, 3, 3), make([]float32, 18)...), f32(sh(1, 3, 1, 1), 1, 1, 1)}, "disagree"},
		{"range delta 0", RangeOp{}, []*nn.Tensor{f32(nil, 0), f32(nil, 1), f32(nil, 0)}, "delta is 0"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := runOp(c.op, 2, c.in...)
			if err == nil || !contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one containing %q", err, c.want)
			}
		})
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}
