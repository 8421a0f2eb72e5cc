package nn

import "fmt"

// ConvOutSize is the output length of one spatial axis of a convolution.
func ConvOutSize(in, k, stride, dil, padBegin, padEnd int) int {
	return (in+padBegin+padEnd-dil*(k-1)-1)/stride + 1
}

// PoolOutSize is the output length of one spatial axis of a pooling window;
// ceil selects ONNX ceil_mode, where a last window that would start inside
// the end padding is dropped.
func PoolOutSize(in, k, stride, dil, padBegin, padEnd int, ceil bool) int {
	span := in + padBegin + padEnd - dil*(k-1) - 1
	if !ceil {
		return span/stride + 1
	}
	out := (span+stride-1)/stride + 1
	if (out-1)*stride >= in+padBegin {
		out--
	}
	return out
}

// BroadcastShape returns the NumPy broadcast of a and b appended to dst, or
// an error naming both shapes.
func BroadcastShape(dst, a, b []int) ([]int, error) {
	r := len(a)
	if len(b) > r {
		r = len(b)
	}
	dst = dst[:0]
	for k := 0; k < r; k++ {
		da, db := 1, 1
		if i := k - (r - len(a)); i >= 0 {
			da = a[i]
		}
		if i := k - (r - len(b)); i >= 0 {
			db = b[i]
		}
		switch {
		case da == db, db == 1:
			dst = append(dst, da)
		case da == 1:
			dst = append(dst, db)
		default:
			return dst, fmt.Errorf("nn: shapes %v and %v do not broadcast", a, b)
		}
	}
	return dst, nil
}

// ForBroadcast calls f(outIndex, aIndex, bIndex) for every element of the
// broadcast of shapes a and b (out is their broadcast shape, at most 8 dimensions): the
// index walk every broadcasting op shares.
func ForBroadcast(out, a, b []int, f func(k, i, j int)) {
	r := len(out)
	var sa, sb, idx [8]int
	s := 1
	for k := len(a) - 1; k >= 0; k-- {
		if a[k] != 1 {
			sa[r-len(a)+k] = s
		}
		s *= a[k]
	}
	s = 1
	for k := len(b) - 1; k >= 0; k-- {
		if b[k] != 1 {
			sb[r-len(b)+k] = s
		}
		s *= b[k]
	}
	n := Numel(out)
	for k := 0; k < n; k++ {
		i, j := 0, 0
		for q := 0; q < r; q++ {
			i += idx[q] * sa[q]
			j += idx[q] * sb[q]
		}
		f(k, i, j)
		for q := r - 1; q >= 0; q-- {
			idx[q]++
			if idx[q] < out[q] {
				break
			}
			idx[q] = 0
		}
	}
}
