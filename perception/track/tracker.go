package track

import (
	"fmt"
	"math"

	"github.com/avstack/avstack/geom"
	"github.com/avstack/avstack/msg/av"
	"github.com/avstack/avstack/perception/assign"
)

var inf = math.Inf(1)

// Detection is one measured object in the tracking frame.
type Detection struct {
	Box   geom.Box
	Class av.ObjectClass
	Score float32
	// Sources is a SourceMask bit set (lidar, camera).
	Sources uint32
	// ImageBoxes are where the object appears in cameras (passed through to the track).
	ImageBoxes []*av.ImageBox
}

// Options tune the tracker.
type Options struct {
	// AccelNoise is the standard deviation of the unmodelled acceleration (m/s^2);
	// pedestrian tracks use WalkerAccelNoise.
	AccelNoise, WalkerAccelNoise float64
	// PositionNoise is the standard deviation of a measured position (m).
	PositionNoise float64
	// InitVelocityStd is the velocity uncertainty of a new track (m/s); a new pedestrian track
	// uses WalkerInitVelocityStd instead (people walk at 1-2 m/s: a wide prior lets the jitter
	// of a first few detections, e.g. of someone stepping out from behind a van, read as a
	// walker moving at car speed).
	InitVelocityStd, WalkerInitVelocityStd float64
	// GateChi2 bounds the squared Mahalanobis distance of an association (9.21: 99 % for 2 dof);
	// GateDistance bounds the plain distance (m) as well.
	GateChi2, GateDistance float64
	// ConfirmHits updates confirm a track; a confirmed track is deleted after MaxCoast seconds
	// without an update.
	ConfirmHits int
	MaxCoast    float64
	// SizeAlpha and YawAlpha weigh a new measurement in the smoothed size and heading (0..1].
	SizeAlpha, YawAlpha float64
}

// DefaultOptions suit 10-20 Hz lidar detections of road users.
func DefaultOptions() Options {
	return Options{
		AccelNoise:            2,
		PositionNoise:         0.3,
		InitVelocityStd:       10,
		WalkerInitVelocityStd: 1.5,
		WalkerAccelNoise:      1.5,
		GateChi2:              13.8, // 99.9 % for 2 dof
		GateDistance:          5,
		ConfirmHits:           3,
		MaxCoast:              0.5,
		SizeAlpha:             0.3,
		YawAlpha:              0.4,
	}
}

// Validate names the first bad option.
func (o Options) Validate() error {
	pos := []struct {
		name string
		v    float64
	}{{"accel_noise", o.AccelNoise}, {"walker_accel_noise", o.WalkerAccelNoise}, {"position_noise", o.PositionNoise}, {"init_velocity_std", o.InitVelocityStd}, {"walker_init_velocity_std", o.WalkerInitVelocityStd},
		{"gate_chi2", o.GateChi2}, {"gate_distance", o.GateDistance}, {"max_coast", o.MaxCoast}}
	for _, p := range pos {
		if !(p.v > 0) || math.IsInf(p.v, 0) {
			return fmt.Errorf("track: option %s = %v: must be > 0", p.name, p.v)
		}
	}
	if o.ConfirmHits < 1 {
		return fmt.Errorf("track: option confirm_hits = %d: must be >= 1", o.ConfirmHits)
	}
	if !(o.SizeAlpha > 0 && o.SizeAlpha <= 1) || !(o.YawAlpha > 0 && o.YawAlpha <= 1) {
		return fmt.Errorf("track: options size_alpha %v, yaw_alpha %v: must be in (0, 1]", o.SizeAlpha, o.YawAlpha)
	}
	return nil
}

// Track is the state of one tracked object.
type Track struct {
	ID        uint64
	Confirmed bool
	Box       geom.Box
	Class     av.ObjectClass
	Score     float32
	Sources   uint32
	// VX, VY velocity over ground in the tracking frame; Cov the 4x4 covariance of
	// (x, y, vx, vy), row-major.
	VX, VY     float64
	Cov        [16]float64
	ImageBoxes []*av.ImageBox
	// Hits is the number of updates; Born and Updated are stamps (ns).
	Hits          int
	Born, Updated int64

	kf         *kalman
	classVotes map[av.ObjectClass]float64
}

