package cpu

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/avstack/avstack/nn"
)

var be = &Backend{}

func tensorEq(t *testing.T, name string, got *nn.Tensor, want []float32, shape ...int) {
	t.Helper()
	if !nn.SameShape(got.Shape(), shape) {
		t.Fatalf("%s: shape %v, want %v", name, got.Shape(), shape)
	}
	for k, w := range want {
		g := got.Data()[k]
		if math.IsNaN(float64(w)) && math.IsNaN(float64(g)) {
			continue
		}
		if math.Abs(float64(g-w)) > 1e-5+1e-4*math.Abs(float64(w)) {
			t.Fatalf("%s: element %d = %g, want %g (all %v)", name, k, g, w, got.Data())
		}
	}
}

func seq(n int, scale float32) []float32 {
	d := make([]float32, n)
	for k := range d {
		d[k] = float32(k+1) * scale
	}
	return d
}

func TestActivations(t *testing.T) {
	inf := float32(math.Inf(1))
	cases := []struct {
		act  nn.Activation
		x    []float32
		want []float32
	}{
		{nn.Activation{Kind: nn.ActRelu}, []float32{-2, 0, 3}, []float32{0, 0, 3}},
		{nn.Activation{Kind: nn.ActLeakyRelu, Alpha: 0.1}, []float32{-2, 0, 3}, []float32{-0.2, 0, 3}},
		{nn.Activation{Kind: nn.ActSigmoid}, []float32{0, 2, -100}, []float32{0.5, 0.880797, 0}},
		{nn.Activation{Kind: nn.ActTanh}, []float32{0, 1}, []float32{0, 0.761594}},
		{nn.Activation{Kind: nn.ActHardSigmoid, Alpha: 0.2, Beta: 0.5}, []float32{-5, 0, 1, 5}, []float32{0, 0.5, 0.7, 1}},
		{nn.Activation{Kind: nn.ActHardSwish}, []float32{-4, -1, 0, 1, 4}, []float32{0, -1.0 / 3, 0, 2.0 / 3, 4}},
		{nn.Activation{Kind: nn.ActSiLU}, []float32{0, 1}, []float32{0, 0.731059}},
		{nn.Activation{Kind: nn.ActMish}, []float32{0, 1}, []float32{0, 0.865098}},
		{nn.Activation{Kind: nn.ActClip, Alpha: -1, Beta: 2}, []float32{-3, 0.5, 3}, []float32{-1, 0.5, 2}},
		{nn.Activation{Kind: nn.ActClip, Alpha: -inf, Beta: inf}, []float32{-3, 3}, []float32{-3, 3}},
		{nn.Activation{Kind: nn.ActExp}, []float32{0, 1}, []float32{1, 2.718282}},
		{nn.Activation{Kind: nn.ActNeg}, []float32{2}, []float32{-2}},
		{nn.Activation{Kind: nn.ActSqrt}, []float32{4}, []float32{2}},
		{nn.Activation{Kind: nn.ActReciprocal}, []float32{4}, []float32{0.25}},
		{nn.Activation{Kind: nn.ActAbs}, []float32{-4, 2}, []float32{4, 2}},
	}
	for _, c := range cases {
		t.Run(c.act.Kind.String(), func(t *testing.T) {
			y := nn.New(len(c.x))
			be.Activate(y, nn.FromSlice(c.x, len(c.x)), c.act)
			tensorEq(t, c.act.Kind.String(), y, c.want, len(c.x))
			// in place gives the same
			x := nn.FromSlice(append([]float32(nil), c.x...), len(c.x))
			be.Activate(x, x, c.act)
			tensorEq(t, c.act.Kind.String()+" in place", x, c.want, len(c.x))
		})
	}
}

