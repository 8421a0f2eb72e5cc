package nn

import (
	"fmt"
	"strings"
)

// DType is the element type of a Tensor.
type DType uint8

const (
	// Float32 is the default element type; all arithmetic ops work on it.
	Float32 DType = iota
	// Int64 holds shapes, indices and booleans (0/1).
	Int64
)

func (d DType) String() string {
	if d == Int64 {
		return "int64"
	}
	return "float32"
}

// Tensor is an n-dimensional array of float32 (or, for shapes and indices,
// int64). It has a shape, strides (in elements) and an offset into its
// storage, so reshape, slice and transpose can be views.
type Tensor struct {
	dtype   DType
	shape   []int
	strides []int
	offset  int
	f       []float32
	i       []int64
}

// Numel returns the number of elements of shape.
func Numel(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

func contiguousStrides(dst, shape []int) []int {
	dst = dst[:0]
	for range shape {
		dst = append(dst, 0)
	}
	s := 1
	for k := len(shape) - 1; k >= 0; k-- {
		dst[k] = s
		s *= shape[k]
	}
	return dst
}

func checkShape(shape []int) {
	for _, d := range shape {
		if d < 0 {
			badShape(append([]int(nil), shape...))
		}
	}
}

// badShape panics; it takes a copy so that shape slices passed to Resize
// do not escape to the heap.
func badShape(s []int) {
	panic(fmt.Sprintf("nn: negative dimension in shape %v", s))
}

// New returns a zero-filled contiguous float32 tensor.
func New(shape ...int) *Tensor {
	checkShape(shape)
	s := append([]int(nil), shape...)
	return &Tensor{shape: s, strides: contiguousStrides(nil, s), f: make([]float32, Numel(s))}
}

// FromSlice wraps data (no copy) as a contiguous tensor of the given shape.
// It panics if len(data) does not equal the number of elements.
func FromSlice(data []float32, shape ...int) *Tensor {
	checkShape(shape)
	if Numel(shape) != len(data) {
		panic(fmt.Sprintf("nn: FromSlice: %d values for shape %v", len(data), shape))
	}
	s := append([]int(nil), shape...)
	return &Tensor{shape: s, strides: contiguousStrides(nil, s), f: data}
}

// NewInt64 returns a zero-filled contiguous int64 tensor.
func NewInt64(shape ...int) *Tensor {
	checkShape(shape)
	s := append([]int(nil), shape...)
	return &Tensor{dtype: Int64, shape: s, strides: contiguousStrides(nil, s), i: make([]int64, Numel(s))}
}

// FromInt64s wraps data (no copy) as a contiguous int64 tensor.
func FromInt64s(data []int64, shape ...int) *Tensor {
	checkShape(shape)
	if Numel(shape) != len(data) {
		panic(fmt.Sprintf("nn: FromInt64s: %d values for shape %v", len(data), shape))
	}
	s := append([]int(nil), shape...)
	return &Tensor{dtype: Int64, shape: s, strides: contiguousStrides(nil, s), i: data}
}

// DType returns the element type.
func (t *Tensor) DType() DType { return t.dtype }

// Shape returns the shape. The slice is the tensor's own: do not modify it.
func (t *Tensor) Shape() []int { return t.shape }

// Strides returns the strides in elements. Do not modify the slice.
func (t *Tensor) Strides() []int { return t.strides }

// Rank returns the number of dimensions.
func (t *Tensor) Rank() int { return len(t.shape) }

// Dim returns dimension k; negative k counts from the end.
func (t *Tensor) Dim(k int) int {
	if k < 0 {
		k += len(t.shape)
	}
	return t.shape[k]
}

// Len returns the number of elements.
func (t *Tensor) Len() int { return Numel(t.shape) }

// IsContiguous reports whether the elements are laid out row-major without gaps.
func (t *Tensor) IsContiguous() bool {
	s := 1
	for k := len(t.shape) - 1; k >= 0; k-- {
		if t.shape[k] != 1 && t.strides[k] != s {
			return false
		}
		s *= t.shape[k]
	}
	return true
}

// Data returns the float32 elements of a contiguous tensor, aliasing its
// storage. It panics for a non-contiguous view or an int64 tensor; call
// Contiguous first to get a packed copy.
func (t *Tensor) Data() []float32 {
	if t.dtype != Float32 {
		panic("nn: Data on an int64 tensor")
	}
	if !t.IsContiguous() {
		panic("nn: Data on a non-contiguous view; call Contiguous first")
	}
	n := t.Len()
	return t.f[t.offset : t.offset+n : t.offset+n]
}

// Int64s returns the int64 elements of a contiguous int64 tensor.
func (t *Tensor) Int64s() []int64 {
	if t.dtype != Int64 {
		panic("nn: Int64s on a float32 tensor")
	}
	if !t.IsContiguous() {
		panic("nn: Int64s on a non-contiguous view; call Contiguous first")
	}
	n := t.Len()
	return t.i[t.offset : t.offset+n : t.offset+n]
}

// Resize makes t a contiguous tensor of the given shape, reusing its storage
// when the capacity is enough (the contents are then unspecified) and
// allocating otherwise. It is how planned buffers are reused without
// allocation. Views of t made before see stale data afterwards.
func (t *Tensor) Resize(shape ...int) {
	checkShape(shape)
	n := Numel(shape)
	t.shape = append(t.shape[:0], shape...)
	t.strides = contiguousStrides(t.strides, t.shape)
	t.offset = 0
	if t.dtype == Float32 {
		if cap(t.f) < n {
			t.f = make([]float32, n)
		}
		t.f = t.f[:n]
	} else {
		if cap(t.i) < n {
			t.i = make([]int64, n)
		}
		t.i = t.i[:n]
	}
}

// Wrap makes t a contiguous float32 tensor over data with the given shape,
// reusing t's own shape and stride slices: a view that costs no allocation
// once t has held a shape of that rank. It panics if the sizes differ.
func (t *Tensor) Wrap(data []float32, shape ...int) {
	if Numel(shape) != len(data) {
		wrapMismatch(len(data), append([]int(nil), shape...))
	}
	t.dtype = Float32
	t.shape = append(t.shape[:0], shape...)
	t.strides = contiguousStrides(t.strides, t.shape)
	t.offset = 0
	t.f = data
}

func wrapMismatch(n int, s []int) {
	panic(fmt.Sprintf("nn: Wrap: %d values for shape %v", n, s))
}

// SetDType changes the element type of a buffer before a Resize (the contents
// are lost). Used by the graph planner for buffers whose type is known only at
// run time.
func (t *Tensor) SetDType(d DType) { t.dtype = d }

// At returns the element at the given index (float32 tensors; int64 values are converted).
func (t *Tensor) At(idx ...int) float32 {
	o := t.offset
	for k, v := range idx {
		o += v * t.strides[k]
	}
	if t.dtype == Int64 {
		return float32(t.i[o])
	}
	return t.f[o]
}

// Set sets the element at the given index of a float32 tensor.
func (t *Tensor) Set(v float32, idx ...int) {
	o := t.offset
	for k, x := range idx {
		o += x * t.strides[k]
	}
	t.f[o] = v
}

// Reshape returns a view with a new shape; one dimension may be -1. The
// tensor must be contiguous.
func (t *Tensor) Reshape(shape ...int) *Tensor {
	if !t.IsContiguous() {
		panic("nn: Reshape of a non-contiguous view; call Contiguous first")
	}
	s := append([]int(nil), shape...)
	neg, known := -1, 1
	for k, d := range s {
		if d == -1 {
			if neg >= 0 {
				panic("nn: Reshape with two -1 dimensions")
			}
			neg = k
		} else {
			known *= d
		}
	}
	if neg >= 0 {
		if known == 0 {
			panic("nn: Reshape -1 with zero-size dimension")
		}
		s[neg] = t.Len() / known
	}
	if Numel(s) != t.Len() {
		panic(fmt.Sprintf("nn: Reshape %v to %v", t.shape, shape))
	}
	return &Tensor{dtype: t.dtype, shape: s, strides: contiguousStrides(nil, s), offset: t.offset, f: t.f, i: t.i}
}

// Transpose returns a view with the axes permuted (perm[k] is the source axis
// of output axis k). No perm reverses the axes.
func (t *Tensor) Transpose(perm ...int) *Tensor {
	r := len(t.shape)
	if len(perm) == 0 {
		perm = make([]int, r)
		for k := range perm {
			perm[k] = r - 1 - k
		}
	}
	if len(perm) != r {
		panic(fmt.Sprintf("nn: Transpose perm %v for rank %d", perm, r))
	}
	s := make([]int, r)
	st := make([]int, r)
	for k, p := range perm {
		s[k] = t.shape[p]
		st[k] = t.strides[p]
	}
	return &Tensor{dtype: t.dtype, shape: s, strides: st, offset: t.offset, f: t.f, i: t.i}
}

// Slice returns a view of t restricted to [start, end) along axis.
func (t *Tensor) Slice(axis, start, end int) *Tensor {
	if axis < 0 {
		axis += len(t.shape)
	}
	if start < 0 || end > t.shape[axis] || start > end {
		panic(fmt.Sprintf("nn: Slice [%d,%d) of axis %d size %d", start, end, axis, t.shape[axis]))
	}
	s := append([]int(nil), t.shape...)
	st := append([]int(nil), t.strides...)
	s[axis] = end - start
	return &Tensor{dtype: t.dtype, shape: s, strides: st, offset: t.offset + start*t.strides[axis], f: t.f, i: t.i}
}

// Contiguous returns t if it is contiguous, else a packed copy.
func (t *Tensor) Contiguous() *Tensor {
	if t.IsContiguous() {
		return t
	}
	return t.Clone()
}

// Clone returns a packed copy with its own storage.
func (t *Tensor) Clone() *Tensor {
	var c *Tensor
	if t.dtype == Int64 {
		c = NewInt64(t.shape...)
	} else {
		c = New(t.shape...)
	}
	n := t.Len()
	if n == 0 {
		return c
	}
	idx := make([]int, len(t.shape))
	for j := 0; j < n; j++ {
		o := t.offset
		for k, v := range idx {
			o += v * t.strides[k]
		}
		if t.dtype == Int64 {
			c.i[j] = t.i[o]
		} else {
			c.f[j] = t.f[o]
		}
		for k := len(idx) - 1; k >= 0; k-- {
			idx[k]++
			if idx[k] < t.shape[k] {
				break
			}
			idx[k] = 0
		}
	}
	return c
}

// CopyFrom copies src (same number of elements, any layout) into t, which must be contiguous.
func (t *Tensor) CopyFrom(src *Tensor) {
	if src.Len() != t.Len() {
		panic(fmt.Sprintf("nn: CopyFrom %v into %v", src.shape, t.shape))
	}
	if src.IsContiguous() && src.dtype == t.dtype {
		if t.dtype == Int64 {
			copy(t.Int64s(), src.Int64s())
		} else {
			copy(t.Data(), src.Data())
		}
		return
	}
	c := src.Clone()
	t.CopyFrom(c)
}

// Fill sets every element of a contiguous float32 tensor to v.
func (t *Tensor) Fill(v float32) {
	d := t.Data()
	for k := range d {
		d[k] = v
	}
}

// String prints the shape and up to 8 values.
func (t *Tensor) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Tensor%v(%s)[", t.shape, t.dtype)
	c := t.Contiguous()
	n := c.Len()
	for k := 0; k < n && k < 8; k++ {
		if k > 0 {
			b.WriteByte(' ')
		}
		if c.dtype == Int64 {
			fmt.Fprint(&b, c.i[c.offset+k])
		} else {
			fmt.Fprint(&b, c.f[c.offset+k])
		}
	}
	if n > 8 {
		b.WriteString(" ...")
	}
	b.WriteByte(']')
	return b.String()
}

// SameShape reports whether two shapes are equal.
func SameShape(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if a[k] != b[k] {
			return false
		}
	}
	return true
}