// Age is the track's age at stamp now (s); SinceUpdate the time since its last update (s).
func (t *Track) Age(now int64) float64         { return float64(now-t.Born) / 1e9 }
func (t *Track) SinceUpdate(now int64) float64 { return float64(now-t.Updated) / 1e9 }

// Tracker associates detections over time. Not safe for concurrent use.
type Tracker struct {
	o      Options
	tracks []*Track
	nextID uint64
	last   int64
	primed bool
}

// New checks the options and returns an empty tracker.
func New(o Options) (*Tracker, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	return &Tracker{o: o, nextID: 1}, nil
}

// Reset forgets every track (ids keep counting up).
func (t *Tracker) Reset() { t.tracks, t.primed = nil, false }

// All returns every live track, tentative ones included, ordered by id.
func (t *Tracker) All() []*Track { return t.tracks }

// Update predicts every track to stamp (ns), associates the detections, updates, births and
// deletes tracks, and returns the confirmed tracks ordered by id. A stamp older than the last
// one is an error (the caller must drop stale inputs).
func (t *Tracker) Update(dets []Detection, stamp int64) ([]*Track, error) {
	if t.primed && stamp < t.last {
		return nil, fmt.Errorf("track: stamp %d is older than the last update %d", stamp, t.last)
	}
	dt := 0.0
	if t.primed {
		dt = float64(stamp-t.last) / 1e9
	}
	t.last, t.primed = stamp, true
	q, qWalker := t.o.AccelNoise*t.o.AccelNoise, t.o.WalkerAccelNoise*t.o.WalkerAccelNoise
	r2 := t.o.PositionNoise * t.o.PositionNoise
	for _, tr := range t.tracks {
		if tr.Class == av.ObjectClass_OBJECT_CLASS_PEDESTRIAN {
			tr.kf.predict(dt, qWalker)
		} else {
			tr.kf.predict(dt, q)
		}
	}
	// Cost: squared Mahalanobis distance, forbidden outside the gates.
	cost := make([][]float64, len(t.tracks))
	for i, tr := range t.tracks {
		cost[i] = make([]float64, len(dets))
		px, py := tr.kf.x.AtVec(0), tr.kf.x.AtVec(1)
		for j, d := range dets {
			c := inf
			if math.Hypot(d.Box.X-px, d.Box.Y-py) <= t.o.GateDistance {
				if m := tr.kf.mahalanobis2(d.Box.X, d.Box.Y, r2); m <= t.o.GateChi2 {
					c = m
				}
			}
			cost[i][j] = c
		}
	}
	claimed := make([]bool, len(dets))
	var rows []int
	if len(t.tracks) > 0 && len(dets) > 0 {
		rows = assign.Solve(cost)
	}
	kept := t.tracks[:0]
	for i, tr := range t.tracks {
		j := -1
		if rows != nil {
			j = rows[i]
		}
		if j >= 0 {
			claimed[j] = true
			t.updateTrack(tr, dets[j], stamp, r2)
		} else {
			tr.ImageBoxes = nil
			if !tr.Confirmed || tr.SinceUpdate(stamp) > t.o.MaxCoast {
				continue // deleted
			}
		}
		t.fill(tr)
		kept = append(kept, tr)
	}
	t.tracks = kept
	for j, d := range dets {
		if claimed[j] {
			continue
		}
		tr := &Track{ID: t.nextID, Born: stamp, Box: d.Box, classVotes: map[av.ObjectClass]float64{}}
		t.nextID++
		vStd := t.o.InitVelocityStd
		nb := t.movingNeighbour(d.Box, kept)
		if nb == nil && d.Class == av.ObjectClass_OBJECT_CLASS_PEDESTRIAN {
			vStd = t.o.WalkerInitVelocityStd
		}
		tr.kf = newKalman(d.Box.X, d.Box.Y, t.o.PositionNoise, vStd)
		if nb != nil {
			// Born against a moving vehicle: most likely a piece of it (its cluster split), so
			// it starts with that vehicle's velocity and the wide prior. A walker stepping out
			// beside a parked van is untouched: the van does not move.
			tr.kf.x.SetVec(2, nb.VX)
			tr.kf.x.SetVec(3, nb.VY)
		}
		t.updateMeta(tr, d, stamp)
		t.fill(tr)
		t.tracks = append(t.tracks, tr)
	}
	var out []*Track
	for _, tr := range t.tracks {
		if tr.Confirmed {
			out = append(out, tr)
		}
	}
	return out, nil
}

