package velodyne

import (
	"fmt"
	"math"
	"sort"
)

// Model holds what differs between sensors: the elevation table, vertical offsets and firing timing.
type Model struct {
	Name string
	// Lasers is the number of distinct lasers (16 or 32).
	Lasers int
	// Elevation by laser id (firing order), degrees.
	Elevation []float64
	// VertOffset by laser id, metres (VLP-16 "vertical correction"); nil = none.
	VertOffset []float64
	// FiringUs is the length of one firing sequence of all lasers; LaserUs the spacing between lasers.
	FiringUs, LaserUs float64
	// Ring maps a laser id to its spatial ring (0 = lowest elevation).
	Ring []uint16

	sinE, cosE []float64
}

// VLP16 is the Velodyne VLP-16 / Puck LITE (velodyne-format.md section 3).
var VLP16 = newModel("VLP-16",
	[]float64{-15, 1, -13, 3, -11, 5, -9, 7, -7, 9, -5, 11, -3, 13, -1, 15},
	[]float64{11.2, -0.7, 9.7, -2.2, 8.1, -3.7, 6.6, -5.1, 5.1, -6.6, 3.7, -8.1, 2.2, -9.7, 0.7, -11.2},
	55.296, 2.304)

// HDL32E is the Velodyne HDL-32E (velodyne-format.md section 4). The 1.152 us laser spacing is
// the commonly used value, not verified against the manual.
var HDL32E = newModel("HDL-32E",
	[]float64{-30.67, -9.33, -29.33, -8.00, -28.00, -6.67, -26.67, -5.33, -25.33, -4.00, -24.00, -2.67, -22.67, -1.33, -21.33, 0.00,
		-20.00, 1.33, -18.67, 2.67, -17.33, 4.00, -16.00, 5.33, -14.67, 6.67, -13.33, 8.00, -12.00, 9.33, -10.67, 10.67},
	nil, 46.08, 1.152)

func newModel(name string, elev, offsetMM []float64, firing, laser float64) *Model {
	m := &Model{Name: name, Lasers: len(elev), Elevation: elev, FiringUs: firing, LaserUs: laser}
	if offsetMM != nil {
		m.VertOffset = make([]float64, len(offsetMM))
		for i, v := range offsetMM {
			m.VertOffset[i] = v / 1000
		}
	}
	m.sinE = make([]float64, len(elev))
	m.cosE = make([]float64, len(elev))
	idx := make([]int, len(elev))
	for i, e := range elev {
		m.sinE[i], m.cosE[i] = math.Sincos(e * math.Pi / 180)
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return elev[idx[a]] < elev[idx[b]] })
	m.Ring = make([]uint16, len(elev))
	for r, k := range idx {
		m.Ring[k] = uint16(r)
	}
	return m
}

// ModelByName returns VLP-16 or HDL-32E.
func ModelByName(name string) (*Model, error) {
	switch name {
	case "VLP-16", "vlp16", "VLP16":
		return VLP16, nil
	case "HDL-32E", "hdl32e", "HDL32E":
		return HDL32E, nil
	}
	return nil, fmt.Errorf("velodyne: unknown model %q (want VLP-16 or HDL-32E)", name)
}
