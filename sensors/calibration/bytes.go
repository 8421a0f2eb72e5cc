package calibration

import (
	"encoding/binary"
	"math"
)

// f64bytes lays out float64s in native (little-endian on every supported platform) order for
// gocv.NewMatFromBytes.
func f64bytes(v []float64) []byte {
	b := make([]byte, 8*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint64(b[8*i:], math.Float64bits(x))
	}
	return b
}
