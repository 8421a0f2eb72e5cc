package motion

import (
	"fmt"
	"math"
	"sort"

	"github.com/avstack/avstack/geom"
	"github.com/avstack/avstack/planning/behavior"
	"github.com/avstack/avstack/planning/predict"
	"github.com/avstack/avstack/planning/route"
	"github.com/avstack/avstack/planning/safety"
)

// Params of the lattice planner.
type Params struct {
	Horizon float64 // s
	Dt      float64 // s
	// Lateral end times and offsets (around the target lane centre) of the lattice.
	LatTimes   []float64
	LatOffsets []float64
	// End times of the longitudinal transitions.
	LonTimes []float64
	// Speed offsets (m/s) around the reference speed for the velocity-keeping family.
	SpeedOffsets []float64
	// Feasibility.
	MaxAccel     float64 // m/s^2
	MaxDecel     float64 // m/s^2 (positive), emergency braking included
	MaxLatAccel  float64 // m/s^2
	MaxCurvature float64 // 1/m
	// Cost weights.
	WJerkLon, WJerkLat, WSpeed, WLat, WProx, WDecel float64
	// Distance (m) between box edges below which proximity costs.
	ProxDist float64
	// Rear axle to front bumper (m).
	FrontOffset float64
	// IDM for the reference speed profile.
	IDM behavior.IDM
	// Comfortable deceleration the reference profile prefers (m/s^2).
	ComfortDecel float64
	// StopBrakeStart: the reference brakes for a stop point from where stopping takes this
	// constant deceleration (m/s^2), see stopAccel.
	StopBrakeStart float64
	// Lateral acceleration the reference speed allows in bends (m/s^2).
	CurveLatAccel float64
}

// DefaultParams for a passenger car with wheelbase L and max steer (rad).
func DefaultParams(wheelbase, maxSteer, frontOffset float64) Params {
	return Params{
		Horizon: 5, Dt: 0.1,
		LatTimes:     []float64{2.0, 3.0, 4.5},
		LatOffsets:   []float64{-0.5, 0, 0.5},
		LonTimes:     []float64{1.0, 2.0, 3.0, 4.5},
		SpeedOffsets: []float64{-2, 0, 1.5},
		MaxAccel:     2.3, MaxDecel: 7.0, MaxLatAccel: 4.0,
		MaxCurvature: 0.9 * math.Tan(maxSteer) / wheelbase,
		WJerkLon:     0.05, WJerkLat: 0.2, WSpeed: 1.0, WLat: 2.0, WProx: 5.0, WDecel: 2.0,
		ProxDist: 1.5, FrontOffset: frontOffset,
		IDM: behavior.DefaultIDM(), ComfortDecel: 3.0, CurveLatAccel: 3.0, StopBrakeStart: 1.2,
	}
}

// Validate names the bad field.
func (p Params) Validate() error {
	if !(p.Dt > 0 && p.Horizon >= 1 && p.Horizon <= 15) {
		return fmt.Errorf("motion: horizon %g / dt %g: want dt > 0 and 1 <= horizon <= 15 s", p.Horizon, p.Dt)
	}
	if len(p.LatTimes) == 0 || len(p.LatOffsets) == 0 || len(p.LonTimes) == 0 {
		return fmt.Errorf("motion: lat_times, lat_offsets and lon_times must not be empty")
	}
	for _, t := range append(append([]float64{}, p.LatTimes...), p.LonTimes...) {
		if !(t > 0) {
			return fmt.Errorf("motion: lattice time %g: want > 0", t)
		}
	}
	if !(p.MaxAccel > 0 && p.MaxDecel > 0 && p.MaxLatAccel > 0 && p.MaxCurvature > 0) {
		return fmt.Errorf("motion: limits must be positive (max_accel %g, max_decel %g, max_lat_accel %g, max_curvature %g)", p.MaxAccel, p.MaxDecel, p.MaxLatAccel, p.MaxCurvature)
	}
	return nil
}