func TestBinaryBroadcast(t *testing.T) {
	a := nn.FromSlice([]float32{1, 2, 3, 4, 5, 6}, 2, 3)
	cases := []struct {
		name string
		b    *nn.Tensor
		op   nn.BinaryOp
		want []float32
	}{
		{"add same", nn.FromSlice([]float32{1, 1, 1, 2, 2, 2}, 2, 3), nn.OpAdd, []float32{2, 3, 4, 6, 7, 8}},
		{"sub row", nn.FromSlice([]float32{1, 2, 3}, 3), nn.OpSub, []float32{0, 0, 0, 3, 3, 3}},
		{"mul column", nn.FromSlice([]float32{2, 3}, 2, 1), nn.OpMul, []float32{2, 4, 6, 12, 15, 18}},
		{"div scalar", nn.FromSlice([]float32{2}), nn.OpDiv, []float32{0.5, 1, 1.5, 2, 2.5, 3}},
		{"pow", nn.FromSlice([]float32{2}), nn.OpPow, []float32{1, 4, 9, 16, 25, 36}},
		{"max", nn.FromSlice([]float32{3, 3, 3}, 1, 3), nn.OpMax, []float32{3, 3, 3, 4, 5, 6}},
		{"min", nn.FromSlice([]float32{3, 3, 3}, 1, 3), nn.OpMin, []float32{1, 2, 3, 3, 3, 3}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			y := nn.New(2, 3)
			be.Binary(y, a, c.b, c.op)
			tensorEq(t, c.name, y, c.want, 2, 3)
		})
	}
	t.Run("both broadcast", func(t *testing.T) {
		y := nn.New(2, 3)
		be.Binary(y, nn.FromSlice([]float32{10, 20}, 2, 1), nn.FromSlice([]float32{1, 2, 3}, 1, 3), nn.OpAdd)
		tensorEq(t, "outer", y, []float32{11, 12, 13, 21, 22, 23}, 2, 3)
	})
}

// naiveConv2D is the textbook definition, the reference for Conv's im2col path.
func naiveConv2D(x, w, b *nn.Tensor, p nn.ConvParams, oh, ow int) *nn.Tensor {
	xs, ws := x.Shape(), w.Shape()
	N, C, H, W := xs[0], xs[1], xs[2], xs[3]
	M, cg, KH, KW := ws[0], ws[1], ws[2], ws[3]
	mg := M / p.Group
	y := nn.New(N, M, oh, ow)
	for n := 0; n < N; n++ {
		for m := 0; m < M; m++ {
			g := m / mg
			for i := 0; i < oh; i++ {
				for j := 0; j < ow; j++ {
					var s float64
					if b != nil {
						s = float64(b.Data()[m])
					}
					for c := 0; c < cg; c++ {
						for ki := 0; ki < KH; ki++ {
							for kj := 0; kj < KW; kj++ {
								h := i*p.Strides[0] - p.Pads[0] + ki*p.Dilations[0]
								v := j*p.Strides[1] - p.Pads[1] + kj*p.Dilations[1]
								if h < 0 || h >= H || v < 0 || v >= W {
									continue
								}
								s += float64(x.At(n, g*cg+c, h, v)) * float64(w.At(m, c, ki, kj))
							}
						}
					}
					y.Set(float32(s), n, m, i, j)
				}
			}
		}
	}
	_ = C
	return y
}

func randT(rng *rand.Rand, shape ...int) *nn.Tensor {
	t := nn.New(shape...)
	for k := range t.Data() {
		t.Data()[k] = rng.Float32()*2 - 1
	}
	return t
}

