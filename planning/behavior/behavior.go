package behavior

import (
	"fmt"
	"math"
	"sort"

	"github.com/avstack/avstack/msg/av"
)

// Manoeuvres a policy can choose.
const (
	LaneKeep        = "lane_keep"
	Follow          = "follow"
	LaneChangeLeft  = "lane_change_left"
	LaneChangeRight = "lane_change_right"
	YieldCrosswalk  = "yield_crosswalk"
	StopLine        = "stop_line"
	StopGoal        = "stop_goal"
	PullOver        = "pull_over"
)

// Agent is another road user in the route's Frenet frame.
type Agent struct {
	ID     uint64
	Class  av.ObjectClass
	S, D   float64 // centre
	VS, VD float64 // rates along and across the reference
	Length float64
	Width  float64
}

// Ego in the Frenet frame (rear axle projected; FrontS is the front bumper's s).
type Ego struct {
	S, D, V, A float64
	FrontS     float64
	Length     float64
	Width      float64
}

// Crosswalk span along the reference.
type Crosswalk struct{ S0, S1 float64 }

// StopPoint is a stop line ahead (s of the line).
type StopPoint struct {
	S    float64
	Kind string
}

// Situation is everything a policy sees, in the route's Frenet frame.
type Situation struct {
	Now int64
	Ego Ego
	// Agents around the ego.
	Agents []Agent
	// Centres of the lanes beside the route lane (offsets, left positive; 0 = route lane).
	LaneOffsets []float64
	// LaneRemaining[i]: how far lane LaneOffsets[i] goes on ahead (m, +Inf when far); nil = all far.
	LaneRemaining []float64
	LaneWidth     float64
	SpeedLimit    float64
	StopLines     []StopPoint
	Crosswalks    []Crosswalk
	GoalS         float64
	StopAtGoal    bool
	// A request to stop (pull over) from outside, e.g. a passenger or an operator.
	StopRequested bool
}

// Decision is what a policy asks the motion planner for.
type Decision struct {
	Manoeuvre string
	// Desired cruise speed (m/s) and lateral offset of the target lane centre.
	TargetSpeed float64
	TargetD     float64
	// Stop so that the front bumper is at StopS (when HasStop).
	HasStop bool
	StopS   float64
	// The vehicle to follow in the target lane (nil = none).
	Lead *Agent
	// IDM acceleration the policy computed (informative; the planner's speed candidates centre on it).
	Accel  float64
	Reason string
}

// Policy chooses a manoeuvre. Implementations may keep state; Decide is called in time order.
// A learned policy implements this interface too.
type Policy interface {
	Name() string
	Decide(s Situation) Decision
}

// Vetoer is implemented by policies that need to hear when the safety shield refuses their
// decision (the planner then asks again).
type Vetoer interface {
	Veto(d Decision, now int64, reason string)
}

// IDM is the Intelligent Driver Model (Treiber, Hennecke, Helbing 2000).
type IDM struct {
	V0    float64 // desired speed, set per call
	T     float64 // time headway, s
	S0    float64 // jam distance, m
	A     float64 // max acceleration
	B     float64 // comfortable deceleration (positive)
	Delta float64
}

// DefaultIDM parameters for a passenger car.
func DefaultIDM() IDM { return IDM{T: 1.5, S0: 4, A: 1.5, B: 2.0, Delta: 4} }

// Accel is IDM's acceleration at speed v with a leader gap (bumper to bumper) closing at dv = v -
// vLead; gap = +Inf means a free road.
func (m IDM) Accel(v, v0, gap, dv float64) float64 {
	free := 1.0
	if v0 > 0 {
		free = 1 - math.Pow(math.Max(v, 0)/v0, m.Delta)
	} else {
		free = -1
	}
	if math.IsInf(gap, 1) {
		return m.A * free
	}
	gap = math.Max(gap, 0.1)
	sStar := m.S0 + math.Max(0, v*m.T+v*dv/(2*math.Sqrt(m.A*m.B)))
	return m.A * (free - (sStar/gap)*(sStar/gap))
}