// Frenet is a state along the reference: position, velocity and acceleration in s and d.
type Frenet struct {
	S, SV, SA float64
	D, DV, DA float64
}

// Point is a planned state (rear axle, map frame).
type Point struct {
	T, X, Y, Yaw, V, A, Curvature, S float64
	// Frenet coordinates.
	FS, FD float64
}

// Plan is one chosen trajectory.
type Plan struct {
	Points         []Point
	Decision       behavior.Decision
	SafetyOverride bool
	Reason         string
	Cost           float64
	Candidates     int
	Feasible       int
	lon, lat       profile
}

// profile is a 1D motion: a polynomial, optionally continued by a sampled reference.
type profile struct {
	p   Poly
	ref []float64 // positions sampled at Dt after p.T (nil: constant velocity)
	dt  float64
}

// at evaluates the profile; after the polynomial it follows ref (position samples).
func (pr profile) at(t float64) (x, v, a float64) {
	if t <= pr.p.T || pr.ref == nil {
		x, v, a, _ = pr.p.Eval(t)
		return
	}
	k := t / pr.dt
	i := int(k)
	if i >= len(pr.ref)-1 {
		n := len(pr.ref)
		v = (pr.ref[n-1] - pr.ref[n-2]) / pr.dt
		return pr.ref[n-1] + v*(t-float64(n-1)*pr.dt), v, 0
	}
	u := k - float64(i)
	x = pr.ref[i]*(1-u) + pr.ref[i+1]*u
	v = (pr.ref[i+1] - pr.ref[i]) / pr.dt
	if i+2 < len(pr.ref) {
		v2 := (pr.ref[i+2] - pr.ref[i+1]) / pr.dt
		a = (v2 - v) / pr.dt
	}
	return
}

// Planner is the Frenet lattice planner. It keeps the previous plan to start the next one from
// it (so that replanning does not fight the controller).
type Planner struct {
	P      Params
	Shield safety.Shield
	prev   *Plan
	prevT  int64
}

// NewPlanner checks the parameters.
func NewPlanner(p Params, sh safety.Shield) (*Planner, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return &Planner{P: p, Shield: sh}, nil
}

// Reset forgets the previous plan.
func (pl *Planner) Reset() { pl.prev = nil }

// EgoState measured (rear axle, map frame).
type EgoState struct {
	X, Y, Yaw, V, A float64
}

// StartState converts a measured state to Frenet.
func StartState(rt *route.Route, e EgoState) Frenet {
	s, d := rt.Ref.Project(geom.Vec2{X: e.X, Y: e.Y})
	dy := geom.NormalizeAngle(e.Yaw - rt.Ref.Yaw(s))
	k := rt.Ref.Curvature(s)
	den := 1 - k*d
	if den < 0.2 {
		den = 0.2
	}
	return Frenet{S: s, SV: math.Max(0, e.V*math.Cos(dy)/den), SA: e.A * math.Cos(dy), D: d, DV: e.V * math.Sin(dy)}
}

// refSpeed integrates IDM toward the decision's leader and stop point over the horizon: the
// reference the longitudinal candidates transition to. It returns positions s(t) and speeds.
func (pl *Planner) refSpeed(rt *route.Route, start Frenet, dec behavior.Decision, n int) (pos, vel []float64) {
	p := pl.P
	pos, vel = make([]float64, n), make([]float64, n)
	s, v := start.S, start.SV
	var leadS0, leadV, leadLen float64
	if dec.Lead != nil {
		leadS0, leadV, leadLen = dec.Lead.S, math.Max(dec.Lead.VS, 0), dec.Lead.Length
	}
	for i := 0; i < n; i++ {
		pos[i], vel[i] = s, v
		t := float64(i) * p.Dt
		gap, dv := math.Inf(1), 0.0
		if dec.Lead != nil {
			gap = leadS0 + leadV*t - leadLen/2 - (s + p.FrontOffset)
			dv = v - leadV
		}
		a := p.IDM.Accel(v, math.Min(dec.TargetSpeed, pl.curveSpeed(rt, s)), gap, dv)
		if dec.HasStop {
			a = math.Min(a, stopAccel(v, dec.StopS-(s+p.FrontOffset)-0.5, p.StopBrakeStart))
		}
		a = math.Max(-p.MaxDecel, math.Min(a, p.MaxAccel))
		nv := math.Max(0, v+a*p.Dt)
		s += (v + nv) / 2 * p.Dt
		v = nv
	}
	return pos, vel
}