// neighbourGap (m) and neighbourSpeed (m/s): a detection within neighbourGap of a confirmed
// track's box that moves faster than neighbourSpeed is born with that track's velocity.
const (
	neighbourGap   = 1.5
	neighbourSpeed = 3.0
)

// movingNeighbour returns the nearest confirmed track moving faster than neighbourSpeed whose
// box is within neighbourGap of b's centre, or nil.
func (t *Tracker) movingNeighbour(b geom.Box, tracks []*Track) *Track {
	var best *Track
	bestD := neighbourGap
	for _, tr := range tracks {
		if !tr.Confirmed || math.Hypot(tr.VX, tr.VY) < neighbourSpeed {
			continue
		}
		if d := tr.Box.Distance2(geom.Vec2{X: b.X, Y: b.Y}); d <= bestD {
			best, bestD = tr, d
		}
	}
	return best
}

func (t *Tracker) updateTrack(tr *Track, d Detection, stamp int64, r2 float64) {
	tr.kf.update(d.Box.X, d.Box.Y, r2)
	// Heading modulo pi: turn the measurement to the side nearer the track's heading.
	yaw := d.Box.Yaw
	if diff := geom.NormalizeAngle(yaw - tr.Box.Yaw); math.Abs(diff) > math.Pi/2 {
		yaw = geom.NormalizeAngle(yaw + math.Pi)
	}
	a, ya := t.o.SizeAlpha, t.o.YawAlpha
	tr.Box.Yaw = geom.NormalizeAngle(tr.Box.Yaw + ya*geom.NormalizeAngle(yaw-tr.Box.Yaw))
	tr.Box.Length += a * (d.Box.Length - tr.Box.Length)
	tr.Box.Width += a * (d.Box.Width - tr.Box.Width)
	tr.Box.Height += a * (d.Box.Height - tr.Box.Height)
	tr.Box.Z += a * (d.Box.Z - tr.Box.Z)
	t.updateMeta(tr, d, stamp)
}

func (t *Tracker) updateMeta(tr *Track, d Detection, stamp int64) {
	tr.Hits++
	tr.Updated = stamp
	tr.Sources = d.Sources
	tr.ImageBoxes = d.ImageBoxes
	tr.Score = d.Score
	tr.classVotes[d.Class] += float64(d.Score) + 1e-3
	best, bestV := d.Class, -1.0
	for c, v := range tr.classVotes {
		if v > bestV || (v == bestV && c < best) {
			best, bestV = c, v
		}
	}
	tr.Class = best
	if tr.Hits >= t.o.ConfirmHits {
		tr.Confirmed = true
	}
}

// fill copies the filter state into the exported fields.
func (t *Tracker) fill(tr *Track) {
	tr.Box.X, tr.Box.Y = tr.kf.x.AtVec(0), tr.kf.x.AtVec(1)
	tr.VX, tr.VY = tr.kf.x.AtVec(2), tr.kf.x.AtVec(3)
	for i := 0; i < 4; i++ {
		for j := 0; j < 4; j++ {
			tr.Cov[4*i+j] = tr.kf.p.At(i, j)
		}
	}
}

// Object converts a track to the message form at stamp now.
func (tr *Track) Object(now int64) *av.Object {
	b := tr.Box
	return &av.Object{
		Id: tr.ID, Class: tr.Class, Score: tr.Score,
		Box: &av.Box3D{X: b.X, Y: b.Y, Z: b.Z, Length: b.Length, Width: b.Width, Height: b.Height, Yaw: b.Yaw},
		Vx:  tr.VX, Vy: tr.VY, Covariance: append([]float64(nil), tr.Cov[:]...),
		ImageBoxes: tr.ImageBoxes, Sources: tr.Sources,
		Age: tr.Age(now), SinceUpdate: tr.SinceUpdate(now),
	}
}
