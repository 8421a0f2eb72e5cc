package cpu

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/avstack/avstack/nn"
	"github.com/avstack/avstack/nn/gemm"
	"github.com/avstack/avstack/nn/kernels"
)

// closeEnough applies the conformance tolerance and reports the worst case.
func closeEnough(t *testing.T, name string, got, want *nn.Tensor) {
	t.Helper()
	if !nn.SameShape(got.Shape(), want.Shape()) {
		t.Fatalf("%s: shape %v, want %v", name, got.Shape(), want.Shape())
	}
	for k, w := range want.Data() {
		g := got.Data()[k]
		if math.Abs(float64(g-w)) > 1e-4+1e-3*math.Abs(float64(w)) {
			t.Fatalf("%s: element %d = %g, reference %g", name, k, g, w)
		}
	}
}

// TestFastMatchesReference holds every fast path of Fast to the reference
// Backend on the same inputs, including shapes that must fall back.
func TestFastMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	ref, fast := &Backend{}, NewFast()
	acts := []nn.Activation{{}, {Kind: nn.ActRelu}, {Kind: nn.ActLeakyRelu, Alpha: 0.1}, {Kind: nn.ActSigmoid},
		{Kind: nn.ActSiLU}, {Kind: nn.ActTanh}, {Kind: nn.ActClip, Alpha: 0, Beta: 6}, {Kind: nn.ActHardSwish}, {Kind: nn.ActMish}}
	convs := []struct {
		name                          string
		n, c, h, w, m, k, s, pad, dil int
		g                             int
	}{
		{"3x3", 2, 3, 9, 8, 5, 3, 1, 1, 1, 1},
		{"1x1", 1, 8, 7, 7, 4, 1, 1, 0, 1, 1},
		{"depthwise s1", 1, 6, 10, 9, 6, 3, 1, 1, 1, 6},
		{"depthwise s2", 2, 5, 11, 10, 5, 3, 2, 1, 1, 5},
		{"grouped s2", 1, 4, 9, 9, 6, 3, 2, 1, 1, 2},
		{"dilated", 1, 2, 9, 9, 3, 3, 1, 2, 2, 1},
		{"5x5 pad 2", 1, 3, 8, 8, 2, 5, 1, 2, 1, 1},
	}
	for _, c := range convs {
		for _, a := range acts {
			t.Run(fmt.Sprintf("conv %s %s", c.name, a.Kind), func(t *testing.T) {
				x, w, b := randT(rng, c.n, c.c, c.h, c.w), randT(rng, c.m, c.c/c.g, c.k, c.k), randT(rng, c.m)
				p := nn.ConvParams{Strides: []int{c.s, c.s}, Dilations: []int{c.dil, c.dil}, Pads: []int{c.pad, c.pad, c.pad, c.pad}, Group: c.g}
				oh := nn.ConvOutSize(c.h, c.k, c.s, c.dil, c.pad, c.pad)
				ow := nn.ConvOutSize(c.w, c.k, c.s, c.dil, c.pad, c.pad)
				want, got := nn.New(c.n, c.m, oh, ow), nn.New(c.n, c.m, oh, ow)
				ref.Conv(want, x, w, b, p, a)
				fast.Conv(got, x, w, b, p, a)
				closeEnough(t, "conv", got, want)
			})
		}
	}
	pools := []struct {
		name string
		p    nn.PoolParams
		h, w int
	}{
		{"2x2/2", nn.PoolParams{Kernel: []int{2, 2}, Strides: []int{2, 2}, Dilations: []int{1, 1}, Pads: []int{0, 0, 0, 0}}, 8, 7},
		{"3x3/1 pad 1", nn.PoolParams{Kernel: []int{3, 3}, Strides: []int{1, 1}, Dilations: []int{1, 1}, Pads: []int{1, 1, 1, 1}}, 6, 6},
		{"5x5/1 pad 2", nn.PoolParams{Kernel: []int{5, 5}, Strides: []int{1, 1}, Dilations: []int{1, 1}, Pads: []int{2, 2, 2, 2}}, 7, 6},
		{"3x3/2 pad 1 incl", nn.PoolParams{Kernel: []int{3, 3}, Strides: []int{2, 2}, Dilations: []int{1, 1}, Pads: []int{1, 1, 1, 1}, CountIncludePad: true}, 9, 8},
		{"dilated (fallback)", nn.PoolParams{Kernel: []int{2, 2}, Strides: []int{1, 1}, Dilations: []int{2, 2}, Pads: []int{0, 0, 0, 0}}, 6, 6},
	}
	for _, c := range pools {
		for _, isMax := range []bool{true, false} {
			t.Run(fmt.Sprintf("pool %s max=%v", c.name, isMax), func(t *testing.T) {
				x := randT(rng, 2, 3, c.h, c.w)
				oh := nn.PoolOutSize(c.h, c.p.Kernel[0], c.p.Strides[0], c.p.Dilations[0], c.p.Pads[0], c.p.Pads[2], false)
				ow := nn.PoolOutSize(c.w, c.p.Kernel[1], c.p.Strides[1], c.p.Dilations[1], c.p.Pads[1], c.p.Pads[3], false)
				want, got := nn.New(2, 3, oh, ow), nn.New(2, 3, oh, ow)
				if isMax {
					ref.MaxPool(want, x, c.p)
					fast.MaxPool(got, x, c.p)
				} else {
					ref.AvgPool(want, x, c.p)
					fast.AvgPool(got, x, c.p)
				}
				closeEnough(t, "pool", got, want)
			})
		}
	}
	resizes := []struct {
		name   string
		p      nn.ResizeParams
		oh, ow int
	}{
		{"nearest x2", nn.ResizeParams{Mode: nn.ResizeNearest, Coord: "asymmetric", Nearest: "floor", Scales: []float32{1, 1, 2, 2}}, 10, 12},
		{"nearest x3x2", nn.ResizeParams{Mode: nn.ResizeNearest, Coord: "asymmetric", Nearest: "floor", Scales: []float32{1, 1, 3, 2}}, 15, 12},
		{"bilinear half pixel x2", nn.ResizeParams{Mode: nn.ResizeLinear, Coord: "half_pixel", Scales: []float32{1, 1, 2, 2}}, 10, 12},
		{"bilinear align corners x2", nn.ResizeParams{Mode: nn.ResizeLinear, Coord: "align_corners", Scales: []float32{1, 1, 2, 2}}, 10, 12},
		{"bilinear down (fallback)", nn.ResizeParams{Mode: nn.ResizeLinear, Coord: "half_pixel", Scales: []float32{1, 1, 0.6, 0.5}}, 3, 3},
	}
	for _, c := range resizes {
		t.Run("resize "+c.name, func(t *testing.T) {
			x := randT(rng, 1, 2, 5, 6)
			want, got := nn.New(1, 2, c.oh, c.ow), nn.New(1, 2, c.oh, c.ow)
			ref.Resize(want, x, c.p)
			fast.Resize(got, x, c.p)
			closeEnough(t, "resize", got, want)
		})
	}
	for _, a := range acts {
		t.Run("activate "+a.Kind.String(), func(t *testing.T) {
			x := randT(rng, 3, 37)
			for k := range x.Data() {
				x.Data()[k] *= 8
			}
			want, got := nn.New(3, 37), nn.New(3, 37)
			ref.Activate(want, x, a)
			fast.Activate(got, x, a)
			closeEnough(t, "activate", got, want)
		})
	}
}

