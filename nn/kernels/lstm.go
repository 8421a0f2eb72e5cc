package kernels

import (
	"fmt"
	"math"
)

// LSTMCell finishes one LSTM step from the gate pre-activations (ONNX LSTM
// gate order i, o, f, c; gates is 4*hidden values, already W*x + R*h + biases,
// typically one GEMM):
//
//	i = sigmoid(gates[0:H]); o = sigmoid(gates[H:2H]); f = sigmoid(gates[2H:3H]); g = tanh(gates[3H:4H])
//	c = f*c + i*g;  h = o*tanh(c)
//
// c is updated in place and h written; both hold hidden values. It panics
// when a slice is too short.
func LSTMCell(h, c, gates []float32, hidden int) {
	checkLSTM(h, c, gates, hidden)
	sig := Activation{Kind: ActSigmoid}
	th := Activation{Kind: ActTanh}
	gi, gon := gates[:hidden], gates[hidden:2*hidden]
	gf, gg := gates[2*hidden:3*hidden], gates[3*hidden:4*hidden]
	c, h = c[:hidden], h[:hidden]
	for j := range c {
		ct := act1(sig, gf[j])*c[j] + act1(sig, gi[j])*act1(th, gg[j])
		c[j] = ct
		h[j] = act1(sig, gon[j]) * act1(th, ct)
	}
}

func checkLSTM(h, c, gates []float32, hidden int) {
	if hidden < 0 || len(h) < hidden || len(c) < hidden || len(gates) < 4*hidden {
		panic(fmt.Sprintf("kernels: LSTMCell hidden=%d with len(h)=%d len(c)=%d len(gates)=%d", hidden, len(h), len(c), len(gates)))
	}
}

// LSTMCellRef is the reference of LSTMCell, in float64.
func LSTMCellRef(h, c, gates []float32, hidden int) {
	checkLSTM(h, c, gates, hidden)
	sig := func(x float32) float64 { return 1 / (1 + math.Exp(-float64(x))) }
	for j := 0; j < hidden; j++ {
		i, o := sig(gates[j]), sig(gates[hidden+j])
		f, g := sig(gates[2*hidden+j]), math.Tanh(float64(gates[3*hidden+j]))
		ct := f*float64(c[j]) + i*g
		c[j] = float32(ct)
		h[j] = float32(o * math.Tanh(ct))
	}
}