// stopAccel is the reference acceleration for a stop g metres ahead at speed v: the constant
// deceleration that stops exactly there, v^2/(2g), once it reaches brakeStart (m/s^2), and no
// braking before that. IDM with a standing leader at the stop point overreacts when the stop
// comes into view late: from 13.5 m/s, 34 m before a crosswalk, IDM asks for 6.1 m/s^2 where
// 2.7 m/s^2 stops the car (its time-headway and desired-gap terms assume a leader to follow).
func stopAccel(v, g, brakeStart float64) float64 {
	if g <= 0 {
		if v > 0 {
			return -math.Inf(1) // at or past the point: the caller clamps to its max decel
		}
		return 0
	}
	need := v * v / (2 * g)
	if need < brakeStart {
		return math.Inf(1)
	}
	return -need
}

// curveSpeed is the highest speed at s from which the car can still slow, at ComfortDecel/2,
// to the speed every bend within 80 m ahead allows at CurveLatAccel.
func (pl *Planner) curveSpeed(rt *route.Route, s float64) float64 {
	v := math.Inf(1)
	b := pl.P.ComfortDecel / 2
	for ds := 0.0; ds <= 80; ds += 4 {
		k := math.Abs(rt.Ref.Curvature(s + ds))
		if k < 1e-4 {
			continue
		}
		vc := math.Sqrt(pl.P.CurveLatAccel / k)
		v = math.Min(v, math.Sqrt(vc*vc+2*b*ds))
	}
	return v
}

type candidate struct {
	lon, lat profile
	cost     float64
	pts      []Point
	kind     string
}