// TestFastShapeOpsMatchReference holds Fast's Pad, Transpose and Softmax
// to the reference, including the cases that fall back.
func TestFastShapeOpsMatchReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	ref, fast := &Backend{}, NewFast()
	pads := []struct {
		name  string
		shape []int
		pads  []int
		mode  nn.PadMode
		value float32
	}{
		{"spatial zero", []int{1, 3, 5, 4}, []int{0, 0, 1, 1, 0, 0, 1, 1}, nn.PadConstant, 0},
		{"asymmetric value", []int{2, 3, 4}, []int{1, 0, 2, 0, 3, 1}, nn.PadConstant, 1.5},
		{"1-d", []int{7}, []int{2, 3}, nn.PadConstant, -1},
		{"no pads", []int{2, 2}, []int{0, 0, 0, 0}, nn.PadConstant, 0},
		{"crop (fallback)", []int{1, 2, 5, 5}, []int{0, 0, -1, 1, 0, 0, 1, -2}, nn.PadConstant, 0},
		{"reflect (fallback)", []int{1, 2, 4, 5}, []int{0, 0, 2, 1, 0, 0, 1, 2}, nn.PadReflect, 0},
		{"edge (fallback)", []int{1, 1, 3, 3}, []int{0, 0, 1, 1, 0, 0, 2, 2}, nn.PadEdge, 0},
	}
	for _, c := range pads {
		t.Run("pad "+c.name, func(t *testing.T) {
			x := randT(rng, c.shape...)
			r := len(c.shape)
			out := make([]int, r)
			for k := range out {
				out[k] = c.shape[k] + c.pads[k] + c.pads[r+k]
			}
			want, got := nn.New(out...), nn.New(out...)
			for k := range got.Data() {
				got.Data()[k] = float32(math.NaN()) // every element must be written
			}
			ref.Pad(want, x, c.pads, c.mode, c.value)
			fast.Pad(got, x, c.pads, c.mode, c.value)
			closeEnough(t, "pad", got, want)
		})
	}
	transposes := []struct {
		name  string
		shape []int
		perm  []int
	}{
		{"channel shuffle", []int{24, 2, 1936}, []int{1, 0, 2}},
		{"nchw to nhwc", []int{1, 80, 22, 22}, []int{0, 2, 3, 1}},
		{"nhwc to nchw", []int{1, 22, 22, 80}, []int{0, 3, 1, 2}},
		{"reverse", []int{3, 4, 5}, []int{2, 1, 0}},
		{"identity", []int{2, 3, 4}, []int{0, 1, 2}},
		{"size-1 axes", []int{1, 3, 1, 4, 2}, []int{4, 2, 0, 1, 3}},
		{"merged pairs", []int{2, 3, 4, 5, 6}, []int{3, 4, 0, 1, 2}},
		{"all ones", []int{1, 1, 1}, []int{2, 0, 1}},
		{"1-d", []int{9}, []int{0}},
	}
	for _, c := range transposes {
		t.Run("transpose "+c.name, func(t *testing.T) {
			x := randT(rng, c.shape...)
			out := make([]int, len(c.perm))
			for k, a := range c.perm {
				out[k] = c.shape[a]
			}
			want, got := nn.New(out...), nn.New(out...)
			ref.Transpose(want, x, c.perm)
			fast.Transpose(got, x, c.perm)
			for k, w := range want.Data() {
				if got.Data()[k] != w {
					t.Fatalf("element %d = %g, reference %g", k, got.Data()[k], w)
				}
			}
		})
	}
	softmaxes := []struct {
		name  string
		shape []int
		axis  int
		log   bool
	}{
		{"last axis", []int{1, 22, 22, 80}, -1, false},
		{"channels", []int{2, 85, 5, 7}, 1, false},
		{"channels, split over threads", []int{2, 80, 22, 22}, 1, false},
		{"first axis", []int{6, 4}, 0, false},
		{"log (fallback)", []int{3, 10}, 1, true},
	}
	for _, c := range softmaxes {
		t.Run("softmax "+c.name, func(t *testing.T) {
			x := randT(rng, c.shape...)
			for k := range x.Data() {
				x.Data()[k] *= 20
			}
			want, got := nn.New(c.shape...), nn.New(c.shape...)
			ref.Softmax(want, x, c.axis, c.log)
			fast.Softmax(got, x, c.axis, c.log)
			closeEnough(t, "softmax", got, want)
		})
	}
}