func TestConvMatchesNaive(t *testing.T) {
	cases := []struct {
		name             string
		n, c, h, w, m, k int
		stride, pad, dil int
		group            int
		bias             bool
	}{
		{"3x3 same", 1, 3, 7, 6, 4, 3, 1, 1, 1, 1, true},
		{"1x1 pointwise", 2, 5, 4, 4, 3, 1, 1, 0, 1, 1, true},
		{"stride 2", 1, 2, 9, 8, 3, 3, 2, 1, 1, 1, false},
		{"dilated", 1, 2, 9, 9, 2, 3, 1, 2, 2, 1, true},
		{"grouped", 1, 4, 6, 6, 6, 3, 1, 1, 1, 2, true},
		{"depthwise", 2, 3, 6, 5, 3, 3, 2, 1, 1, 3, true},
		{"depthwise multiplier", 1, 2, 5, 5, 4, 3, 1, 1, 1, 2, false},
		{"5x5 no pad", 1, 1, 8, 8, 2, 5, 1, 0, 1, 1, true},
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			x := randT(rng, c.n, c.c, c.h, c.w)
			w := randT(rng, c.m, c.c/c.group, c.k, c.k)
			var b *nn.Tensor
			if c.bias {
				b = randT(rng, c.m)
			}
			p := nn.ConvParams{Strides: []int{c.stride, c.stride}, Dilations: []int{c.dil, c.dil}, Pads: []int{c.pad, c.pad, c.pad, c.pad}, Group: c.group}
			oh := nn.ConvOutSize(c.h, c.k, c.stride, c.dil, c.pad, c.pad)
			ow := nn.ConvOutSize(c.w, c.k, c.stride, c.dil, c.pad, c.pad)
			want := naiveConv2D(x, w, b, p, oh, ow)
			got := nn.New(c.n, c.m, oh, ow)
			be.Conv(got, x, w, b, p, nn.Activation{})
			tensorEq(t, c.name, got, want.Data(), want.Shape()...)
			// fused ReLU equals ReLU after
			fused := nn.New(c.n, c.m, oh, ow)
			be.Conv(fused, x, w, b, p, nn.Activation{Kind: nn.ActRelu})
			be.Activate(want, want, nn.Activation{Kind: nn.ActRelu})
			tensorEq(t, c.name+" relu", fused, want.Data(), want.Shape()...)
		})
	}
}

func TestConvHandComputed(t *testing.T) {
	// 1 channel 3x3 input, 2x2 kernel of ones, bias 1: sums of 2x2 windows plus 1.
	x := nn.FromSlice(seq(9, 1), 1, 1, 3, 3)
	w := nn.FromSlice([]float32{1, 1, 1, 1}, 1, 1, 2, 2)
	y := nn.New(1, 1, 2, 2)
	be.Conv(y, x, w, nn.FromSlice([]float32{1}, 1), nn.ConvParams{Strides: []int{1, 1}, Dilations: []int{1, 1}, Pads: []int{0, 0, 0, 0}, Group: 1}, nn.Activation{})
	tensorEq(t, "conv", y, []float32{13, 17, 25, 29}, 1, 1, 2, 2)
	// 1-d conv: [1,2,3,4] * [1,-1] = [-1,-1,-1]
	y1 := nn.New(1, 1, 3)
	be.Conv(y1, nn.FromSlice(seq(4, 1), 1, 1, 4), nn.FromSlice([]float32{1, -1}, 1, 1, 2), nil, nn.ConvParams{Group: 1}, nn.Activation{})
	tensorEq(t, "conv1d", y1, []float32{-1, -1, -1}, 1, 1, 3)
}

func TestConvTransposeHandComputed(t *testing.T) {
	// x [1,1,2,2] = 1..4, w ones 2x2, stride 2: each input spreads to a 2x2 block.
	x := nn.FromSlice(seq(4, 1), 1, 1, 2, 2)
	w := nn.FromSlice([]float32{1, 1, 1, 1}, 1, 1, 2, 2)
	y := nn.New(1, 1, 4, 4)
	be.ConvTranspose(y, x, w, nil, nn.ConvParams{Strides: []int{2, 2}, Group: 1})
	tensorEq(t, "stride 2", y, []float32{1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4}, 1, 1, 4, 4)
	// stride 1 overlaps add up; bias adds.
	y2 := nn.New(1, 1, 3, 3)
	be.ConvTranspose(y2, x, w, nn.FromSlice([]float32{10}, 1), nn.ConvParams{Strides: []int{1, 1}, Group: 1})
	tensorEq(t, "stride 1", y2, []float32{11, 13, 12, 14, 20, 16, 13, 17, 14}, 1, 1, 3, 3)
}

