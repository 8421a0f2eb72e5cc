package raycast

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/avstack/avstack/geom"
)

// Pattern is a lidar's beam layout.
type Pattern struct {
	Model string
	// Elevations of the beams (rad), in firing order.
	Elevations []float64
	// AzimuthStep between firings (rad) at the nominal 10 Hz.
	AzimuthStep float64
	MinRange    float64
	MaxRange    float64
}

func linspace(a, b float64, n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = (a + (b-a)*float64(i)/float64(n-1)) * math.Pi / 180
	}
	return out
}

// PatternFor returns the beam pattern of a lidar model: VLP-16 (16 beams, -15..+15 deg, 0.2 deg
// azimuth), HDL-32E (32 beams, -30.67..+10.67 deg, 0.16 deg), HDL-64E (64 beams,
// -24.9..+2 deg, 0.17 deg; evenly spread here).
func PatternFor(model string) (Pattern, error) {
	switch model {
	case "VLP-16":
		return Pattern{Model: model, Elevations: linspace(-15, 15, 16), AzimuthStep: 0.2 * math.Pi / 180, MinRange: 0.5, MaxRange: 100}, nil
	case "HDL-32E":
		return Pattern{Model: model, Elevations: linspace(-30.67, 10.67, 32), AzimuthStep: 0.16 * math.Pi / 180, MinRange: 1, MaxRange: 100}, nil
	case "HDL-64E":
		return Pattern{Model: model, Elevations: linspace(-24.9, 2, 64), AzimuthStep: 0.17 * math.Pi / 180, MinRange: 1, MaxRange: 120}, nil
	}
	return Pattern{}, fmt.Errorf("raycast: unknown lidar model %q (VLP-16, HDL-32E, HDL-64E)", model)
}

// Target is an upright box in the map frame that returns light with an intensity 0..1.
type Target struct {
	Box       geom.Box
	Intensity float32
}

// Noise perturbs ranges (1 sigma, m) and drops points (probability); Rand must be set when
// either is non-zero.
type Noise struct {
	Range float64
	Drop  float64
	Rand  *rand.Rand
}

// GroundIntensity is the intensity of asphalt returns.
const GroundIntensity = 0.1

// Lidar casts one pattern from a mount.
type Lidar struct {
	P Pattern
	// Mount is the sensor's pose in the vehicle frame (sensor -> vehicle).
	Mount geom.Pose3
	cols  [][]int32
	sinE  []float64
	cosE  []float64
}

// New returns a lidar of a model at a mount.
func New(model string, mount geom.Pose3) (*Lidar, error) {
	p, err := PatternFor(model)
	if err != nil {
		return nil, err
	}
	return NewPattern(p, mount), nil
}

// NewPattern returns a lidar with an explicit pattern.
func NewPattern(p Pattern, mount geom.Pose3) *Lidar {
	l := &Lidar{P: p, Mount: mount}
	l.cols = make([][]int32, l.Columns())
	for _, e := range p.Elevations {
		s, c := math.Sincos(e)
		l.sinE = append(l.sinE, s)
		l.cosE = append(l.cosE, c)
	}
	return l
}

// Columns is the number of azimuth firings per revolution.
func (l *Lidar) Columns() int { return int(math.Round(2 * math.Pi / l.P.AzimuthStep)) }

// boxHit intersects a ray (origin o, unit direction d, map frame) with an upright box (slab
// test in the box's frame); it returns the entry distance or +Inf.
func boxHit(o, d geom.Vec3, b geom.Box) float64 {
	s, c := math.Sincos(-b.Yaw)
	ox, oy := o.X-b.X, o.Y-b.Y
	lo := [3]float64{c*ox - s*oy, s*ox + c*oy, o.Z - b.Z}
	ld := [3]float64{c*d.X - s*d.Y, s*d.X + c*d.Y, d.Z}
	half := [3]float64{b.Length / 2, b.Width / 2, b.Height / 2}
	tmin, tmax := 0.0, math.Inf(1)
	for k := 0; k < 3; k++ {
		oc, dc, h := lo[k], ld[k], half[k]
		if math.Abs(dc) < 1e-12 {
			if oc < -h || oc > h {
				return math.Inf(1)
			}
			continue
		}
		t1, t2 := (-h-oc)/dc, (h-oc)/dc
		if t1 > t2 {
			t1, t2 = t2, t1
		}
		tmin = math.Max(tmin, t1)
		tmax = math.Min(tmax, t2)
		if tmin > tmax {
			return math.Inf(1)
		}
	}
	if tmin <= 0 {
		return math.Inf(1) // origin inside the box
	}
	return tmin
}