// Plan builds the lattice from the start state, rejects infeasible candidates, ranks the rest by
// cost and returns the cheapest one that the shield passes. When none passes it returns an
// in-lane braking trajectory marked SafetyOverride.
func (pl *Planner) Plan(now int64, rt *route.Route, ego EgoState, dec behavior.Decision, preds []predict.Prediction) Plan {
	p := pl.P
	n := int(math.Round(p.Horizon/p.Dt)) + 1
	meas := StartState(rt, ego)
	start := meas
	if pl.prev != nil {
		tau := float64(now-pl.prevT) / 1e9
		if tau >= 0 && tau < 1 {
			s, sv, sa := pl.prev.lon.at(tau)
			d, dv, da := pl.prev.lat.at(tau)
			if math.Abs(s-meas.S) < 1.5 && math.Abs(d-meas.D) < 0.4 && math.Abs(sv-meas.SV) < 1.5 {
				start = Frenet{S: s, SV: sv, SA: sa, D: d, DV: dv, DA: da}
			}
		}
	}
	refPos, refVel := pl.refSpeed(rt, start, dec, n+int(10/p.Dt))

	// Longitudinal family 1: transition onto the IDM reference at time T (quintic), then ride it.
	var lons []profile
	for _, T := range p.LonTimes {
		k := int(math.Round(T / p.Dt))
		if k >= len(refPos)-2 {
			continue
		}
		aT := (refVel[k+1] - refVel[k]) / p.Dt
		if refVel[k] == 0 {
			aT = 0
		}
		q := Quintic(start.S, start.SV, start.SA, refPos[k], refVel[k], aT, T)
		lons = append(lons, profile{p: q, ref: refPos[k:], dt: p.Dt})
	}
	// Family 2: velocity keeping (quartic) to speeds around the reference's speed at T.
	for _, T := range p.LonTimes {
		k := int(math.Round(T / p.Dt))
		if k >= len(refVel) {
			k = len(refVel) - 1
		}
		for _, dv := range p.SpeedOffsets {
			vT := refVel[k] + dv
			if vT < 0 || (dv > 0 && vT > dec.TargetSpeed+0.5) {
				continue
			}
			lons = append(lons, profile{p: Quartic(start.S, start.SV, start.SA, vT, 0, T), dt: p.Dt})
		}
	}
	// Lateral family: quintics to the target lane centre (plus offsets) at several end times.
	var lats []profile
	for _, T := range p.LatTimes {
		for _, off := range p.LatOffsets {
			lats = append(lats, profile{p: Quintic(start.D, start.DV, start.DA, dec.TargetD+off, 0, 0, T), dt: p.Dt})
		}
	}

	var cands []candidate
	feasible := 0
	for _, lo := range lons {
		for _, la := range lats {
			c, ok := pl.build(rt, lo, la, n, dec, refVel)
			if !ok {
				continue
			}
			feasible++
			c.cost += pl.proximity(c.pts, preds)
			cands = append(cands, c)
		}
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].cost < cands[j].cost })
	total := len(lons) * len(lats)
	for _, c := range cands {
		v := pl.Shield.Check(toEgo(c.pts), preds)
		if v.Safe {
			plan := Plan{Points: c.pts, Decision: dec, Cost: c.cost, Candidates: total, Feasible: feasible, lon: c.lon, lat: c.lat, Reason: dec.Reason}
			pl.prev, pl.prevT = &plan, now
			return plan
		}
	}
	// Nothing passed: brake in lane as hard as allowed, keeping the lateral motion toward the
	// current lane centre.
	fb := pl.fallback(rt, start, meas, n)
	why := "no feasible candidate"
	if feasible > 0 {
		why = "shield vetoed every candidate"
		if v := pl.Shield.Check(toEgo(cands[0].pts), preds); !v.Safe {
			why += ": " + v.Reason
		}
	}
	fb.Decision, fb.SafetyOverride, fb.Reason, fb.Candidates, fb.Feasible = dec, true, why, total, feasible
	fb.Decision.Manoeuvre = "emergency_brake"
	pl.prev, pl.prevT = &fb, now
	return fb
}

func (pl *Planner) fallback(rt *route.Route, start, meas Frenet, n int) Plan {
	p := pl.P
	v0 := math.Max(start.SV, 0)
	tStop := v0 / p.MaxDecel
	q := Poly{T: tStop}
	q.C[0], q.C[1], q.C[2] = start.S, v0, -p.MaxDecel/2
	if tStop == 0 {
		q = Poly{T: 0.001}
		q.C[0] = start.S
	}
	lon := profile{p: q, dt: p.Dt}
	laneD := nearest(rt.LaneOffsets(start.S), start.D)
	lat := profile{p: Quintic(start.D, start.DV, 0, laneD, 0, 0, 3), dt: p.Dt}
	pts := pl.sample(rt, lon, lat, n)
	return Plan{Points: pts, lon: lon, lat: lat}
}

func nearest(offs []float64, d float64) float64 {
	best := offs[0]
	for _, o := range offs {
		if math.Abs(o-d) < math.Abs(best-d) {
			best = o
		}
	}
	return best
}