func TestGemmAndMatMul(t *testing.T) {
	a := nn.FromSlice(seq(6, 1), 2, 3) // [[1,2,3],[4,5,6]]
	b := nn.FromSlice(seq(6, 1), 3, 2) // [[1,2],[3,4],[5,6]]
	y := nn.New(2, 2)
	be.Gemm(y, a, b, nil, false, false, 1, 0, nn.Activation{})
	tensorEq(t, "ab", y, []float32{22, 28, 49, 64}, 2, 2)
	be.Gemm(y, a, a, nn.FromSlice([]float32{1, -100}, 2), false, true, 0.5, 2, nn.Activation{Kind: nn.ActRelu})
	// a a^T = [[14,32],[32,77]]; 0.5*that + 2*[1,-100] then relu
	tensorEq(t, "abT+c relu", y, []float32{9, 0, 18, 0}, 2, 2)
	yt := nn.New(3, 3)
	be.Gemm(yt, a, a, nil, true, false, 1, 0, nn.Activation{})
	tensorEq(t, "aTa", yt, []float32{17, 22, 27, 22, 29, 36, 27, 36, 45}, 3, 3)
	// batched with broadcast: a [2,1,2,3] @ b [3,2] -> [2,1,2,2]
	ab := nn.FromSlice(append(seq(6, 1), seq(6, -1)...), 2, 1, 2, 3)
	yb := nn.New(2, 1, 2, 2)
	be.MatMul(yb, ab, b)
	tensorEq(t, "batched", yb, []float32{22, 28, 49, 64, -22, -28, -49, -64}, 2, 1, 2, 2)
}

func TestSoftmaxBatchNorm(t *testing.T) {
	x := nn.FromSlice([]float32{1, 2, 3, 1, 1, 1}, 2, 3)
	y := nn.New(2, 3)
	be.Softmax(y, x, 1, false)
	tensorEq(t, "softmax", y, []float32{0.090031, 0.244728, 0.665241, 1. / 3, 1. / 3, 1. / 3}, 2, 3)
	be.Softmax(y, x, 1, true)
	tensorEq(t, "logsoftmax", y, []float32{-2.407606, -1.407606, -0.407606, -1.098612, -1.098612, -1.098612}, 2, 3)
	be.Softmax(y, x, 0, false)
	tensorEq(t, "softmax axis 0", y, []float32{0.5, 0.731059, 0.880797, 0.5, 0.268941, 0.119203}, 2, 3)
	bx := nn.FromSlice([]float32{1, 2, 3, 4}, 1, 2, 2)
	by := nn.New(1, 2, 2)
	be.BatchNorm(by, bx, nn.FromSlice([]float32{2, 1}, 2), nn.FromSlice([]float32{0, 1}, 2), nn.FromSlice([]float32{1, 3}, 2), nn.FromSlice([]float32{4, 1}, 2), 0)
	tensorEq(t, "batchnorm", by, []float32{0, 1, 1, 2}, 1, 2, 2)
}

