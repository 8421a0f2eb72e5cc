package vehiclestate

import (
	"errors"
	"fmt"
	"math"
	"sort"

	"github.com/avstack/avstack/msg/av"
)

// Source gives the ego vehicle's state at a time.
type Source interface {
	// State returns the state at now (ns). ok is false when the source has nothing for that
	// time (before the first or after the last replayed sample, no CAN frames yet).
	State(now int64) (st *av.VehicleState, ok bool, err error)
}

// Segment is one piece of a simulated drive profile: from its start, for Duration seconds,
// the speed changes at Accel (m/s^2) and the front-wheel steering angle is Steer (rad).
type Segment struct {
	Duration float64 `yaml:"duration"`
	Accel    float64 `yaml:"accel"`
	Steer    float64 `yaml:"steer"`
}

// Simulated integrates a kinematic bicycle model (rear-axle reference) along a profile.
// The profile repeats; the speed never goes below zero.
type Simulated struct {
	Wheelbase float64
	// Initial state.
	X, Y, Yaw, V float64
	Profile      []Segment
	// MaxStep bounds the integration step (default 10 ms).
	MaxStep float64

	x, y, yaw, v float64
	t            int64 // time of st (ns); 0 = not started
	tIn          float64
	seg          int
	done         bool
}

// Validate checks the model.
func (s *Simulated) Validate() error {
	if !(s.Wheelbase > 0) {
		return fmt.Errorf("vehiclestate: wheelbase %v must be positive", s.Wheelbase)
	}
	if s.V < 0 {
		return fmt.Errorf("vehiclestate: initial speed %v must not be negative", s.V)
	}
	for i, g := range s.Profile {
		if !(g.Duration > 0) || math.Abs(g.Steer) >= math.Pi/2 {
			return fmt.Errorf("vehiclestate: profile[%d]: duration %v must be positive and |steer| %v below pi/2", i, g.Duration, g.Steer)
		}
	}
	return nil
}

func (s *Simulated) segment() Segment {
	if len(s.Profile) == 0 {
		return Segment{Duration: math.Inf(1)}
	}
	return s.Profile[s.seg]
}

// State advances the model to now (time only moves forward) and returns a copy.
func (s *Simulated) State(now int64) (*av.VehicleState, bool, error) {
	if s.t == 0 {
		if err := s.Validate(); err != nil {
			return nil, false, err
		}
		s.x, s.y, s.yaw, s.v = s.X, s.Y, s.Yaw, s.V
		s.t = now
	}
	if now < s.t {
		return nil, false, fmt.Errorf("vehiclestate: time went back from %d to %d", s.t, now)
	}
	maxStep := s.MaxStep
	if maxStep <= 0 {
		maxStep = 0.01
	}
	rem := float64(now-s.t) / 1e9
	for rem > 0 {
		g := s.segment()
		dt := math.Min(rem, math.Min(maxStep, g.Duration-s.tIn))
		s.step(g, dt)
		rem -= dt
		s.tIn += dt
		if s.tIn >= g.Duration-1e-12 && len(s.Profile) > 0 {
			s.tIn = 0
			s.seg = (s.seg + 1) % len(s.Profile)
		}
	}
	s.t = now
	g := s.segment()
	st := &av.VehicleState{Header: &av.Header{StampNs: now, FrameId: "map"},
		X: s.x, Y: s.y, Yaw: s.yaw, V: s.v, Steering: g.Steer, A: g.Accel}
	if s.v == 0 && g.Accel < 0 {
		st.A = 0
	}
	st.YawRate = s.v * math.Tan(g.Steer) / s.Wheelbase
	st.ALat = s.v * st.YawRate
	return st, true, nil
}

// step integrates one interval with the midpoint rule.
func (s *Simulated) step(g Segment, dt float64) {
	v0 := s.v
	v1 := math.Max(0, v0+g.Accel*dt)
	vm := (v0 + v1) / 2
	yawRate := vm * math.Tan(g.Steer) / s.Wheelbase
	ym := s.yaw + yawRate*dt/2
	s.x += vm * math.Cos(ym) * dt
	s.y += vm * math.Sin(ym) * dt
	s.yaw = normalize(s.yaw + yawRate*dt)
	s.v = v1
}

func normalize(a float64) float64 {
	a = math.Mod(a+math.Pi, 2*math.Pi)
	if a < 0 {
		a += 2 * math.Pi
	}
	return a - math.Pi
}

// Replayed plays back timestamped states, interpolating linearly between the two samples
// around the asked time (yaw along the shorter arc). Times are shifted so that the first
// sample lands on the first asked time when Rebase is set.
type Replayed struct {
	States []*av.VehicleState // sorted by Header.StampNs
	Rebase bool
	Loop   bool

	shift int64
	set   bool
}

// NewReplayed checks the samples are in time order.
func NewReplayed(states []*av.VehicleState, rebase, loop bool) (*Replayed, error) {
	if len(states) == 0 {
		return nil, errors.New("vehiclestate: nothing to replay")
	}
	for i, s := range states {
		if s.GetHeader() == nil {
			return nil, fmt.Errorf("vehiclestate: sample %d has no header stamp", i)
		}
		if i > 0 && s.Header.StampNs <= states[i-1].Header.StampNs {
			return nil, fmt.Errorf("vehiclestate: sample %d at %d is not after sample %d at %d", i, s.Header.StampNs, i-1, states[i-1].Header.StampNs)
		}
	}
	return &Replayed{States: states, Rebase: rebase, Loop: loop}, nil
}

// State interpolates the state at now.
func (r *Replayed) State(now int64) (*av.VehicleState, bool, error) {
	first, last := r.States[0].Header.StampNs, r.States[len(r.States)-1].Header.StampNs
	if r.Rebase && !r.set {
		r.shift, r.set = now-first, true
	}
	t := now - r.shift
	if r.Loop && t > last && last > first {
		t = first + (t-first)%(last-first)
	}
	if t < first || t > last {
		return nil, false, nil
	}
	i := sort.Search(len(r.States), func(i int) bool { return r.States[i].Header.StampNs >= t })
	b := r.States[i]
	if b.Header.StampNs == t || i == 0 {
		out := cloneState(b)
		out.Header = &av.Header{StampNs: now, FrameId: b.Header.FrameId}
		return out, true, nil
	}
	a := r.States[i-1]
	f := float64(t-a.Header.StampNs) / float64(b.Header.StampNs-a.Header.StampNs)
	lerp := func(x, y float64) float64 { return x + (y-x)*f }
	out := &av.VehicleState{
		Header: &av.Header{StampNs: now, FrameId: a.Header.FrameId},
		X:      lerp(a.X, b.X), Y: lerp(a.Y, b.Y), Z: lerp(a.Z, b.Z),
		Yaw: normalize(a.Yaw + normalize(b.Yaw-a.Yaw)*f),
		V:   lerp(a.V, b.V), VLat: lerp(a.VLat, b.VLat), A: lerp(a.A, b.A), ALat: lerp(a.ALat, b.ALat),
		YawRate: lerp(a.YawRate, b.YawRate), Steering: lerp(a.Steering, b.Steering),
	}
	return out, true, nil
}

func cloneState(s *av.VehicleState) *av.VehicleState {
	return &av.VehicleState{X: s.X, Y: s.Y, Z: s.Z, Yaw: s.Yaw, V: s.V, VLat: s.VLat, A: s.A, ALat: s.ALat, YawRate: s.YawRate, Steering: s.Steering}
}