// TestExpf: expf is within 1e-6 relative error of math.Exp over the range
// it serves, flushes below it, overflows above it and keeps NaN.
func TestExpf(t *testing.T) {
	for _, c := range []struct {
		name   string
		lo, hi float32
	}{{"small", -1, 1}, {"negative", -87, 0}, {"positive", 0, 88.37}} {
		t.Run(c.name, func(t *testing.T) {
			for i := 0; i <= 100000; i++ {
				x := c.lo + (c.hi-c.lo)*float32(i)/100000
				want := math.Exp(float64(x))
				got := float64(expf(x))
				if math.Abs(got-want) > 1e-6*want {
					t.Fatalf("expf(%g) = %g, want %g", x, got, want)
				}
			}
		})
	}
	if v := expf(-100); v != 0 {
		t.Errorf("expf(-100) = %g, want 0", v)
	}
	if v := expf(100); !math.IsInf(float64(v), 1) {
		t.Errorf("expf(100) = %g, want +Inf", v)
	}
	if v := expf(float32(math.NaN())); v == v {
		t.Errorf("expf(NaN) = %g, want NaN", v)
	}
}

// TestFastBandedConv: dense convolutions large enough for the banded
// im2col path (the first layers of the detectors) equal the reference on
// one and two threads, with ragged last bands and bands that read padding.
func TestFastBandedConv(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	ref, fast := &Backend{}, NewFast()
	defer fast.SetThreads(gemm.Threads())
	cases := []struct {
		name                     string
		c, h, w, m, k, s, pt, pb int
	}{
		{"3x3 s2 like the detectors' stems", 3, 150, 150, 8, 3, 2, 1, 1},
		{"3x3 s2 odd size", 3, 181, 117, 5, 3, 2, 1, 1},
		{"5x5 s1 asymmetric pads", 2, 120, 140, 3, 5, 1, 3, 1},
		{"3x3 s1 no pads", 4, 130, 130, 7, 3, 1, 0, 0},
	}
	for _, threads := range []int{1, 2} {
		fast.SetThreads(threads)
		for _, c := range cases {
			for _, a := range []nn.Activation{{}, {Kind: nn.ActLeakyRelu, Alpha: 0.1}} {
				t.Run(fmt.Sprintf("%s threads=%d %s", c.name, threads, a.Kind), func(t *testing.T) {
					x, w, b := randT(rng, 2, c.c, c.h, c.w), randT(rng, c.m, c.c, c.k, c.k), randT(rng, c.m)
					p := nn.ConvParams{Strides: []int{c.s, c.s}, Dilations: []int{1, 1}, Pads: []int{c.pt, c.pt, c.pb, c.pb}, Group: 1}
					s := kernels.ConvShape{C: c.c, H: c.h, W: c.w, M: c.m, KH: c.k, KW: c.k, StrideH: c.s, StrideW: c.s, DilH: 1, DilW: 1,
						PadT: c.pt, PadL: c.pt, PadB: c.pb, PadR: c.pb, Groups: 1}
					if !banded(s) {
						t.Fatalf("%+v does not take the banded path", s)
					}
					oh, ow := s.OutH(), s.OutW()
					want, got := nn.New(2, c.m, oh, ow), nn.New(2, c.m, oh, ow)
					for k := range got.Data() {
						got.Data()[k] = float32(math.NaN())
					}
					ref.Conv(want, x, w, b, p, a)
					fast.Conv(got, x, w, b, p, a)
					closeEnough(t, "conv", got, want)
				})
			}
		}
	}
}

