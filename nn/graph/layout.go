package graph

import (
	"fmt"

	"github.com/avstack/avstack/nn"
)

// stridedCopy copies a strided view of src (offset so, strides ss) into a
// strided region of dst (offset do, strides ds); both have the given shape.
// Negative and zero strides are allowed (reversed slices, broadcasting).
func stridedCopy[T any](dst []T, do int, ds []int, src []T, so int, ss []int, shape []int) {
	r := len(shape)
	n := 1
	for _, d := range shape {
		n *= d
	}
	if n == 0 {
		return
	}
	if r == 0 {
		dst[do] = src[so]
		return
	}
	var idx [8]int
	inner := shape[r-1]
	di, si := ds[r-1], ss[r-1]
	for c := 0; c < n; c += inner {
		pd, ps := do, so
		for k := 0; k < r-1; k++ {
			pd += idx[k] * ds[k]
			ps += idx[k] * ss[k]
		}
		if di == 1 && si == 1 {
			copy(dst[pd:pd+inner], src[ps:ps+inner])
		} else {
			for j := 0; j < inner; j++ {
				dst[pd+j*di] = src[ps+j*si]
			}
		}
		for k := r - 2; k >= 0; k-- {
			idx[k]++
			if idx[k] < shape[k] {
				break
			}
			idx[k] = 0
		}
	}
}

// copyView copies a view of src into a region of dst; both contiguous tensors
// of the same dtype.
func copyView(dst *nn.Tensor, do int, ds []int, src *nn.Tensor, so int, ss []int, shape []int) {
	if len(shape) > 8 {
		panic("graph: rank above 8")
	}
	if dst.DType() == nn.Int64 {
		stridedCopy(dst.Int64s(), do, ds, src.Int64s(), so, ss, shape)
	} else {
		stridedCopy(dst.Data(), do, ds, src.Data(), so, ss, shape)
	}
}

// stridesOf writes the contiguous strides of shape into dst.
func stridesOf(dst []int, shape []int) []int {
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

// like resizes out to shape with the dtype of t.
func like(out, t *nn.Tensor, shape []int) {
	out.SetDType(t.DType())
	out.Resize(shape...)
}

// readInts appends the values of an int64 (or float) tensor to dst.
func readInts(dst []int, t *nn.Tensor) []int {
	dst = dst[:0]
	if t == nil {
		return dst
	}
	if t.DType() == nn.Int64 {
		for _, v := range t.Int64s() {
			dst = append(dst, int(v))
		}
	} else {
		for _, v := range t.Data() {
			dst = append(dst, int(v))
		}
	}
	return dst
}

func readFloats(dst []float32, t *nn.Tensor) []float32 {
	dst = dst[:0]
	if t == nil {
		return dst
	}
	if t.DType() == nn.Int64 {
		for _, v := range t.Int64s() {
			dst = append(dst, float32(v))
		}
	} else {
		dst = append(dst, t.Data()...)
	}
	return dst
}

func normAxis(a, r int) (int, error) {
	if a < -r || a >= r {
		return 0, fmt.Errorf("axis %d out of range for rank %d", a, r)
	}
	if a < 0 {
		a += r
	}
	return a, nil
}

// scalarAt reads element i of t as float64 (both dtypes).
func scalarAt(t *nn.Tensor, i int) float64 {
	if t.DType() == nn.Int64 {
		return float64(t.Int64s()[i])
	}
	return float64(t.Data()[i])
}