// MOBIL is the lane-change model "Minimizing Overall Braking Induced by Lane changes" (Kesting,
// Treiber, Helbing 2007): change when the ego's gain minus politeness times the followers' loss
// exceeds a threshold, and the new follower need not brake harder than BSafe.
type MOBIL struct {
	Politeness float64
	Threshold  float64 // m/s^2
	BSafe      float64 // m/s^2 (positive)
	// Bias toward the route lane (m/s^2), added when the change moves toward offset 0 (and
	// taken off when it moves away). Above Threshold, so the ego returns to the route lane
	// whenever that is safe.
	KeepRouteBias float64
}

// DefaultMOBIL parameters.
func DefaultMOBIL() MOBIL {
	return MOBIL{Politeness: 0.2, Threshold: 0.3, BSafe: 3.0, KeepRouteBias: 0.4}
}

// Incentive of a change: the ego's acceleration gain (aNew - aOld) minus politeness times the
// deceleration it imposes on the new follower (newFollowerBefore - newFollowerAfter) and on the
// old follower (oldFollowerBefore - oldFollowerAfter). ok is false when the new follower would
// have to brake harder than BSafe.
func (m MOBIL) Incentive(aOld, aNew, newFollowerBefore, newFollowerAfter, oldFollowerBefore, oldFollowerAfter float64) (gain float64, ok bool) {
	if newFollowerAfter < -m.BSafe {
		return math.Inf(-1), false
	}
	gain = aNew - aOld - m.Politeness*((newFollowerBefore-newFollowerAfter)+(oldFollowerBefore-oldFollowerAfter))
	return gain, true
}

// RuleBased is the hand-written policy: keep lane, follow with IDM, change lanes with MOBIL,
// yield at crosswalks, stop at stop lines and the goal, pull over on request.
type RuleBased struct {
	IDM   IDM
	MOBIL MOBIL
	// Cruise speed when the road has no limit (m/s).
	Cruise float64
	// Stop-sign dwell: stand at a stop sign this long (s) before going on.
	StopDwell float64
	// Pedestrians within this lateral distance (m) of the ego's lane, or walking toward it, block a crosswalk.
	CrosswalkLateral float64
	// Seconds between lane changes (avoids dithering).
	LaneChangeCooldown float64
	// A signal that turns on when stopping would need more than this deceleration (m/s^2) is
	// driven through.
	DilemmaDecel float64
	// Occlusion caution: on roads limited to OcclusionRoadLimit (m/s) or less, a stopped vehicle
	// (or crawling: under 2 m/s, which also absorbs track noise) beside the path (within
	// OcclusionGap m of the ego's body) hides whoever may step out in front of it, so the ego
	// passes it at no more than OcclusionSpeed (m/s), slowing at OcclusionDecel (m/s^2) before
	// it. OcclusionSpeed 0 turns the rule off.
	OcclusionSpeed, OcclusionRoadLimit, OcclusionGap, OcclusionDecel float64
	// Crosswalk approach: on those roads the ego is at no more than CrosswalkSpeed (m/s) once a
	// crosswalk is CrosswalkRange (m) ahead, slowing at OcclusionDecel before, so that a
	// pedestrian first seen there (perception's reliable range for walkers) can still be
	// stopped for at a comfortable deceleration. CrosswalkSpeed 0 turns it off.
	CrosswalkSpeed, CrosswalkRange float64

	targetD      float64
	haveTarget   bool
	lastChange   int64
	stopDone     map[float64]bool
	stoppedSince int64
	laneChanging bool
	vetoUntil    int64
	signalGo     map[float64]bool
	lastVeto     string
}

// Veto implements Vetoer: a refused lane change is abandoned (the ego goes back to the lane
// it is in) and not tried again for a second.
func (r *RuleBased) Veto(d Decision, now int64, reason string) {
	if d.Manoeuvre == LaneChangeLeft || d.Manoeuvre == LaneChangeRight {
		r.laneChanging = false
		r.haveTarget = false
		r.vetoUntil = now + 1e9
		r.lastVeto = reason
	}
}