// TestFastConvAdd: pointwise convolutions with a residual (ConvAdd, also
// writing over the residual's own buffer) equal Conv, Add and activation on
// the reference, on 1 and 2 threads; other convolutions are declined.
func TestFastConvAdd(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	ref, fast := &Backend{}, NewFast()
	defer fast.SetThreads(gemm.Threads())
	cases := []struct {
		name       string
		c, h, w, m int
	}{
		{"8 to 24 at 64x64", 8, 64, 64, 24},
		{"ragged band", 5, 61, 67, 17},
	}
	p := nn.ConvParams{Strides: []int{1, 1}, Dilations: []int{1, 1}, Pads: []int{0, 0, 0, 0}, Group: 1}
	for _, threads := range []int{1, 2} {
		fast.SetThreads(threads)
		for _, c := range cases {
			for _, a := range []nn.Activation{{}, {Kind: nn.ActLeakyRelu, Alpha: 0.1}, {Kind: nn.ActSigmoid}} {
				name := fmt.Sprintf("%s threads=%d %s", c.name, threads, a.Kind)
				x, w, b := randT(rng, 2, c.c, c.h, c.w), randT(rng, c.m, c.c, 1, 1), randT(rng, c.m)
				r := randT(rng, 2, c.m, c.h, c.w)
				t.Run("conv "+name, func(t *testing.T) {
					want, got := nn.New(2, c.m, c.h, c.w), nn.New(2, c.m, c.h, c.w)
					ref.Conv(want, x, w, b, p, a)
					fast.Conv(got, x, w, b, p, a)
					closeEnough(t, "conv", got, want)
				})
				want := nn.New(2, c.m, c.h, c.w)
				ref.Conv(want, x, w, b, p, nn.Activation{})
				ref.Binary(want, want, r, nn.OpAdd)
				ref.Activate(want, want, a)
				t.Run("conv+add "+name, func(t *testing.T) {
					got := nn.New(2, c.m, c.h, c.w)
					if !fast.ConvAdd(got, x, w, b, r, p, a) {
						t.Fatal("ConvAdd declined a pointwise convolution")
					}
					closeEnough(t, "conv+add", got, want)
				})
				t.Run("conv+add in place "+name, func(t *testing.T) {
					got := r.Clone()
					if !fast.ConvAdd(got, x, w, b, got, p, a) {
						t.Fatal("ConvAdd declined a pointwise convolution")
					}
					closeEnough(t, "conv+add in place", got, want)
				})
			}
		}
	}
	t.Run("ConvAdd declines 3x3", func(t *testing.T) {
		x, w, r := randT(rng, 1, 2, 5, 5), randT(rng, 3, 2, 3, 3), randT(rng, 1, 3, 5, 5)
		q := nn.ConvParams{Strides: []int{1, 1}, Dilations: []int{1, 1}, Pads: []int{1, 1, 1, 1}, Group: 1}
		if fast.ConvAdd(nn.New(1, 3, 5, 5), x, w, nil, r, q, nn.Activation{}) {
			t.Fatal("ConvAdd took a 3x3 convolution")
		}
	})
}
