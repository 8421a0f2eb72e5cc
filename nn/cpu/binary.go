package cpu

import (
	"fmt"
	"math"

	"github.com/avstack/avstack/nn"
)

func binop(op nn.BinaryOp, a, b float32) float32 {
	switch op {
	case nn.OpAdd:
		return a + b
	case nn.OpSub:
		return a - b
	case nn.OpMul:
		return a * b
	case nn.OpDiv:
		return a / b
	case nn.OpPow:
		return float32(math.Pow(float64(a), float64(b)))
	case nn.OpMax:
		if a > b || a != a {
			return a
		}
		return b
	case nn.OpMin:
		if a < b || a != a {
			return a
		}
		return b
	}
	panic(fmt.Sprintf("cpu: unknown binary op %d", op))
}

// broadcastStrides returns, for each axis of out, the stride of t along it
// (0 where t is broadcast), in a fixed array of rank up to 8.
func broadcastStrides(t *nn.Tensor, out []int) (s [8]int) {
	sh := t.Shape()
	st := t.Strides()
	off := len(out) - len(sh)
	for k := range sh {
		if sh[k] != 1 {
			s[off+k] = st[k]
		}
	}
	return s
}

// Binary computes dst = a op b with NumPy broadcasting; dst has the
// broadcast shape and may alias a or b when they have that shape.
func (*Backend) Binary(dst, a, b *nn.Tensor, op nn.BinaryOp) {
	dd := dst.Data()
	if len(dd) == 0 {
		return
	}
	ad, bd := a.Data(), b.Data()
	switch {
	case len(ad) == len(dd) && len(bd) == len(dd) && nn.SameShape(a.Shape(), b.Shape()):
		switch op {
		case nn.OpAdd:
			for k := range dd {
				dd[k] = ad[k] + bd[k]
			}
		case nn.OpMul:
			for k := range dd {
				dd[k] = ad[k] * bd[k]
			}
		default:
			for k := range dd {
				dd[k] = binop(op, ad[k], bd[k])
			}
		}
		return
	case len(bd) == 1 && len(ad) == len(dd):
		v := bd[0]
		for k := range dd {
			dd[k] = binop(op, ad[k], v)
		}
		return
	case len(ad) == 1 && len(bd) == len(dd):
		v := ad[0]
		for k := range dd {
			dd[k] = binop(op, v, bd[k])
		}
		return
	}
	out := dst.Shape()
	r := len(out)
	if r > 8 {
		panic("cpu: Binary rank above 8")
	}
	sa := broadcastStrides(a, out)
	sb := broadcastStrides(b, out)
	var idx [8]int
	inner := out[r-1]
	ia, ib := sa[r-1], sb[r-1]
	for o := 0; o < len(dd); o += inner {
		pa, pb := 0, 0
		for k := 0; k < r-1; k++ {
			pa += idx[k] * sa[k]
			pb += idx[k] * sb[k]
		}
		row := dd[o : o+inner]
		for j := range row {
			row[j] = binop(op, ad[pa+j*ia], bd[pb+j*ib])
		}
		for k := r - 2; k >= 0; k-- {
			idx[k]++
			if idx[k] < out[k] {
				break
			}
			idx[k] = 0
		}
	}
}

// ReduceToShape sums g (of the broadcast shape) into dst, whose shape
// broadcasts to g's: the gradient of broadcasting. dst is accumulated into.
func ReduceToShape(dst, g *nn.Tensor) {
	gd, dd := g.Data(), dst.Data()
	if len(gd) == len(dd) {
		for k := range dd {
			dd[k] += gd[k]
		}
		return
	}
	out := g.Shape()
	r := len(out)
	s := broadcastStrides(dst, out)
	var idx [8]int
	for o := range gd {
		p := 0
		for k := 0; k < r; k++ {
			p += idx[k] * s[k]
		}
		dd[p] += gd[o]
		for k := r - 1; k >= 0; k-- {
			idx[k]++
			if idx[k] < out[k] {
				break
			}
			idx[k] = 0
		}
	}
}