// Cast returns the range and intensity of one ray (unit direction ds in the sensor frame)
// against the ground and every target, given the sensor's pose in the map; +Inf when nothing
// is hit within the pattern's range limits.
func (l *Lidar) Cast(sensorToMap geom.Pose3, ds geom.Vec3, targets []Target) (float64, float32) {
	idx := make([]int32, len(targets))
	for i := range idx {
		idx[i] = int32(i)
	}
	return l.cast(sensorToMap, ds, targets, idx)
}

func (l *Lidar) cast(sensorToMap geom.Pose3, ds geom.Vec3, targets []Target, cand []int32) (float64, float32) {
	o := sensorToMap.T
	d := sensorToMap.Rotate(ds)
	best, inten := math.Inf(1), float32(0)
	if d.Z < -1e-9 {
		if t := -o.Z / d.Z; t > 0 {
			best, inten = t, GroundIntensity
		}
	}
	for _, i := range cand {
		if t := boxHit(o, d, targets[i].Box); t < best {
			best, inten = t, targets[i].Intensity
		}
	}
	if best < l.P.MinRange || best > l.P.MaxRange {
		return math.Inf(1), 0
	}
	return best, inten
}

// Scan casts a full revolution from the vehicle pose (vehicle -> map) and appends the hits to
// out as x, y, z, intensity in the sensor frame, column by column.
func (l *Lidar) Scan(vehicleToMap geom.Pose3, targets []Target, noise Noise, out []float32) []float32 {
	s2m := vehicleToMap.Compose(l.Mount)
	m2s := s2m.Inverse()
	n := len(l.cols)
	for i := range l.cols {
		l.cols[i] = l.cols[i][:0]
	}
	// Azimuth interval of every target seen from the sensor; a column tests only its targets.
	for ti, t := range targets {
		c := m2s.Apply(t.Box.Center())
		r := math.Hypot(t.Box.Length, t.Box.Width) / 2
		dist := math.Hypot(c.X, c.Y)
		if dist-r > l.P.MaxRange {
			continue
		}
		k0, k1 := 0, n-1
		if dist > r+0.01 {
			az := math.Atan2(c.Y, c.X)
			half := math.Asin(r / dist)
			k0 = int(math.Floor((az-half)/l.P.AzimuthStep)) - 1
			k1 = int(math.Ceil((az+half)/l.P.AzimuthStep)) + 1
		}
		if k1-k0 >= n {
			k0, k1 = 0, n-1
		}
		for k := k0; k <= k1; k++ {
			kk := ((k % n) + n) % n
			l.cols[kk] = append(l.cols[kk], int32(ti))
		}
	}
	for k := 0; k < n; k++ {
		sa, ca := math.Sincos(float64(k) * l.P.AzimuthStep)
		for e := range l.P.Elevations {
			ds := geom.Vec3{X: l.cosE[e] * ca, Y: l.cosE[e] * sa, Z: l.sinE[e]}
			rng, inten := l.cast(s2m, ds, targets, l.cols[k])
			if math.IsInf(rng, 1) {
				continue
			}
			if noise.Drop > 0 && noise.Rand.Float64() < noise.Drop {
				continue
			}
			if noise.Range > 0 {
				rng += noise.Range * noise.Rand.NormFloat64()
			}
			out = append(out, float32(ds.X*rng), float32(ds.Y*rng), float32(ds.Z*rng), inten)
		}
	}
	return out
}
