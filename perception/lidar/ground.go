package lidar

import "math"

// Label says what ground segmentation made of a point.
type Label uint8

const (
	// Obstacle points are above the ground and below MaxHeight: input to clustering.
	Obstacle Label = iota
	// Ground points are within GroundHeight of the local ground.
	Ground
	// Dropped points are out of range, above MaxHeight, or not finite.
	Dropped
)

// groundGrid is the polar grid of ground segmentation; it is reused between scans.
type groundGrid struct {
	sectors, bins int
	minZ          []float32 // per cell, +Inf when empty
	ground        []float32 // per cell, estimated ground height
	cell          []int32   // per point, cell index or -1
}

func (g *groundGrid) reset(o Options, n int) {
	g.sectors = o.Sectors
	g.bins = int(math.Ceil(o.MaxRange / o.BinSize))
	cells := g.sectors * g.bins
	if cap(g.minZ) < cells {
		g.minZ = make([]float32, cells)
		g.ground = make([]float32, cells)
	}
	g.minZ, g.ground = g.minZ[:cells], g.ground[:cells]
	inf := float32(math.Inf(1))
	for i := range g.minZ {
		g.minZ[i] = inf
	}
	if cap(g.cell) < n {
		g.cell = make([]int32, n)
	}
	g.cell = g.cell[:n]
}

// segment labels every point and writes the ground height under it into groundZ.
func (g *groundGrid) segment(pts []Point, o Options, labels []Label, groundZ []float32) {
	g.reset(o, len(pts))
	sx, sy := float32(o.SensorX), float32(o.SensorY)
	minR2, maxR2 := float32(o.MinRange*o.MinRange), float32(o.MaxRange*o.MaxRange)
	secPerRad := float64(g.sectors) / (2 * math.Pi)
	invBin := float32(1 / o.BinSize)
	for i, p := range pts {
		dx, dy := p.X-sx, p.Y-sy
		r2 := dx*dx + dy*dy
		if !(r2 >= minR2 && r2 < maxR2) || !finite(p.Z) { // also rejects NaN
			g.cell[i] = -1
			continue
		}
		s := int((math.Atan2(float64(dy), float64(dx)) + math.Pi) * secPerRad)
		if s >= g.sectors {
			s = g.sectors - 1
		}
		b := int(float32(math.Sqrt(float64(r2))) * invBin)
		if b >= g.bins {
			b = g.bins - 1
		}
		c := s*g.bins + b
		g.cell[i] = int32(c)
		if p.Z < g.minZ[c] {
			g.minZ[c] = p.Z
		}
	}
	// Walk each sector outwards: a bin's lowest point is ground when it lies within the slope
	// bound of the last accepted ground; otherwise the bin holds an obstacle (or noise below the
	// road) and inherits the ground of the last accepted bin.
	slope, tol := float32(o.MaxSlope), float32(o.GroundTolerance)
	bin := float32(o.BinSize)
	for s := 0; s < g.sectors; s++ {
		gz := float32(o.GroundZ)
		lastR := float32(0)
		row := s * g.bins
		for b := 0; b < g.bins; b++ {
			r := (float32(b) + 0.5) * bin
			mz := g.minZ[row+b]
			if !math.IsInf(float64(mz), 1) {
				allow := slope*(r-lastR) + tol
				if mz <= gz+allow && mz >= gz-allow {
					gz, lastR = mz, r
				}
			}
			g.ground[row+b] = gz
		}
	}
	gh, mh := float32(o.GroundHeight), float32(o.MaxHeight)
	for i, p := range pts {
		c := g.cell[i]
		if c < 0 {
			labels[i], groundZ[i] = Dropped, 0
			continue
		}
		gz := g.ground[c]
		groundZ[i] = gz
		switch h := p.Z - gz; {
		case h < gh:
			labels[i] = Ground
		case h > mh:
			labels[i] = Dropped
		default:
			labels[i] = Obstacle
		}
	}
}

func finite(v float32) bool { return !math.IsNaN(float64(v)) && !math.IsInf(float64(v), 0) }

// SegmentGround labels each point as ground, obstacle or dropped and returns the local ground
// height under each point (0 for dropped points out of range). It allocates; a Detector reuses
// its buffers instead.
func SegmentGround(pts []Point, o Options) (labels []Label, groundZ []float32) {
	labels = make([]Label, len(pts))
	groundZ = make([]float32, len(pts))
	var g groundGrid
	g.segment(pts, o, labels, groundZ)
	return labels, groundZ
}