// sample converts a Frenet candidate to Cartesian points.
func (pl *Planner) sample(rt *route.Route, lon, lat profile, n int) []Point {
	p := pl.P
	pts := make([]Point, n)
	for i := 0; i < n; i++ {
		t := float64(i) * p.Dt
		s, sv, sa := lon.at(t)
		if sv < 0 { // a stopped profile stays stopped
			sv = 0
		}
		d, dv, _ := lat.at(t)
		pt, yaw, nrm := rt.Ref.Frame(s)
		q := pt.Add(nrm.Scale(d))
		k := rt.Ref.Curvature(s)
		den := 1 - k*d
		vx := sv * den
		heading := yaw
		if sv > 0.3 {
			heading = geom.NormalizeAngle(yaw + math.Atan2(dv, vx))
		}
		pts[i] = Point{T: t, X: q.X, Y: q.Y, Yaw: heading, V: math.Hypot(vx, dv), A: sa, FS: s, FD: d}
	}
	// Curvature and arc length from the Cartesian points.
	for i := 1; i < n; i++ {
		pts[i].S = pts[i-1].S + math.Hypot(pts[i].X-pts[i-1].X, pts[i].Y-pts[i-1].Y)
	}
	for i := 0; i < n; i++ {
		a, b := i-1, i+1
		if a < 0 {
			a = 0
		}
		if b > n-1 {
			b = n - 1
		}
		ds := pts[b].S - pts[a].S
		if ds > 0.2 {
			pts[i].Curvature = geom.NormalizeAngle(pts[b].Yaw-pts[a].Yaw) / ds
		} else {
			pts[i].Curvature = rt.Ref.Curvature(pts[i].FS)
		}
	}
	return pts
}

func (pl *Planner) build(rt *route.Route, lon, lat profile, n int, dec behavior.Decision, refVel []float64) (candidate, bool) {
	p := pl.P
	pts := pl.sample(rt, lon, lat, n)
	cost := 0.0
	for i, q := range pts {
		_, sv, sa := lon.at(q.T)
		if sv < -0.2 || sa > p.MaxAccel+1e-6 || sa < -p.MaxDecel-1e-6 {
			return candidate{}, false
		}
		if q.V > 1 && (math.Abs(q.Curvature) > p.MaxCurvature || q.V*q.V*math.Abs(q.Curvature) > p.MaxLatAccel) {
			return candidate{}, false
		}
		if dec.HasStop && q.FS+p.FrontOffset > dec.StopS+0.3 && q.FS+p.FrontOffset > pts[0].FS+p.FrontOffset+0.3 {
			return candidate{}, false
		}
		dv := sv - refVel[i]
		cost += p.WSpeed * dv * dv * p.Dt
		if sa < -pl.P.ComfortDecel {
			e := -sa - pl.P.ComfortDecel
			cost += p.WDecel * e * e * p.Dt
		}
		dd := q.FD - dec.TargetD
		cost += p.WLat * dd * dd * p.Dt
	}
	cost += p.WJerkLon*lon.p.JerkSquared() + p.WJerkLat*lat.p.JerkSquared()
	return candidate{lon: lon, lat: lat, cost: cost, pts: pts}, true
}

// proximity costs being near predicted objects (centre distance minus the boxes' half diagonals).
func (pl *Planner) proximity(pts []Point, preds []predict.Prediction) float64 {
	p := pl.P
	cost := 0.0
	f := pl.Shield.Ego
	er := 0.5 * math.Hypot(f.Length, f.Width)
	for i := 0; i < len(pts); i += 5 {
		q := pts[i]
		cx, cy := q.X+f.CentreOffset*math.Cos(q.Yaw), q.Y+f.CentreOffset*math.Sin(q.Yaw)
		for _, pr := range preds {
			st := pr.Paths[0].At(q.T)
			or := 0.5 * math.Hypot(pr.Box.Length, pr.Box.Width)
			gap := math.Hypot(st.X-cx, st.Y-cy) - er - or + 1.0
			if gap < p.ProxDist {
				e := p.ProxDist - gap
				cost += p.WProx * e * e * 0.5
			}
		}
	}
	return cost
}

func toEgo(pts []Point) []safety.EgoState {
	out := make([]safety.EgoState, len(pts))
	for i, q := range pts {
		out[i] = safety.EgoState{T: q.T, X: q.X, Y: q.Y, Yaw: q.Yaw, V: q.V, A: q.A}
	}
	return out
}
