package optim

import (
	"math"

	"github.com/avstack/avstack/nn/autograd"
)

// Optimizer updates parameters from their gradients and zeroes the gradients.
type Optimizer interface {
	Step(params []*autograd.Var)
}

// SGD is stochastic gradient descent with optional momentum and (L2,
// coupled) weight decay: g' = g + wd*p; v = mu*v + g'; p -= lr*v.
type SGD struct {
	LR, Momentum, WeightDecay float32
	vel                       map[*autograd.Var][]float32
}

// NewSGD returns SGD with the given learning rate and momentum.
func NewSGD(lr, momentum, weightDecay float32) *SGD {
	return &SGD{LR: lr, Momentum: momentum, WeightDecay: weightDecay, vel: map[*autograd.Var][]float32{}}
}

// Step applies one update.
func (o *SGD) Step(params []*autograd.Var) {
	for _, p := range params {
		if p.Grad == nil {
			continue
		}
		w, g := p.Value.Data(), p.Grad.Data()
		v := o.vel[p]
		if v == nil && o.Momentum != 0 {
			v = make([]float32, len(w))
			o.vel[p] = v
		}
		for k := range w {
			d := g[k] + o.WeightDecay*w[k]
			if o.Momentum != 0 {
				v[k] = o.Momentum*v[k] + d
				d = v[k]
			}
			w[k] -= o.LR * d
		}
		p.Grad.Fill(0)
	}
}

// Adam is Kingma and Ba's optimizer; with Decoupled it is AdamW
// (Loshchilov and Hutter: p -= lr*wd*p apart from the adaptive step),
// otherwise WeightDecay is added to the gradient (L2).
type Adam struct {
	LR, Beta1, Beta2, Eps, WeightDecay float32
	Decoupled                          bool
	t                                  int
	m, v                               map[*autograd.Var][]float32
}

// NewAdam returns Adam with betas 0.9, 0.999 and eps 1e-8.
func NewAdam(lr float32) *Adam {
	return &Adam{LR: lr, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, m: map[*autograd.Var][]float32{}, v: map[*autograd.Var][]float32{}}
}

// NewAdamW returns AdamW with decoupled weight decay.
func NewAdamW(lr, weightDecay float32) *Adam {
	a := NewAdam(lr)
	a.WeightDecay = weightDecay
	a.Decoupled = true
	return a
}

// Step applies one update.
func (o *Adam) Step(params []*autograd.Var) {
	o.t++
	c1 := 1 - math.Pow(float64(o.Beta1), float64(o.t))
	c2 := 1 - math.Pow(float64(o.Beta2), float64(o.t))
	for _, p := range params {
		if p.Grad == nil {
			continue
		}
		w, g := p.Value.Data(), p.Grad.Data()
		m, v := o.m[p], o.v[p]
		if m == nil {
			m, v = make([]float32, len(w)), make([]float32, len(w))
			o.m[p], o.v[p] = m, v
		}
		for k := range w {
			gk := g[k]
			if !o.Decoupled {
				gk += o.WeightDecay * w[k]
			}
			m[k] = o.Beta1*m[k] + (1-o.Beta1)*gk
			v[k] = o.Beta2*v[k] + (1-o.Beta2)*gk*gk
			mh := float64(m[k]) / c1
			vh := float64(v[k]) / c2
			if o.Decoupled {
				w[k] -= o.LR * o.WeightDecay * w[k]
			}
			w[k] -= float32(float64(o.LR) * mh / (math.Sqrt(vh) + float64(o.Eps)))
		}
		p.Grad.Fill(0)
	}
}