// NewRuleBased with default parameters.
func NewRuleBased() *RuleBased {
	return &RuleBased{IDM: DefaultIDM(), MOBIL: DefaultMOBIL(), Cruise: 15, StopDwell: 1.0, CrosswalkLateral: 4.0, LaneChangeCooldown: 4, DilemmaDecel: 3.5,
		OcclusionSpeed: 7, OcclusionRoadLimit: 16.7, OcclusionGap: 2.5, OcclusionDecel: 1.5,
		CrosswalkSpeed: 11, CrosswalkRange: 45}
}

// Name implements Policy.
func (*RuleBased) Name() string { return "rule_based" }

func nearestOffset(offs []float64, d float64) float64 {
	best := 0.0
	for i, o := range offs {
		if i == 0 || math.Abs(o-d) < math.Abs(best-d) {
			best = o
		}
	}
	return best
}

// inLane reports whether an agent overlaps the lane centred at laneD of width w now or within
// lookahead seconds (cut-ins).
func inLane(a Agent, laneD, w, egoWidth float64, lookahead float64) bool {
	half := w/2 + a.Width/2 - 0.3
	if half < egoWidth/2 {
		half = egoWidth / 2
	}
	if math.Abs(a.D-laneD) < half {
		return true
	}
	dd := a.D + a.VD*lookahead
	// Moving toward the lane and reaching it within the lookahead.
	return math.Abs(dd-laneD) < half && math.Abs(a.VD) > 0.2 && (a.D-laneD)*a.VD < 0
}

// leadIn finds the nearest agent ahead of the ego's front in the lane at laneD, and the nearest
// behind its rear.
func leadIn(s Situation, laneD float64, lookahead float64) (lead, follow *Agent) {
	for i := range s.Agents {
		a := &s.Agents[i]
		if vulnerable(*a) && math.Abs(a.VS) < fastWalker {
			continue // walkers are yielded to, not followed
		}
		if !inLane(*a, laneD, s.LaneWidth, s.Ego.Width, lookahead) {
			continue
		}
		rear := s.Ego.FrontS - s.Ego.Length
		if a.S-a.Length/2 > s.Ego.FrontS-1 {
			if lead == nil || a.S < lead.S {
				lead = a
			}
		} else if a.S+a.Length/2 < rear+1 {
			if follow == nil || a.S > follow.S {
				follow = a
			}
		} else if lead == nil || a.S < lead.S {
			lead = a // alongside and in the lane: treat as the leader (most conservative)
		}
	}
	return lead, follow
}

func isPedestrian(c av.ObjectClass) bool { return c == av.ObjectClass_OBJECT_CLASS_PEDESTRIAN }

// fastWalker (m/s along the road): a vulnerable-class object faster than this is treated as a
// vehicle (perception misclassification), followed rather than yielded to.
const fastWalker = 4.0

// vulnerable: pedestrians, cyclists, and unclassified objects of a person's footprint (a
// perception without class hints reports walkers as UNKNOWN).
func vulnerable(a Agent) bool {
	switch a.Class {
	case av.ObjectClass_OBJECT_CLASS_PEDESTRIAN, av.ObjectClass_OBJECT_CLASS_BICYCLE:
		return true
	case av.ObjectClass_OBJECT_CLASS_UNKNOWN:
		return a.Length < 1.2 && a.Width < 1.2
	}
	return false
}

func (r *RuleBased) idmTo(s Situation, v0 float64, lead *Agent) float64 {
	if lead == nil {
		return r.IDM.Accel(s.Ego.V, v0, math.Inf(1), 0)
	}
	gap := lead.S - lead.Length/2 - s.Ego.FrontS
	return r.IDM.Accel(s.Ego.V, v0, gap, s.Ego.V-math.Max(lead.VS, 0))
}

// accelOf is IDM for a follower agent behind a leader at gap.
func (r *RuleBased) accelOf(v, v0, gap, vLead float64) float64 {
	return r.IDM.Accel(v, v0, gap, v-vLead)
}

