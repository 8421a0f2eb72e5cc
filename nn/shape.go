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
