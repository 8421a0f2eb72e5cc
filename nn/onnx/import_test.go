package onnx

import (
	"encoding/binary"
	"errors"
	"math"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/avstack/avstack/nn"
)

// Tiny protobuf writers for building models in tests.
func fBytes(b []byte, num protowire.Number, v []byte) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendBytes(b, v)
}
func fStr(b []byte, num protowire.Number, s string) []byte { return fBytes(b, num, []byte(s)) }
func fVar(b []byte, num protowire.Number, v uint64) []byte {
	b = protowire.AppendTag(b, num, protowire.VarintType)
	return protowire.AppendVarint(b, v)
}

func tensorPB(name string, dims []int64, vals []float32) []byte {
	var b []byte
	for _, d := range dims {
		b = fVar(b, 1, uint64(d))
	}
	b = fVar(b, 2, dtFloat)
	b = fStr(b, 8, name)
	raw := make([]byte, 4*len(vals))
	for k, v := range vals {
		binary.LittleEndian.PutUint32(raw[4*k:], math.Float32bits(v))
	}
	return fBytes(b, 9, raw)
}

func valueInfo(name string, dims ...int64) []byte {
	var shape []byte
	for _, d := range dims {
		shape = fBytes(shape, 1, fVar(nil, 1, uint64(d)))
	}
	tt := fVar(nil, 1, dtFloat)
	tt = fBytes(tt, 2, shape)
	return fBytes(fStr(nil, 1, name), 2, fBytes(nil, 1, tt))
}

func node(name, op string, in, out []string) []byte {
	var b []byte
	for _, s := range in {
		b = fStr(b, 1, s)
	}
	for _, s := range out {
		b = fStr(b, 2, s)
	}
	b = fStr(b, 3, name)
	return fStr(b, 4, op)
}

func model(opset uint64, nodes [][]byte, inits [][]byte, inputs, outputs [][]byte) []byte {
	var g []byte
	for _, n := range nodes {
		g = fBytes(g, 1, n)
	}
	g = fStr(g, 2, "test")
	for _, t := range inits {
		g = fBytes(g, 5, t)
	}
	for _, i := range inputs {
		g = fBytes(g, 11, i)
	}
	for _, o := range outputs {
		g = fBytes(g, 12, o)
	}
	m := fVar(nil, 1, 8)
	m = fBytes(m, 8, fVar(fStr(nil, 1, ""), 2, opset))
	return fBytes(m, 7, g)
}

// TestInitializerAlsoInput: an initializer listed among the graph inputs is
// a constant, not an input the caller must feed.
func TestInitializerAlsoInput(t *testing.T) {
	b := model(13,
		[][]byte{node("add0", "Add", []string{"x", "w"}, []string{"y"})},
		[][]byte{tensorPB("w", []int64{2}, []float32{10, 20})},
		[][]byte{valueInfo("x", 2), valueInfo("w", 2)},
		[][]byte{valueInfo("y", 2)})
	g, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if in := g.InputNames(); len(in) != 1 || in[0] != "x" {
		t.Fatalf("inputs %v, want [x]", in)
	}
	out, err := g.Run(map[string]*nn.Tensor{"x": nn.FromSlice([]float32{1, 2}, 2)})
	if err != nil {
		t.Fatal(err)
	}
	if d := out["y"].Data(); d[0] != 11 || d[1] != 22 {
		t.Fatalf("y = %v, want [11 22]", d)
	}
}

func TestImportErrors(t *testing.T) {
	good := model(13,
		[][]byte{node("relu0", "Relu", []string{"x"}, []string{"y"})}, nil,
		[][]byte{valueInfo("x", 2)}, [][]byte{valueInfo("y", 2)})
	cases := []struct {
		name string
		b    []byte
		want string
	}{
		{"unsupported op", model(13, [][]byte{node("my_node", "NonMaxSuppression", []string{"x"}, []string{"y"})}, nil,
			[][]byte{valueInfo("x", 2)}, [][]byte{valueInfo("y", 2)}), `node "my_node": op NonMaxSuppression is not supported`},
		{"truncated file", good[:len(good)-7], "onnx:"},
		{"garbage", []byte{0xff, 0xff, 0xff, 0xff}, "onnx:"},
		{"no graph", fVar(nil, 1, 8), "no graph"},
		{"old opset", model(5, nil, nil, nil, nil), "opset 5"},
		{"dangling input", model(13, [][]byte{node("n1", "Relu", []string{"missing"}, []string{"y"})}, nil,
			[][]byte{valueInfo("x", 2)}, [][]byte{valueInfo("y", 2)}), `"missing"`},
		{"bad raw data size", model(13, [][]byte{node("add0", "Add", []string{"x", "w"}, []string{"y"})},
			[][]byte{func() []byte { b := tensorPB("w", []int64{3}, []float32{1, 2}); return b }()},
			[][]byte{valueInfo("x", 3)}, [][]byte{valueInfo("y", 3)}), "raw_data has 8 bytes for 3 floats"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Decode(c.b)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one containing %q", err, c.want)
			}
		})
	}
	_, err := Decode(model(13, [][]byte{node("nms", "NonMaxSuppression", []string{"x"}, []string{"y"})}, nil,
		[][]byte{valueInfo("x", 2)}, [][]byte{valueInfo("y", 2)}))
	var u *UnsupportedOpError
	if !errors.As(err, &u) || u.OpType != "NonMaxSuppression" || u.Node != "nms" {
		t.Fatalf("error %v is not an UnsupportedOpError naming the node", err)
	}
}

func TestCompareTolerance(t *testing.T) {
	want := nn.FromSlice([]float32{1, 100, 0}, 3)
	cases := []struct {
		name string
		got  []float32
		ok   bool
	}{
		{"equal", []float32{1, 100, 0}, true},
		{"within", []float32{1.0009, 100.09, 0.00009}, true},
		{"outside relative", []float32{1, 100.2, 0}, false},
		{"outside absolute", []float32{1, 100, 0.0002}, false},
		{"nan", []float32{float32(math.NaN()), 100, 0}, false},
	}
	for _, c := range cases {
		err := Compare(nn.FromSlice(c.got, 3), want)
		if (err == nil) != c.ok {
			t.Errorf("%s: error %v, want ok=%v", c.name, err, c.ok)
		}
	}
	if err := Compare(nn.New(3, 1), want); err == nil {
		t.Error("shape mismatch accepted")
	}
}
