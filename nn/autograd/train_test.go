package autograd_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/avstack/avstack/nn"
	"github.com/avstack/avstack/nn/autograd"
	"github.com/avstack/avstack/nn/optim"
)

// renderShape draws class 0 (filled square), 1 (filled disc) or 2 (a
// plus sign) at a random place and size into a size x size image, with
// Gaussian pixel noise.
func renderShape(img []float32, size, class int, rng *rand.Rand) {
	r := 3 + rng.IntN(3) // half-size 3..5
	cx := r + rng.IntN(size-2*r)
	cy := r + rng.IntN(size-2*r)
	for y := 0; y < size; y++ {
		for x := 0; x < size; x++ {
			dx, dy := x-cx, y-cy
			on := false
			switch class {
			case 0:
				on = abs(dx) <= r-1 && abs(dy) <= r-1
			case 1:
				on = dx*dx+dy*dy <= r*r
			case 2:
				on = (abs(dx) <= 1 && abs(dy) <= r) || (abs(dy) <= 1 && abs(dx) <= r)
			}
			v := float32(rng.NormFloat64() * 0.15)
			if on {
				v += 1
			}
			img[y*size+x] = v
		}
	}
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

func shapesBatch(n, size int, rng *rand.Rand) (*nn.Tensor, []int) {
	x := nn.New(n, 1, size, size)
	labels := make([]int, n)
	for i := range labels {
		labels[i] = rng.IntN(3)
		renderShape(x.Data()[i*size*size:(i+1)*size*size], size, labels[i], rng)
	}
	return x, labels
}

type cnn struct {
	w1, b1, w2, b2, fw, fb *autograd.Var
}

func newCNN(seed uint64) *cnn {
	rng := autograd.NewRand(seed)
	p := func(name string, fanIn int, shape ...int) *autograd.Var {
		t := nn.New(shape...)
		autograd.KaimingUniform(t, fanIn, rng)
		return autograd.NewParam(name, t)
	}
	return &cnn{
		w1: p("conv1.w", 9, 8, 1, 3, 3), b1: autograd.NewParam("conv1.b", nn.New(8)),
		w2: p("conv2.w", 72, 16, 8, 3, 3), b2: autograd.NewParam("conv2.b", nn.New(16)),
		fw: p("fc.w", 256, 3, 256), fb: autograd.NewParam("fc.b", nn.New(3)),
	}
}

func (m *cnn) params() []*autograd.Var { return []*autograd.Var{m.w1, m.b1, m.w2, m.b2, m.fw, m.fb} }

func (m *cnn) forward(tp *autograd.Tape, x *nn.Tensor) *autograd.Var {
	pad := nn.ConvParams{Pads: []int{1, 1, 1, 1}}
	h := tp.MaxPool2d(tp.Relu(tp.Conv(autograd.Const(x), m.w1, m.b1, pad)), 2, 2)
	h = tp.MaxPool2d(tp.Relu(tp.Conv(h, m.w2, m.b2, pad)), 2, 2)
	return tp.Linear(tp.Flatten(h, 1), m.fw, m.fb)
}

func trainCNN(steps int, seed uint64) *cnn {
	m := newCNN(seed)
	rng := autograd.NewRand(seed + 1)
	opt := optim.NewAdam(0.01)
	for s := 0; s < steps; s++ {
		x, y := shapesBatch(32, 16, rng)
		tp := autograd.NewTape()
		tp.Backward(tp.CrossEntropy(m.forward(tp, x), y))
		opt.Step(m.params())
	}
	return m
}

// TestCNNLearnsShapes: a small CNN trained from scratch classifies rendered
// shapes (square, disc, plus; 16x16, noise sigma 0.15) with >= 95 % accuracy
// on 600 held-out images.
func TestCNNLearnsShapes(t *testing.T) {
	m := trainCNN(150, 7)
	x, y := shapesBatch(600, 16, autograd.NewRand(12345))
	tp := autograd.NewTape()
	tp.SetTraining(false)
	logits := m.forward(tp, x).Value.Data()
	correct := 0
	for i, l := range y {
		best := 0
		for c := 1; c < 3; c++ {
			if logits[i*3+c] > logits[i*3+best] {
				best = c
			}
		}
		if best == l {
			correct++
		}
	}
	acc := float64(correct) / float64(len(y))
	t.Logf("held-out accuracy %.4f (%d/%d)", acc, correct, len(y))
	if acc < 0.95 {
		t.Fatalf("held-out accuracy %.3f, want >= 0.95", acc)
	}
}

// TestTrainingDeterministic: the same seed gives bit-identical parameters.
func TestTrainingDeterministic(t *testing.T) {
	a, b := trainCNN(10, 3), trainCNN(10, 3)
	for k, p := range a.params() {
		q := b.params()[k]
		for j, v := range p.Value.Data() {
			if math.Float32bits(v) != math.Float32bits(q.Value.Data()[j]) {
				t.Fatalf("%s[%d] differs between runs: %g vs %g", p.Name, j, v, q.Value.Data()[j])
			}
		}
	}
	c := trainCNN(10, 4)
	if c.w1.Value.Data()[0] == a.w1.Value.Data()[0] {
		t.Fatal("a different seed gave the same first weight")
	}
}

// sineBatch returns sequences [seq, n, 1] of noisy sinusoids (random
// frequency 0.2..0.5 rad/step, random phase, amplitude 1, noise sigma 0.05)
// and the clean value of the next step.
func sineBatch(n, seq int, rng *rand.Rand) (*nn.Tensor, *nn.Tensor) {
	x := nn.New(seq, n, 1)
	y := nn.New(n, 1)
	for i := 0; i < n; i++ {
		w := 0.2 + 0.3*rng.Float64()
		ph := rng.Float64() * 2 * math.Pi
		for s := 0; s < seq; s++ {
			x.Data()[s*n+i] = float32(math.Sin(w*float64(s)+ph) + 0.05*rng.NormFloat64())
		}
		y.Data()[i] = float32(math.Sin(w*float64(seq) + ph))
	}
	return x, y
}

// TestLSTMLearnsSinusoids: an LSTM (hidden 16) with a linear read-out
// predicts the next point of noisy sinusoids with held-out MSE < 0.01
// (predicting 0 scores about 0.5; the noise floor is about 0.0025).
func TestLSTMLearnsSinusoids(t *testing.T) {
	const H, seq = 16, 16
	rng := autograd.NewRand(21)
	p := func(name string, fanIn, fanOut int, shape ...int) *autograd.Var {
		t := nn.New(shape...)
		autograd.XavierUniform(t, fanIn, fanOut, rng)
		return autograd.NewParam(name, t)
	}
	w := p("lstm.w", 1, 4*H, 1, 4*H, 1)
	r := p("lstm.r", H, 4*H, 1, 4*H, H)
	b := autograd.NewParam("lstm.b", nn.New(1, 8*H))
	fw := p("fc.w", H, 1, 1, H)
	fb := autograd.NewParam("fc.b", nn.New(1))
	params := []*autograd.Var{w, r, b, fw, fb}
	predict := func(tp *autograd.Tape, x *nn.Tensor) *autograd.Var {
		_, yh, _ := tp.LSTM(autograd.Const(x), w, r, b, nil, nil)
		return tp.Linear(tp.Reshape(yh, x.Shape()[1], H), fw, fb)
	}
	opt := optim.NewAdam(0.01)
	data := autograd.NewRand(22)
	for s := 0; s < 600; s++ {
		if s == 400 {
			opt.LR = 0.002 // a step decay settles the last part of the fit
		}
		x, y := sineBatch(32, seq, data)
		tp := autograd.NewTape()
		tp.Backward(tp.MSE(predict(tp, x), autograd.Const(y)))
		opt.Step(params)
	}
	x, y := sineBatch(500, seq, autograd.NewRand(999))
	tp := autograd.NewTape()
	mse := tp.MSE(predict(tp, x), autograd.Const(y)).Value.Data()[0]
	t.Logf("held-out MSE %.5f", mse)
	if !(mse < 0.01) {
		t.Fatalf("held-out MSE %.4f, want < 0.01", mse)
	}
}
