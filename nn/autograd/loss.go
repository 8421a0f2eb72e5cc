package autograd

import (
	"fmt"
	"math"

	"github.com/avstack/avstack/nn"
)

// MSE is the mean of (pred-target)^2.
func (tp *Tape) MSE(pred, target *Var) *Var {
	d := tp.Sub(pred, target)
	return tp.Mean(tp.Mul(d, d))
}

// SmoothL1 is the mean Huber loss with transition beta: 0.5 d^2/beta when
// |d| < beta, else |d| - 0.5 beta.
func (tp *Tape) SmoothL1(pred, target *Var, beta float32) *Var {
	pd, td := pred.Value.Data(), target.Value.Data()
	if len(pd) != len(td) {
		panic(fmt.Sprintf("autograd: SmoothL1 %v vs %v", pred.Shape(), target.Shape()))
	}
	var s float64
	for k := range pd {
		d := float64(pd[k] - td[k])
		if math.Abs(d) < float64(beta) {
			s += 0.5 * d * d / float64(beta)
		} else {
			s += math.Abs(d) - 0.5*float64(beta)
		}
	}
	n := float32(len(pd))
	v := tp.out(nn.FromSlice([]float32{float32(s) / n}), pred, target)
	tp.record(v, func() {
		g := v.Grad.Data()[0] / n
		for k := range pd {
			d := pd[k] - td[k]
			var q float32
			switch {
			case d < -beta:
				q = -1
			case d > beta:
				q = 1
			default:
				q = d / beta
			}
			if pred.needs {
				grad(pred).Data()[k] += g * q
			}
			if target.needs {
				grad(target).Data()[k] -= g * q
			}
		}
	})
	return v
}

// BCEWithLogits is the mean binary cross entropy of sigmoid(logits) against
// targets in [0, 1], computed stably from the logits.
func (tp *Tape) BCEWithLogits(logits, targets *Var) *Var {
	xd, td := logits.Value.Data(), targets.Value.Data()
	if len(xd) != len(td) {
		panic(fmt.Sprintf("autograd: BCEWithLogits %v vs %v", logits.Shape(), targets.Shape()))
	}
	var s float64
	for k := range xd {
		x, t := float64(xd[k]), float64(td[k])
		s += math.Max(x, 0) - x*t + math.Log1p(math.Exp(-math.Abs(x)))
	}
	n := float32(len(xd))
	v := tp.out(nn.FromSlice([]float32{float32(s) / n}), logits)
	tp.record(v, func() {
		g := v.Grad.Data()[0] / n
		gx := grad(logits).Data()
		for k := range xd {
			sg := 1 / (1 + math.Exp(-float64(xd[k])))
			gx[k] += g * float32(sg-float64(td[k]))
		}
	})
	return v
}

// CrossEntropy is the mean multi-class cross entropy of softmax(logits
// [N, C]) against class labels.
func (tp *Tape) CrossEntropy(logits *Var, labels []int) *Var {
	s := logits.Shape()
	if len(s) != 2 || s[0] != len(labels) {
		panic(fmt.Sprintf("autograd: CrossEntropy logits %v for %d labels", s, len(labels)))
	}
	n, c := s[0], s[1]
	lp := nn.New(n, c)
	tp.be.Softmax(lp, logits.Value, 1, true)
	var sum float64
	for i, l := range labels {
		if l < 0 || l >= c {
			panic(fmt.Sprintf("autograd: label %d outside %d classes", l, c))
		}
		sum -= float64(lp.Data()[i*c+l])
	}
	v := tp.out(nn.FromSlice([]float32{float32(sum / float64(n))}), logits)
	tp.record(v, func() {
		g := v.Grad.Data()[0] / float32(n)
		gx, ld := grad(logits).Data(), lp.Data()
		for i, l := range labels {
			for j := 0; j < c; j++ {
				p := float32(math.Exp(float64(ld[i*c+j])))
				if j == l {
					p--
				}
				gx[i*c+j] += g * p
			}
		}
	})
	return v
}

// boxParts splits boxes [N, 4] (x1, y1, x2, y2) into four [N, 1] columns.
func (tp *Tape) boxParts(b *Var) (x1, y1, x2, y2 *Var) {
	p := tp.Split(b, 1, 1, 1, 1, 1)
	return p[0], p[1], p[2], p[3]
}

// IoUGIoU returns the per-box IoU and GIoU [N, 1] of pred and target
// boxes [N, 4] given as (x1, y1, x2, y2) with x2 >= x1 and y2 >= y1.
func (tp *Tape) IoUGIoU(pred, target *Var) (iou, giou *Var) {
	px1, py1, px2, py2 := tp.boxParts(pred)
	tx1, ty1, tx2, ty2 := tp.boxParts(target)
	zero := Const(nn.FromSlice([]float32{0}))
	eps := Const(nn.FromSlice([]float32{1e-7}))
	iw := tp.Max(tp.Sub(tp.Min(px2, tx2), tp.Max(px1, tx1)), zero)
	ih := tp.Max(tp.Sub(tp.Min(py2, ty2), tp.Max(py1, ty1)), zero)
	inter := tp.Mul(iw, ih)
	ap := tp.Mul(tp.Sub(px2, px1), tp.Sub(py2, py1))
	at := tp.Mul(tp.Sub(tx2, tx1), tp.Sub(ty2, ty1))
	union := tp.Add(tp.Sub(tp.Add(ap, at), inter), eps)
	iou = tp.Div(inter, union)
	cw := tp.Sub(tp.Max(px2, tx2), tp.Min(px1, tx1))
	ch := tp.Sub(tp.Max(py2, ty2), tp.Min(py1, ty1))
	hull := tp.Add(tp.Mul(cw, ch), eps)
	giou = tp.Sub(iou, tp.Div(tp.Sub(hull, union), hull))
	return iou, giou
}

// GIoULoss is the mean of 1 - GIoU over the boxes.
func (tp *Tape) GIoULoss(pred, target *Var) *Var {
	_, g := tp.IoUGIoU(pred, target)
	one := Const(nn.FromSlice([]float32{1}))
	return tp.Mean(tp.Sub(one, g))
}

// IoULoss is the mean of 1 - IoU over the boxes.
func (tp *Tape) IoULoss(pred, target *Var) *Var {
	i, _ := tp.IoUGIoU(pred, target)
	one := Const(nn.FromSlice([]float32{1}))
	return tp.Mean(tp.Sub(one, i))
}
