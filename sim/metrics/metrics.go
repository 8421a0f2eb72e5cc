package metrics

import (
	"math"

	"github.com/avstack/avstack/geom"
	"github.com/avstack/avstack/msg/av"
)

// nuPlan's comfort bounds (nuplan-devkit ego_is_comfortable): longitudinal acceleration
// -4.05..2.40 m/s^2, lateral 4.89 m/s^2, longitudinal jerk 4.13 m/s^3.
const (
	MinLongAccel = -4.05
	MaxLongAccel = 2.40
	MaxLatAccel  = 4.89
	MaxJerk      = 4.13
)

// CARLA leaderboard infraction penalties (multiplied into the driving score).
const (
	PenaltyPedestrian = 0.50
	PenaltyVehicle    = 0.60
	PenaltyStatic     = 0.65
	PenaltyRedLight   = 0.70
	PenaltyStopSign   = 0.80
)

// Object is another road user at one tick.
type Object struct {
	Name   string
	Class  av.ObjectClass
	Box    geom.Box
	Vx, Vy float64
}

// Sample is the ego's state at one tick.
type Sample struct {
	Time    float64
	EgoBox  geom.Box
	EgoYaw  float64
	EgoV    float64
	ALong   float64
	ALat    float64
	Offroad bool
	OffLane bool
	// Lateral is the ego's (rear axle's) signed offset from the route's reference line (m).
	Lateral   float64
	RouteFrac float64
	Objects   []Object
}

// Collision is the first contact with one object (one per contact episode).
type Collision struct {
	With     string  `json:"with"`
	Class    string  `json:"class"`
	TimeS    float64 `json:"time_s"`
	EgoSpeed float64 `json:"ego_speed"`
	// RelSpeed is the closing speed at contact (norm of the velocity difference).
	RelSpeed float64 `json:"rel_speed"`
	Penalty  float64 `json:"penalty"`
}

// Violation kinds.
const (
	RedLight = "red_light"
	StopSign = "stop_sign"
)

// Violation is a red-light or stop-sign infraction.
type Violation struct {
	Kind     string  `json:"kind"`
	StopLine string  `json:"stop_line"`
	TimeS    float64 `json:"time_s"`
}

// Summary are a run's metrics.
type Summary struct {
	Collisions      int         `json:"collisions"`
	CollisionEvents []Collision `json:"collision_events"`
	OffroadS        float64     `json:"offroad_s"`
	LaneDepartureS  float64     `json:"lane_departure_s"`
	RouteCompletion float64     `json:"route_completion"`
	DrivingScore    float64     `json:"driving_score"`
	// MinTTCS is nil when nothing was ever on a collision course.
	MinTTCS         *float64 `json:"min_ttc_s"`
	MaxAbsLongAccel float64  `json:"max_abs_long_accel"`
	MaxAbsLatAccel  float64  `json:"max_abs_lat_accel"`
	MaxAbsJerk      float64  `json:"max_abs_jerk"`
	// Path tracking: RMS and maximum |offset| of the rear axle from the route's reference line.
	LateralRMS    float64     `json:"lateral_rms_m"`
	MaxAbsLateral float64     `json:"max_abs_lateral_m"`
	MinLongAccel  float64     `json:"min_long_accel"`
	MaxLongAccel  float64     `json:"max_long_accel"`
	Comfortable   bool        `json:"comfortable"`
	Violations    []Violation `json:"violations"`
}

// Recorder accumulates a run.
type Recorder struct {
	dt       float64
	s        Summary
	contact  map[string]bool
	minTTC   float64
	accHist  []float64 // the last filtered accelerations, one per tick
	nAcc     int
	win      []float64 // moving-average window of raw longitudinal acceleration
	winSum   float64
	egoHalfL float64
	latSS    float64
	ticks    int
}

// New returns a recorder for ticks of dt seconds.
func New(dt float64) *Recorder {
	return &Recorder{dt: dt, contact: map[string]bool{}, minTTC: math.Inf(1), s: Summary{Comfortable: true, CollisionEvents: []Collision{}, Violations: []Violation{}}}
}

// filterTicks is the moving-average length for acceleration (0.25 s at 100 Hz); jerk is the
// difference of filtered acceleration over jerkTicks (0.1 s).
func (r *Recorder) filterTicks() int { return max(1, int(math.Round(0.25/r.dt))) }
func (r *Recorder) jerkTicks() int   { return max(1, int(math.Round(0.1/r.dt))) }

// PenaltyFor returns the CARLA penalty of colliding with an object class.
func PenaltyFor(c av.ObjectClass) float64 {
	switch c {
	case av.ObjectClass_OBJECT_CLASS_PEDESTRIAN, av.ObjectClass_OBJECT_CLASS_BICYCLE:
		return PenaltyPedestrian
	case av.ObjectClass_OBJECT_CLASS_STATIC, av.ObjectClass_OBJECT_CLASS_UNKNOWN, av.ObjectClass_OBJECT_CLASS_STOP_SIGN, av.ObjectClass_OBJECT_CLASS_TRAFFIC_LIGHT:
		return PenaltyStatic
	}
	return PenaltyVehicle
}