// Decide implements Policy.
func (r *RuleBased) Decide(s Situation) Decision {
	if r.stopDone == nil {
		r.stopDone = map[float64]bool{}
		r.signalGo = map[float64]bool{}
	}
	v0 := s.SpeedLimit
	if v0 <= 0 {
		v0 = r.Cruise
	}
	offs := s.LaneOffsets
	if len(offs) == 0 {
		offs = []float64{0}
	}
	cur := nearestOffset(offs, s.Ego.D)
	if !r.haveTarget {
		r.targetD, r.haveTarget = cur, true
	}
	// A lane change is complete when the ego is near the target lane centre.
	if r.laneChanging && math.Abs(s.Ego.D-r.targetD) < 0.3 {
		r.laneChanging = false
	}
	if !r.laneChanging {
		r.targetD = cur
	}
	dec := Decision{Manoeuvre: LaneKeep, TargetSpeed: v0, TargetD: r.targetD}

	lead, _ := leadIn(s, r.targetD, 1.5)
	aCur := r.idmTo(s, v0, lead)
	dec.Accel = aCur
	if lead != nil {
		gap := lead.S - lead.Length/2 - s.Ego.FrontS
		if gap < 3*v0+20 {
			dec.Manoeuvre, dec.Lead = Follow, lead
			dec.Reason = "following"
		}
	}

	if v, ok := r.crosswalkLimit(s, v0); ok && v < dec.TargetSpeed {
		dec.TargetSpeed = v
		if dec.Manoeuvre == LaneKeep {
			dec.Reason = "approaching a crosswalk"
		}
	}
	if v, id, ok := r.occlusionLimit(s, v0); ok && v < dec.TargetSpeed {
		dec.TargetSpeed = v
		if dec.Manoeuvre == LaneKeep {
			dec.Reason = fmt.Sprintf("passing stopped object %d slowly (occlusion)", id)
		}
	}

	// Lane change (MOBIL), only when not already changing, not stopping, and after the cooldown.
	cooled := (r.lastChange == 0 || float64(s.Now-r.lastChange)/1e9 > r.LaneChangeCooldown) && s.Now >= r.vetoUntil
	if !r.laneChanging && cooled && !s.StopRequested && s.Ego.V > 3 {
		bestGain, bestD := math.Inf(-1), cur
		for i, cand := range offs {
			if cand == cur || math.Abs(cand-cur) > s.LaneWidth*1.5 {
				continue
			}
			// Never change into a lane that ends soon (an acceleration lane, a lane drop).
			if i < len(s.LaneRemaining) && s.LaneRemaining[i] < math.Max(150, 10*s.Ego.V) {
				continue
			}
			nLead, nFollow := leadIn(s, cand, 0)
			aNew := r.idmTo(s, v0, nLead)
			var nfBefore, nfAfter float64
			if nFollow != nil {
				fv := math.Max(nFollow.VS, 0)
				if nLead != nil {
					nfBefore = r.accelOf(fv, v0, nLead.S-nLead.Length/2-(nFollow.S+nFollow.Length/2), nLead.VS)
				} else {
					nfBefore = r.accelOf(fv, v0, math.Inf(1), 0)
				}
				nfAfter = r.accelOf(fv, v0, s.Ego.FrontS-s.Ego.Length-(nFollow.S+nFollow.Length/2), s.Ego.V)
			}
			gain, ok := r.MOBIL.Incentive(aCur, aNew, nfBefore, nfAfter, 0, 0)
			if !ok {
				continue
			}
			if math.Abs(cand) < math.Abs(cur) {
				gain += r.MOBIL.KeepRouteBias
			} else {
				gain -= r.MOBIL.KeepRouteBias
			}
			if gain > r.MOBIL.Threshold && gain > bestGain {
				bestGain, bestD = gain, cand
			}
		}
		if bestD != cur {
			r.targetD, r.laneChanging, r.lastChange = bestD, true, s.Now
			dec.TargetD = bestD
			if bestD > cur {
				dec.Manoeuvre = LaneChangeLeft
			} else {
				dec.Manoeuvre = LaneChangeRight
			}
			nLead, _ := leadIn(s, bestD, 1.5)
			dec.Lead, dec.Accel = nLead, r.idmTo(s, v0, nLead)
			dec.Reason = "MOBIL incentive"
		}
	} else if r.laneChanging {
		if r.targetD > cur || s.Ego.D < r.targetD {
			dec.Manoeuvre = LaneChangeLeft
		}
		if s.Ego.D > r.targetD {
			dec.Manoeuvre = LaneChangeRight
		}
	}

	// Stops: the nearest reason to stop ahead wins.
	// The manoeuvre is named after a stop only once it matters: within the distance to stop
	// comfortably (2 m/s^2) plus 30 m.
	near := s.Ego.V*s.Ego.V/(2*2.0) + 30
	stop := func(at float64, kind, why string) {
		if !dec.HasStop || at < dec.StopS {
			dec.HasStop, dec.StopS = true, at
			if at-s.Ego.FrontS < near {
				dec.Manoeuvre, dec.Reason = kind, why
			}
		}
	}
	seen := map[float64]bool{}
	for _, sl := range s.StopLines {
		seen[sl.S] = true
		if sl.S < s.Ego.FrontS-2 || r.stopDone[sl.S] {
			continue
		}
		if sl.Kind == "signal" || sl.Kind == "traffic_light" {
			// Dilemma zone: a light that turns on when the ego can no longer stop comfortably is
			// driven through (it is yellow first), and stays ignored until it turns off.
			if drive, known := r.signalGo[sl.S]; known {
				if drive {
					continue
				}
			} else {
				d := sl.S - s.Ego.FrontS
				need := s.Ego.V * s.Ego.V / (2 * math.Max(d, 0.1))
				r.signalGo[sl.S] = need > r.DilemmaDecel
				if r.signalGo[sl.S] {
					continue
				}
			}
		}
		if sl.Kind == "lane_end" {
			stop(sl.S, StopLine, "end of lane")
			continue
		}
		if sl.Kind == "stop_sign" && s.Ego.V < 0.3 && sl.S-s.Ego.FrontS < 3 {
			if r.stoppedSince == 0 {
				r.stoppedSince = s.Now
			}
			if float64(s.Now-r.stoppedSince)/1e9 >= r.StopDwell {
				r.stopDone[sl.S], r.stoppedSince = true, 0
				continue
			}
		}
		stop(sl.S-0.5, StopLine, "stop line ("+sl.Kind+")")
	}
	for k := range r.signalGo {
		if !seen[k] {
			delete(r.signalGo, k)
		}
	}
	for _, cw := range s.Crosswalks {
		if cw.S1 < s.Ego.FrontS {
			continue
		}
		for _, a := range s.Agents {
			if !vulnerable(a) {
				continue
			}
			if a.S < cw.S0-3 || a.S > cw.S1+3 {
				continue
			}
			dLane := a.D - r.targetD
			near := math.Abs(dLane) < r.CrosswalkLateral
			toward := dLane*a.VD < 0 && math.Abs(a.VD) > 0.3 && math.Abs(dLane) < r.CrosswalkLateral+3*math.Abs(a.VD)
			if near || toward {
				stop(cw.S0-2, YieldCrosswalk, "pedestrian at crosswalk")
				break
			}
		}
	}
	// Vulnerable road users anywhere (not only at crosswalks): one in the ego's lane ahead, or
	// walking or riding across toward it so that it gets there before the ego has passed, is
	// yielded to by stopping short of it.
	for _, a := range s.Agents {
		if !vulnerable(a) || math.Abs(a.VS) >= fastWalker {
			continue // a "walker" moving fast along the road is a misclassified vehicle: followed
		}
		ahead := a.S - a.Length/2 - s.Ego.FrontS
		if ahead < -1 || ahead > 100 {
			continue
		}
		if a.Class == av.ObjectClass_OBJECT_CLASS_BICYCLE && math.Abs(a.VD) < math.Abs(a.VS) {
			continue // riding along the road: a leader, handled by following
		}
		dLane := a.D - r.targetD
		edge := s.LaneWidth/2 + s.Ego.Width/2 + 0.3 // lateral clearance the ego needs
		inPath := math.Abs(dLane) < edge
		toward := dLane*a.VD < 0 && math.Abs(a.VD) > 0.3
		if !inPath && toward {
			reach := (math.Abs(dLane) - edge) / math.Abs(a.VD)      // when it enters the path
			pass := (ahead+s.Ego.Length)/math.Max(s.Ego.V, 1) + 1.0 // when the ego is past it
			inPath = reach < pass
		}
		if inPath && !(dLane*a.VD > 0 && math.Abs(a.VD) > 0.3 && math.Abs(dLane) > s.Ego.Width/2+0.5) {
			stop(a.S-a.Length/2-2.5, YieldCrosswalk, "yielding to a road user crossing")
		}
	}
	if s.StopAtGoal && s.GoalS > 0 {
		// Just past the goal, so that the front bumper reaches it. Always present: IDM's reference
		// profile only brakes for it when it is near.
		stop(s.GoalS+3, StopGoal, "goal")
	}
	if s.StopRequested {
		dec.TargetD = offs[0] // rightmost lane
		stop(s.Ego.FrontS+math.Max(20, s.Ego.V*s.Ego.V/(2*2.0)+5), PullOver, "stop requested")
	}
	return dec
}