func TestPooling(t *testing.T) {
	x := nn.FromSlice(seq(16, 1), 1, 1, 4, 4)
	cases := []struct {
		name string
		max  bool
		p    nn.PoolParams
		oh   int
		want []float32
	}{
		{"max 2x2/2", true, nn.PoolParams{Kernel: []int{2, 2}, Strides: []int{2, 2}, Dilations: []int{1, 1}, Pads: []int{0, 0, 0, 0}}, 2, []float32{6, 8, 14, 16}},
		{"avg 2x2/2", false, nn.PoolParams{Kernel: []int{2, 2}, Strides: []int{2, 2}, Dilations: []int{1, 1}, Pads: []int{0, 0, 0, 0}}, 2, []float32{3.5, 5.5, 11.5, 13.5}},
		{"max 3x3/2 pad 1", true, nn.PoolParams{Kernel: []int{3, 3}, Strides: []int{2, 2}, Dilations: []int{1, 1}, Pads: []int{1, 1, 1, 1}}, 2, []float32{6, 8, 14, 16}},
		{"avg pad excluded", false, nn.PoolParams{Kernel: []int{3, 3}, Strides: []int{2, 2}, Dilations: []int{1, 1}, Pads: []int{1, 1, 1, 1}}, 2, []float32{3.5, 5, 9.5, 11}},
		{"avg pad included", false, nn.PoolParams{Kernel: []int{3, 3}, Strides: []int{2, 2}, Dilations: []int{1, 1}, Pads: []int{1, 1, 1, 1}, CountIncludePad: true}, 2, []float32{14. / 9, 30. / 9, 57. / 9, 99. / 9}},
		{"max dilated", true, nn.PoolParams{Kernel: []int{2, 2}, Strides: []int{1, 1}, Dilations: []int{2, 2}, Pads: []int{0, 0, 0, 0}}, 2, []float32{11, 12, 15, 16}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			y := nn.New(1, 1, c.oh, c.oh)
			if c.max {
				be.MaxPool(y, x, c.p)
			} else {
				be.AvgPool(y, x, c.p)
			}
			tensorEq(t, c.name, y, c.want, 1, 1, c.oh, c.oh)
		})
	}
	g := nn.New(1, 1, 1, 1)
	be.GlobalAvgPool(g, x)
	tensorEq(t, "global", g, []float32{8.5}, 1, 1, 1, 1)
	if got := nn.PoolOutSize(5, 2, 2, 1, 0, 0, true); got != 3 {
		t.Errorf("ceil pool size %d, want 3", got)
	}
	if got := nn.PoolOutSize(3, 2, 2, 1, 1, 1, true); got != 2 {
		t.Errorf("ceil pool size with a window starting in the pad: %d, want 2", got)
	}
}

func TestResize(t *testing.T) {
	x := nn.FromSlice([]float32{1, 2, 3, 4}, 1, 1, 2, 2)
	cases := []struct {
		name string
		p    nn.ResizeParams
		want []float32
	}{
		{"nearest asymmetric x2", nn.ResizeParams{Mode: nn.ResizeNearest, Coord: "asymmetric", Nearest: "floor"},
			[]float32{1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4}},
		{"nearest half pixel x2", nn.ResizeParams{Mode: nn.ResizeNearest, Coord: "half_pixel", Nearest: "round_prefer_ceil"},
			[]float32{1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4}},
		{"linear half pixel x2", nn.ResizeParams{Mode: nn.ResizeLinear, Coord: "half_pixel"},
			[]float32{1, 1.25, 1.75, 2, 1.5, 1.75, 2.25, 2.5, 2.5, 2.75, 3.25, 3.5, 3, 3.25, 3.75, 4}},
		{"linear align corners x2", nn.ResizeParams{Mode: nn.ResizeLinear, Coord: "align_corners"},
			[]float32{1, 1 + 1./3, 1 + 2./3, 2, 1 + 2./3, 2, 2 + 1./3, 2 + 2./3, 2 + 1./3, 2 + 2./3, 3, 3 + 1./3, 3, 3 + 1./3, 3 + 2./3, 4}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.p.Scales = []float32{1, 1, 2, 2}
			y := nn.New(1, 1, 4, 4)
			be.Resize(y, x, c.p)
			tensorEq(t, c.name, y, c.want, 1, 1, 4, 4)
		})
	}
}

