package nn

import (
	"strings"
	"testing"
)

func TestViews(t *testing.T) {
	x := FromSlice([]float32{1, 2, 3, 4, 5, 6}, 2, 3)
	cases := []struct {
		name       string
		v          *Tensor
		shape      []int
		contiguous bool
		want       []float32
	}{
		{"reshape", x.Reshape(3, -1), []int{3, 2}, true, []float32{1, 2, 3, 4, 5, 6}},
		{"transpose", x.Transpose(), []int{3, 2}, false, []float32{1, 4, 2, 5, 3, 6}},
		{"slice rows", x.Slice(0, 1, 2), []int{1, 3}, true, []float32{4, 5, 6}},
		{"slice columns", x.Slice(1, 1, 3), []int{2, 2}, false, []float32{2, 3, 5, 6}},
		{"slice of transpose", x.Transpose(1, 0).Slice(0, 2, 3), []int{1, 2}, false, []float32{3, 6}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if !SameShape(c.v.Shape(), c.shape) {
				t.Fatalf("shape %v, want %v", c.v.Shape(), c.shape)
			}
			if c.v.IsContiguous() != c.contiguous {
				t.Fatalf("contiguous %v, want %v", c.v.IsContiguous(), c.contiguous)
			}
			got := c.v.Contiguous().Data()
			for k, w := range c.want {
				if got[k] != w {
					t.Fatalf("element %d = %g, want %g", k, got[k], w)
				}
			}
		})
	}
	// views share storage
	x.Reshape(6).Data()[0] = 10
	if x.At(0, 0) != 10 {
		t.Error("reshape view does not share storage")
	}
	func() {
		defer func() {
			if r := recover(); r == nil || !strings.Contains(r.(string), "non-contiguous") {
				t.Errorf("Data on a transposed view: recover %v", r)
			}
		}()
		x.Transpose().Data()
	}()
}

func TestResizeReusesStorage(t *testing.T) {
	x := New(4, 4)
	p := &x.Data()[0]
	x.Resize(2, 3)
	if &x.Data()[0] != p || !SameShape(x.Shape(), []int{2, 3}) {
		t.Fatal("Resize to a smaller size reallocated or kept the old shape")
	}
	if a := testing.AllocsPerRun(10, func() { x.Resize(4, 2, 2); x.Resize(3, 5) }); a != 0 {
		t.Errorf("Resize within capacity allocates %.0f times", a)
	}
	x.Resize(10, 10)
	if x.Len() != 100 {
		t.Fatal("Resize to a larger size")
	}
	i := NewInt64(3)
	i.Resize(2)
	if i.DType() != Int64 || len(i.Int64s()) != 2 {
		t.Fatal("int64 Resize")
	}
}

func TestShapeHelpers(t *testing.T) {
	cases := []struct {
		a, b, want []int
		err        bool
	}{
		{[]int{2, 3}, []int{3}, []int{2, 3}, false},
		{[]int{2, 1, 4}, []int{3, 1}, []int{2, 3, 4}, false},
		{[]int{}, []int{5}, []int{5}, false},
		{[]int{2, 3}, []int{2}, nil, true},
	}
	for _, c := range cases {
		got, err := BroadcastShape(nil, c.a, c.b)
		if (err != nil) != c.err || (!c.err && !SameShape(got, c.want)) {
			t.Errorf("BroadcastShape(%v, %v) = %v, %v; want %v (error %v)", c.a, c.b, got, err, c.want, c.err)
		}
	}
	sizes := []struct {
		name      string
		got, want int
	}{
		{"conv same", ConvOutSize(7, 3, 1, 1, 1, 1), 7},
		{"conv stride 2", ConvOutSize(7, 3, 2, 1, 1, 1), 4},
		{"conv dilated", ConvOutSize(9, 3, 1, 2, 0, 0), 5},
		{"pool floor", PoolOutSize(5, 2, 2, 1, 0, 0, false), 2},
		{"pool ceil", PoolOutSize(5, 2, 2, 1, 0, 0, true), 3},
		{"pool ceil drops a window in the pad", PoolOutSize(3, 2, 2, 1, 1, 1, true), 2},
	}
	for _, s := range sizes {
		if s.got != s.want {
			t.Errorf("%s: %d, want %d", s.name, s.got, s.want)
		}
	}
}