// crosswalkLimit is the speed cap for approaching crosswalks (see RuleBased.CrosswalkSpeed):
// CrosswalkSpeed from CrosswalkRange before a crosswalk until the ego's front is past it, and
// before that the speed from which OcclusionDecel reaches it there.
func (r *RuleBased) crosswalkLimit(s Situation, v0 float64) (float64, bool) {
	if r.CrosswalkSpeed <= 0 || v0 > r.OcclusionRoadLimit {
		return 0, false
	}
	best, found := v0, false
	for _, cw := range s.Crosswalks {
		if cw.S1 < s.Ego.FrontS {
			continue // passed
		}
		if v := approachSpeed(r.CrosswalkSpeed, r.OcclusionDecel, cw.S0-s.Ego.FrontS-r.CrosswalkRange); v < best {
			best, found = v, true
		}
	}
	return best, found
}

// approachSpeed is the highest speed from which braking at decel reaches limit in d metres
// (limit itself once d <= 0).
func approachSpeed(limit, decel, d float64) float64 {
	return math.Sqrt(limit*limit + 2*decel*math.Max(0, d))
}

// occlusionLimit is the speed cap for passing stopped vehicles beside the path (see
// RuleBased.OcclusionSpeed), and the object that sets it. Before the object the cap is the speed
// from which OcclusionDecel reaches OcclusionSpeed 10 m before its rear, so the ego slows
// smoothly; it depends on distance only, never on the ego's speed (no on/off dithering).
func (r *RuleBased) occlusionLimit(s Situation, v0 float64) (float64, uint64, bool) {
	if r.OcclusionSpeed <= 0 || v0 > r.OcclusionRoadLimit {
		return 0, 0, false
	}
	best, id, found := v0, uint64(0), false
	for _, a := range s.Agents {
		if vulnerable(a) || math.Hypot(a.VS, a.VD) > 2 || a.Length < 3 {
			continue
		}
		rear, front := a.S-a.Length/2-s.Ego.FrontS, a.S+a.Length/2-s.Ego.FrontS
		if front < 0 {
			continue // passed
		}
		gap := math.Abs(a.D-r.targetD) - a.Width/2 - s.Ego.Width/2
		if gap < 0.3 || gap > r.OcclusionGap {
			continue // in the path (a leader), or far enough aside
		}
		if v := approachSpeed(r.OcclusionSpeed, r.OcclusionDecel, rear-10); v < best {
			best, id, found = v, a.ID, true
		}
	}
	return best, id, found
}

// SortAgents orders agents by s (deterministic order for policies that iterate).
func SortAgents(a []Agent) {
	sort.Slice(a, func(i, j int) bool {
		if a[i].S != a[j].S {
			return a[i].S < a[j].S
		}
		return a[i].ID < a[j].ID
	})
}