func TestLayoutOps(t *testing.T) {
	x := nn.FromSlice(seq(6, 1), 2, 3)
	y := nn.New(3, 2)
	be.Transpose(y, x, []int{1, 0})
	tensorEq(t, "transpose", y, []float32{1, 4, 2, 5, 3, 6}, 3, 2)
	c := nn.New(2, 4)
	be.Concat(c, []*nn.Tensor{x, nn.FromSlice([]float32{7, 8}, 2, 1)}, 1)
	tensorEq(t, "concat", c, []float32{1, 2, 3, 7, 4, 5, 6, 8}, 2, 4)
	row := nn.FromSlice([]float32{1, 2, 3}, 1, 3)
	pads := []int{0, 2, 0, 1} // two before, one after on axis 1
	cases := []struct {
		mode nn.PadMode
		want []float32
	}{
		{nn.PadConstant, []float32{9, 9, 1, 2, 3, 9}},
		{nn.PadEdge, []float32{1, 1, 1, 2, 3, 3}},
		{nn.PadReflect, []float32{3, 2, 1, 2, 3, 2}},
		{nn.PadWrap, []float32{2, 3, 1, 2, 3, 1}},
	}
	for _, cs := range cases {
		p := nn.New(1, 6)
		be.Pad(p, row, pads, cs.mode, 9)
		tensorEq(t, fmt.Sprint("pad mode ", cs.mode), p, cs.want, 1, 6)
	}
	crop := nn.New(1, 1)
	be.Pad(crop, row, []int{0, -1, 0, -1}, nn.PadConstant, 0)
	tensorEq(t, "negative pad crops", crop, []float32{2}, 1, 1)
}

// TestRecurrentHandComputed checks one LSTM and one GRU step with hidden
// size 1 against the ONNX equations written out.
func TestRecurrentHandComputed(t *testing.T) {
	sg := func(v float64) float64 { return 1 / (1 + math.Exp(-v)) }
	x := nn.FromSlice([]float32{0.5}, 1, 1, 1)
	w := nn.FromSlice([]float32{0.1, 0.2, 0.3, 0.4}, 1, 4, 1) // i o f c
	r := nn.FromSlice([]float32{0.5, 0.6, 0.7, 0.8}, 1, 4, 1)
	h0 := nn.FromSlice([]float32{0.2}, 1, 1, 1)
	c0 := nn.FromSlice([]float32{-0.3}, 1, 1, 1)
	y, yh, yc := nn.New(1, 1, 1, 1), nn.New(1, 1, 1), nn.New(1, 1, 1)
	be.LSTM(y, yh, yc, x, w, r, nil, h0, c0, nil, nil, nn.RNNParams{Hidden: 1, Direction: "forward"})
	i := sg(0.5*0.1 + 0.2*0.5)
	o := sg(0.5*0.2 + 0.2*0.6)
	f := sg(0.5*0.3 + 0.2*0.7)
	cc := math.Tanh(0.5*0.4 + 0.2*0.8)
	c := f*-0.3 + i*cc
	h := o * math.Tanh(c)
	tensorEq(t, "lstm y", y, []float32{float32(h)}, 1, 1, 1, 1)
	tensorEq(t, "lstm c", yc, []float32{float32(c)}, 1, 1, 1)
	gw := nn.FromSlice([]float32{0.1, 0.2, 0.3}, 1, 3, 1) // z r h
	gr := nn.FromSlice([]float32{0.4, 0.5, 0.6}, 1, 3, 1)
	gy, gyh := nn.New(1, 1, 1, 1), nn.New(1, 1, 1)
	be.GRU(gy, gyh, x, gw, gr, nil, h0, nil, nn.RNNParams{Hidden: 1, Direction: "forward"})
	z := sg(0.5*0.1 + 0.2*0.4)
	rr := sg(0.5*0.2 + 0.2*0.5)
	hh := math.Tanh(0.5*0.3 + (rr*0.2)*0.6)
	gh := (1-z)*hh + z*0.2
	tensorEq(t, "gru h", gyh, []float32{float32(gh)}, 1, 1, 1)
	be.GRU(gy, gyh, x, gw, gr, nil, h0, nil, nn.RNNParams{Hidden: 1, Direction: "forward", LinearBeforeReset: true})
	hh = math.Tanh(0.5*0.3 + rr*(0.2*0.6))
	gh = (1-z)*hh + z*0.2
	tensorEq(t, "gru linear before reset", gyh, []float32{float32(gh)}, 1, 1, 1)
}