// Tick records one sample.
func (r *Recorder) Tick(x Sample) {
	if x.Offroad {
		r.s.OffroadS += r.dt
	}
	if x.OffLane {
		r.s.LaneDepartureS += r.dt
	}
	r.ticks++
	r.latSS += x.Lateral * x.Lateral
	r.s.MaxAbsLateral = math.Max(r.s.MaxAbsLateral, math.Abs(x.Lateral))
	if x.RouteFrac > r.s.RouteCompletion {
		r.s.RouteCompletion = math.Min(1, x.RouteFrac)
	}
	// Comfort on the filtered longitudinal acceleration.
	r.win = append(r.win, x.ALong)
	r.winSum += x.ALong
	if len(r.win) > r.filterTicks() {
		r.winSum -= r.win[0]
		r.win = r.win[1:]
	}
	af := r.winSum / float64(len(r.win))
	r.nAcc++
	// Skip the filter's warm-up; keep the last jerkTicks filtered values for the jerk.
	if r.nAcc > r.filterTicks() {
		r.s.MinLongAccel = math.Min(r.s.MinLongAccel, af)
		r.s.MaxLongAccel = math.Max(r.s.MaxLongAccel, af)
		r.s.MaxAbsLongAccel = math.Max(r.s.MaxAbsLongAccel, math.Abs(af))
		if len(r.accHist) == r.jerkTicks() {
			j := (af - r.accHist[0]) / (float64(r.jerkTicks()) * r.dt)
			r.s.MaxAbsJerk = math.Max(r.s.MaxAbsJerk, math.Abs(j))
			r.accHist = r.accHist[1:]
		}
		r.accHist = append(r.accHist, af)
	}
	r.s.MaxAbsLatAccel = math.Max(r.s.MaxAbsLatAccel, math.Abs(x.ALat))
	ex, ey := math.Cos(x.EgoYaw), math.Sin(x.EgoYaw)
	evx, evy := x.EgoV*ex, x.EgoV*ey
	egoR := math.Hypot(x.EgoBox.Length, x.EgoBox.Width) / 2
	for _, o := range x.Objects {
		dist := math.Hypot(o.Box.X-x.EgoBox.X, o.Box.Y-x.EgoBox.Y)
		if dist > 200 {
			r.contact[o.Name] = false
			continue
		}
		hit := false
		if dist <= egoR+math.Hypot(o.Box.Length, o.Box.Width)/2 {
			hit = geom.IntersectionBEV(x.EgoBox, o.Box) > 0
		}
		if hit && !r.contact[o.Name] {
			c := Collision{With: o.Name, Class: className(o.Class), TimeS: x.Time, EgoSpeed: x.EgoV,
				RelSpeed: math.Hypot(evx-o.Vx, evy-o.Vy), Penalty: PenaltyFor(o.Class)}
			r.s.CollisionEvents = append(r.s.CollisionEvents, c)
			r.s.Collisions++
		}
		r.contact[o.Name] = hit
		if ttc, ok := TTC(x.EgoBox, x.EgoYaw, x.EgoV, o); ok && ttc < r.minTTC {
			r.minTTC = ttc
		}
	}
}

// TTC is the constant-velocity time until the ego's front reaches an object in its corridor
// (the object's box overlaps the ego's width, with 0.2 m margin, and is ahead); ok is false
// when the gap is not closing.
func TTC(ego geom.Box, yaw, v float64, o Object) (float64, bool) {
	inv := geom.Pose2{X: ego.X, Y: ego.Y, Yaw: yaw}.Inverse()
	c, s := math.Cos(-yaw), math.Sin(-yaw)
	ovx := c*o.Vx - s*o.Vy // object's velocity along the ego's heading
	minX, minY, maxY := math.Inf(1), math.Inf(1), math.Inf(-1)
	for _, p := range o.Box.Corners2() {
		q := inv.Apply(p)
		minX = math.Min(minX, q.X)
		minY = math.Min(minY, q.Y)
		maxY = math.Max(maxY, q.Y)
	}
	half := ego.Width/2 + 0.2
	if maxY < -half || minY > half {
		return 0, false
	}
	gap := minX - ego.Length/2
	if gap < 0 {
		return 0, false
	}
	closing := v - ovx
	if closing <= 0.01 {
		return 0, false
	}
	return gap / closing, true
}

// Violate records a red-light or stop-sign violation.
func (r *Recorder) Violate(kind, stopLine string, t float64) {
	r.s.Violations = append(r.s.Violations, Violation{Kind: kind, StopLine: stopLine, TimeS: t})
}

// Summary returns the totals so far.
func (r *Recorder) Summary() Summary {
	s := r.s
	s.CollisionEvents = append([]Collision{}, r.s.CollisionEvents...)
	s.Violations = append([]Violation{}, r.s.Violations...)
	if r.ticks > 0 {
		s.LateralRMS = math.Sqrt(r.latSS / float64(r.ticks))
	}
	if !math.IsInf(r.minTTC, 1) {
		v := r.minTTC
		s.MinTTCS = &v
	}
	s.Comfortable = s.MinLongAccel >= MinLongAccel && s.MaxLongAccel <= MaxLongAccel && s.MaxAbsLatAccel <= MaxLatAccel && s.MaxAbsJerk <= MaxJerk
	pen := 1.0
	for _, c := range s.CollisionEvents {
		pen *= c.Penalty
	}
	for _, v := range s.Violations {
		if v.Kind == RedLight {
			pen *= PenaltyRedLight
		} else {
			pen *= PenaltyStopSign
		}
	}
	s.DrivingScore = 100 * s.RouteCompletion * pen
	return s
}

func className(c av.ObjectClass) string {
	n := av.ObjectClass_name[int32(c)]
	const p = "OBJECT_CLASS_"
	if len(n) > len(p) {
		n = n[len(p):]
	}
	return lower(n)
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return string(b)
}
