package lidar

import (
	"fmt"
	"math"
)

// Point is one lidar return in the detector's frame (z up), metres.
type Point struct {
	X, Y, Z   float32
	Intensity float32
}

// Options tune the pipeline. The zero value is not useful; start from DefaultOptions.
type Options struct {
	// SensorX, SensorY locate the sensor in the points' frame: ranges, sectors and "away from the
	// sensor" are measured from there.
	SensorX, SensorY float64
	// GroundZ is the expected ground height at the sensor (the walk outwards starts there).
	GroundZ float64
	// MinRange drops returns closer than this to the sensor (the ego body); MaxRange farther ones.
	MinRange, MaxRange float64

	// Ground segmentation: Sectors angular sectors, BinSize metres per range bin.
	Sectors int
	BinSize float64
	// MaxSlope is the steepest ground accepted between bins (rise over run); GroundTolerance is
	// added to the slope bound to absorb noise and kerbs.
	MaxSlope, GroundTolerance float64
	// GroundHeight: points within this height of their bin's ground are ground.
	GroundHeight float64
	// MaxHeight: points higher than this above ground are dropped (canopies, bridges).
	MaxHeight float64

	// Voxel is the edge of the down-sampling voxels (0 disables down-sampling).
	Voxel float64
	// CellSize is the bird's-eye-view grid cell of clustering; cells within Neighbour cells of
	// each other join (Chebyshev distance), so the largest bridged gap is about
	// CellSize*Neighbour.
	CellSize  float64
	Neighbour int
	// MinPoints is the fewest (down-sampled) points a cluster needs.
	MinPoints int
	// MaxExtent drops clusters longer than this (walls, hedges, buildings).
	MaxExtent float64

	// HeadingStep is the angular step of the L-shape search (radians).
	HeadingStep float64
	// VerticalResolution is the lidar's angle between neighbouring beams (radians; 0 = dense).
	// At range r a cluster's measured height may fall short of the object's by up to
	// r*tan(VerticalResolution) (the beam above the top missed it); the class hints' lower
	// height bounds allow for that, up to MaxHeightSlack.
	VerticalResolution, MaxHeightSlack float64
	// Size priors: a vehicle box shorter than the prior is extended away from the sensor.
	CarLength, CarWidth float64
}

// DefaultOptions suit a 32-64 beam spinning lidar on a car, points in the vehicle frame. Set
// VerticalResolution for the sensor (see BeamSpacing).
func DefaultOptions() Options {
	return Options{
		MinRange:        2.0,
		MaxRange:        80,
		Sectors:         360,
		BinSize:         0.5,
		MaxSlope:        0.15,
		GroundTolerance: 0.15,
		GroundHeight:    0.25,
		MaxHeight:       3.5,
		Voxel:           0.1,
		CellSize:        0.2,
		Neighbour:       2,
		MinPoints:       5,
		MaxExtent:       14,
		HeadingStep:     math.Pi / 180,
		MaxHeightSlack:  0.6,
		CarLength:       3.9,
		CarWidth:        1.65,
	}
}

// Validate names the first bad option.
func (o Options) Validate() error {
	pos := []struct {
		name string
		v    float64
	}{
		{"max_range", o.MaxRange}, {"bin_size", o.BinSize}, {"max_height", o.MaxHeight},
		{"cell_size", o.CellSize}, {"max_extent", o.MaxExtent}, {"heading_step", o.HeadingStep},
		{"car_length", o.CarLength}, {"car_width", o.CarWidth}, {"ground_height", o.GroundHeight},
	}
	for _, p := range pos {
		if !(p.v > 0) || math.IsInf(p.v, 0) {
			return fmt.Errorf("lidar: option %s = %v: must be > 0", p.name, p.v)
		}
	}
	switch {
	case o.MinRange < 0 || o.MinRange >= o.MaxRange:
		return fmt.Errorf("lidar: option min_range = %v: must be in [0, max_range %v)", o.MinRange, o.MaxRange)
	case o.MaxRange > 300:
		return fmt.Errorf("lidar: option max_range = %v: must be <= 300 m", o.MaxRange)
	case o.Sectors < 4 || o.Sectors > 4096:
		return fmt.Errorf("lidar: option sectors = %d: must be 4..4096", o.Sectors)
	case o.MaxSlope < 0 || o.MaxSlope > 1:
		return fmt.Errorf("lidar: option max_slope = %v: must be 0..1", o.MaxSlope)
	case o.GroundTolerance < 0:
		return fmt.Errorf("lidar: option ground_tolerance = %v: must be >= 0", o.GroundTolerance)
	case o.VerticalResolution < 0 || o.VerticalResolution > 0.2:
		return fmt.Errorf("lidar: option vertical_resolution = %v rad: must be 0..0.2", o.VerticalResolution)
	case o.MaxHeightSlack < 0 || o.MaxHeightSlack > 1.5:
		return fmt.Errorf("lidar: option max_height_slack = %v: must be 0..1.5 m", o.MaxHeightSlack)
	case o.Voxel < 0:
		return fmt.Errorf("lidar: option voxel = %v: must be >= 0", o.Voxel)
	case o.Neighbour < 1 || o.Neighbour > 8:
		return fmt.Errorf("lidar: option neighbour = %d: must be 1..8 cells", o.Neighbour)
	case o.MinPoints < 1:
		return fmt.Errorf("lidar: option min_points = %d: must be >= 1", o.MinPoints)
	case 2*o.MaxRange/o.CellSize > 8192:
		return fmt.Errorf("lidar: options max_range %v / cell_size %v give a grid wider than 8192 cells", o.MaxRange, o.CellSize)
	}
	return nil
}

// BeamSpacing returns the vertical angle between beams of a Velodyne model ("VLP-16",
// "HDL-32E", "HDL-64E"), or 0 and false for an unknown model.
func BeamSpacing(model string) (float64, bool) {
	switch model {
	case "VLP-16":
		return 2 * math.Pi / 180, true
	case "HDL-32E":
		return 1.33 * math.Pi / 180, true
	case "HDL-64E":
		return 0.42 * math.Pi / 180, true
	}
	return 0, false
}
