package velodyne

// Revolution is one full turn of the sensor (or the partial first/last one).
type Revolution struct {
	Points []Point
	// StampNs is the time of the first point.
	StampNs int64
	// Partial is true when the revolution did not start at the cut azimuth (the first one
	// after start-up) or was flushed/cut before reaching it.
	Partial bool
}

// Assembler cuts a stream of points into revolutions at a fixed azimuth.
type Assembler struct {
	// Cut azimuth in centidegrees [0, 36000): a revolution ends when the azimuth passes it.
	Cut float64
	// MaxPoints bounds one revolution (a sensor that stops spinning never crosses the cut);
	// 0 means 1<<20. A revolution cut by this limit is marked Partial.
	MaxPoints int

	cur     []Point
	last    float64
	started bool
	partial bool
}

// dist is the azimuth distance from the cut, in [0, 36000).
func (a *Assembler) dist(az float64) float64 {
	d := az - a.Cut
	for d < 0 {
		d += 36000
	}
	for d >= 36000 {
		d -= 36000
	}
	return d
}

// Add takes points in time order and returns the revolutions they complete (usually none or one).
func (a *Assembler) Add(pts []Point) []Revolution {
	var out []Revolution
	max := a.MaxPoints
	if max <= 0 {
		max = 1 << 20
	}
	for _, p := range pts {
		d := a.dist(p.Azimuth)
		if !a.started {
			a.started = true
			a.partial = d > 1000 // did not begin within 10 degrees past the cut
			a.last = d
		}
		// The distance past the cut shrinks only when the azimuth wraps past it. Small
		// backward steps (< 10 degrees, e.g. interpolation jitter) are not a crossing.
		if d < a.last && a.last-d > 18000 && len(a.cur) > 0 {
			out = append(out, a.emit(false))
		}
		a.last = d
		a.cur = append(a.cur, p)
		if len(a.cur) >= max {
			out = append(out, a.emit(true))
		}
	}
	return out
}

func (a *Assembler) emit(cut bool) Revolution {
	r := Revolution{Points: a.cur, StampNs: a.cur[0].TimeNs, Partial: a.partial || cut}
	a.cur = nil
	a.partial = cut
	return r
}

// Flush returns the revolution in progress (Partial), if any.
func (a *Assembler) Flush() (Revolution, bool) {
	if len(a.cur) == 0 {
		return Revolution{}, false
	}
	r := a.emit(true)
	a.started = false
	return r, true
}
