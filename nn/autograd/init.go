package autograd

import (
	"math"
	"math/rand/v2"

	"github.com/avstack/avstack/nn"
)

// NewRand returns the seeded generator initialisers and dropout take
// (PCG, so a seed gives the same numbers on every platform).
func NewRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)) }

// KaimingUniform fills t from U(-b, b), b = sqrt(6/fanIn) (He et al., for ReLU).
func KaimingUniform(t *nn.Tensor, fanIn int, rng *rand.Rand) {
	uniform(t, math.Sqrt(6/float64(fanIn)), rng)
}

// XavierUniform fills t from U(-b, b), b = sqrt(6/(fanIn+fanOut)).
func XavierUniform(t *nn.Tensor, fanIn, fanOut int, rng *rand.Rand) {
	uniform(t, math.Sqrt(6/float64(fanIn+fanOut)), rng)
}

func uniform(t *nn.Tensor, b float64, rng *rand.Rand) {
	d := t.Data()
	for k := range d {
		d[k] = float32((rng.Float64()*2 - 1) * b)
	}
}
