package traffic

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"

	"github.com/avstack/avstack/geom"
	"github.com/avstack/avstack/sim/roadmap"
	"github.com/avstack/avstack/sim/scenario"
)

// Ego is what traffic needs to know about the ego vehicle.
type Ego struct {
	Box geom.Box
	V   float64
}

// occupant is something on a lane: an agent or the ego, at arc length s and offset d.
type occupant struct {
	s, d        float64
	half, halfW float64
	v           float64
	agent       *Agent // nil for the ego
	accel       float64
}

// World holds the agents and steps them.
type World struct {
	Map    *roadmap.Map
	Agents []*Agent
	Time   float64
	rng    *rand.Rand
	occ    map[string][]occupant
	laneBB map[string][4]float64
	ego    Ego
	ticks  uint64
}

// NewWorld returns an empty world on map m drawing randomness from seed.
func NewWorld(m *roadmap.Map, seed uint64) *World {
	w := &World{Map: m, rng: rand.New(rand.NewPCG(seed, 0x7261666669630a)), occ: map[string][]occupant{}, laneBB: map[string][4]float64{}}
	for _, l := range m.Lanes {
		bb := [4]float64{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}
		for _, p := range l.Pts {
			bb[0], bb[1] = math.Min(bb[0], p.X), math.Min(bb[1], p.Y)
			bb[2], bb[3] = math.Max(bb[2], p.X), math.Max(bb[3], p.Y)
		}
		w.laneBB[l.ID] = bb
	}
	return w
}

// Rand is the world's generator (shared by whoever builds the world, in a fixed order).
func (w *World) Rand() *rand.Rand { return w.rng }

var palette = [][3]uint8{
	{235, 235, 235}, {25, 25, 28}, {170, 172, 176}, {110, 112, 116}, {180, 30, 30},
	{30, 60, 160}, {40, 120, 60}, {220, 190, 40}, {120, 40, 110}, {200, 110, 40},
}

// Add appends an agent, numbering it and filling IDM defaults.
func (w *World) Add(a *Agent) {
	a.Num = uint64(len(w.Agents) + 1)
	if a.AMax == 0 {
		a.AMax, a.BComf, a.TimeGap, a.MinGap = 1.5, 2.0, 1.2, 2.0
		if a.Shape.Kind == "truck" || a.Shape.Kind == "bus" {
			a.AMax, a.TimeGap = 1.0, 1.5
		}
	}
	if a.Color == ([3]uint8{}) {
		a.Color = palette[w.rng.IntN(len(palette))]
	}
	if a.Lane != nil && a.Next == "" {
		a.Next = w.nextOf(a, a.Lane)
	}
	a.lastLC = -10
	w.Agents = append(w.Agents, a)
}

// nextOf picks the lane after l for agent a: its plan, else a seeded choice.
func (w *World) nextOf(a *Agent, l *roadmap.Lane) string {
	if len(a.Plan) > 0 {
		n := a.Plan[0]
		a.Plan = a.Plan[1:]
		return n
	}
	return w.pickNext(l)
}

func (w *World) pickNext(l *roadmap.Lane) string {
	switch len(l.Successors) {
	case 0:
		return ""
	case 1:
		return l.Successors[0]
	}
	return l.Successors[w.rng.IntN(len(l.Successors))]
}

// FromScenario adds the scenario's actors and its background traffic. egoStart is the ego's
// initial position (traffic keeps its clearance from it).
func (w *World) FromScenario(sc *scenario.Scenario, egoStart geom.Vec2) error {
	for i, sa := range sc.Actors {
		shape := Shapes[sa.Kind]
		if sa.Size != nil {
			shape.Length, shape.Width, shape.Height = sa.Size.Length, sa.Size.Width, sa.Size.Height
		}
		a := &Agent{ID: sa.ID, Shape: shape, V: sa.Speed, S: sa.S, D: sa.D, DesiredSpeed: sa.Behavior.DesiredSpeed, Plan: append([]string{}, sa.Route...)}
		if sa.Color != "" {
			a.Color = scenario.Colors[sa.Color]
		}
		if sa.Lane != "" {
			l, ok := w.Map.Lane(sa.Lane)
			if !ok {
				return fmt.Errorf("traffic: actors[%d] (%s): no lane %q", i, sa.ID, sa.Lane)
			}
			a.Lane = l
		} else {
			a.X, a.Y, a.Yaw = sa.Position.X, sa.Position.Y, sa.Position.Yaw
		}
		b := sa.Behavior
		switch b.Type {
		case "", "idm":
			a.Behavior = IDM
		case "stopped":
			a.Behavior = Stopped
			a.V = 0
		case "hard_brake":
			a.Behavior = HardBrake
		case "cut_in":
			a.Behavior = CutIn
		case "wrong_way":
			a.Behavior = WrongWay
		case "cross":
			a.Behavior = Cross
		default:
			return fmt.Errorf("traffic: actors[%d] (%s): unknown behaviour %q", i, sa.ID, b.Type)
		}
		if a.DesiredSpeed == 0 {
			a.DesiredSpeed = sa.Speed
		}
		a.LaneChange = b.LaneChange
		a.Decel = b.Decel
		if a.Decel == 0 {
			a.Decel = 6
		}
		a.ToSpeed = b.ToSpeed
		a.CutInLeft = b.Direction == "left"
		a.Duration = b.DurationS
		if a.Duration == 0 {
			a.Duration = 2.5
		}
		a.Heading, a.Distance = b.Heading, b.Distance
		if a.Behavior == Cross {
			// Walkers wait for their trigger standing; speed is the walking speed.
			a.DesiredSpeed = sa.Speed
			a.V = 0
			a.Yaw = b.Heading
		}
		if t := b.Trigger; t != nil {
			tr := &Trigger{Time: -1, Delay: t.DelayS}
			if t.TimeS != nil {
				tr.Time = *t.TimeS
			}
			if t.EgoDistance != nil {
				tr.EgoDistance = *t.EgoDistance
			}
			a.Trigger = tr
		}
		w.Add(a)
	}
	if t := sc.Traffic; t != nil {
		clear := t.Clearance
		if clear == 0 {
			clear = 20
		}
		kinds := []string{"car", "car", "car", "suv", "suv", "van", "truck", "car", "suv", "bus"}
		for _, id := range t.Lanes {
			l, _ := w.Map.Lane(id)
			spacing := 1000 / t.Density
			to := math.Min(t.ToS, l.Length())
			for s := t.FromS + w.rng.Float64()*spacing; s < to; s += spacing * (0.7 + 0.6*w.rng.Float64()) {
				p := l.Pose(s, 0)
				kind := kinds[w.rng.IntN(len(kinds))]
				v := t.Speed + t.SpeedStd*w.rng.NormFloat64()
				v = math.Max(0.5*t.Speed, math.Min(v, 1.2*l.SpeedLimit))
				if math.Hypot(p.X-egoStart.X, p.Y-egoStart.Y) < clear+Shapes[kind].Length/2 {
					continue
				}
				w.Add(&Agent{ID: fmt.Sprintf("traffic-%s-%d", id, len(w.Agents)+1), Shape: Shapes[kind], Lane: l, S: s, V: v,
					DesiredSpeed: v, LaneChange: t.LaneChange, Behavior: IDM})
			}
		}
	}
	// Spread MOBIL decisions over the second so they do not all happen on the same tick.
	for _, a := range w.Agents {
		a.mobilPhase = int(a.Num % 100)
	}
	return nil
}

// Active returns the agents still on the map, in creation order.
func (w *World) Active() []*Agent {
	out := make([]*Agent, 0, len(w.Agents))
	for _, a := range w.Agents {
		if !a.Done {
			out = append(out, a)
		}
	}
	return out
}

// Step advances every agent by dt.
func (w *World) Step(dt float64, ego Ego) {
	w.ego = ego
	w.buildOccupancy()
	for _, a := range w.Agents {
		if a.Done {
			continue
		}
		w.checkTrigger(a)
		w.stepAgent(a, dt)
	}
	w.Time += dt
	w.ticks++
}

func (w *World) checkTrigger(a *Agent) {
	if a.triggered || a.Trigger == nil && a.Behavior != HardBrake && a.Behavior != CutIn && a.Behavior != Cross {
		return
	}
	t := a.Trigger
	if t == nil {
		a.triggered, a.triggerAt = true, w.Time
		w.onTrigger(a)
		return
	}
	if t.Time >= 0 && w.Time < t.Time {
		return
	}
	if t.EgoDistance > 0 {
		p := a.Pose()
		if math.Hypot(p.X-w.ego.Box.X, p.Y-w.ego.Box.Y) > t.EgoDistance {
			return
		}
	}
	if a.triggerAt == 0 {
		a.triggerAt = w.Time + t.Delay
		if t.Delay == 0 {
			a.triggerAt = -1
		}
	}
	if a.triggerAt > 0 && w.Time < a.triggerAt {
		return
	}
	a.triggered = true
	a.triggerAt = w.Time
	w.onTrigger(a)
}

func (w *World) onTrigger(a *Agent) {
	switch a.Behavior {
	case CutIn:
		target := a.Lane.Right
		if a.CutInLeft {
			target = a.Lane.Left
		}
		if l, ok := w.Map.Lane(target); ok {
			w.startLaneChange(a, l, a.Duration, true)
		}
	case Cross:
		a.V = a.DesiredSpeed
	}
}

func (w *World) startLaneChange(a *Agent, to *roadmap.Lane, dur float64, forced bool) {
	p := a.Lane.Pose(a.S, a.D)
	s, d, _ := to.Project(geom.Vec2{X: p.X, Y: p.Y})
	a.lc = &laneChange{from: a.Lane, d0: d, dur: dur, forced: forced}
	a.Lane, a.S, a.D = to, s, d
	a.Plan = nil
	a.Next = w.pickNext(to)
	a.lastLC = w.Time
}

// idm returns the IDM acceleration towards desired speed v0 behind a leader at gap with
// closing speed dv (math.Inf gap = free road).
func idm(a *Agent, v0, gap, dv float64) float64 {
	v := a.V
	if v0 <= 0 {
		v0 = 0.1
	}
	acc := a.AMax * (1 - math.Pow(v/v0, 4))
	if !math.IsInf(gap, 1) {
		ss := a.MinGap + math.Max(0, v*a.TimeGap+v*dv/(2*math.Sqrt(a.AMax*a.BComf)))
		gap = math.Max(gap, 0.1)
		acc -= a.AMax * (ss / gap) * (ss / gap)
	}
	return math.Max(acc, -9)
}

// leaderOn returns the first occupant ahead of (s, d) on lane l and its continuation through
// next lanes, as gap and closing speed; gap is +Inf when none within look.
func (w *World) leaderOn(a *Agent, l *roadmap.Lane, s, d float64, next string) (gap, dv float64) {
	const look = 150.0
	shift := 0.0
	lane := l
	nextID := next
	for depth := 0; depth < 4 && lane != nil; depth++ {
		for _, o := range w.occ[lane.ID] {
			if o.agent == a {
				continue
			}
			os := o.s + shift
			if os <= s {
				continue
			}
			if math.Abs(o.d-d) > o.halfW+a.Shape.Width/2+0.3 {
				continue
			}
			g := os - s - o.half - a.Shape.Length/2
			if g > look {
				return math.Inf(1), 0
			}
			return g, a.V - o.v
		}
		shift += lane.Length()
		if shift-s > look || nextID == "" {
			break
		}
		nl, ok := w.Map.Lane(nextID)
		if !ok {
			break
		}
		lane = nl
		if len(nl.Successors) > 0 {
			nextID = nl.Successors[0]
		} else {
			nextID = ""
		}
	}
	return math.Inf(1), 0
}

// stopLineGap returns the gap to the next stop line on a's lane that a must stop at.
func (w *World) stopLineGap(a *Agent) float64 {
	for _, sl := range w.Map.StopLinesOn(a.Lane.ID) {
		if sl.S < a.S+a.Shape.Length/2-0.5 {
			continue
		}
		light := sl.LightAt(w.Time)
		g := sl.S - a.S - a.Shape.Length/2
		if light == roadmap.Red || (light == roadmap.Yellow && a.V*a.V/(2*a.BComf) < g) {
			return g
		}
	}
	return math.Inf(1)
}

func (w *World) stepAgent(a *Agent, dt float64) {
	switch a.Behavior {
	case Stopped:
		a.V, a.A = 0, 0
		return
	case Cross:
		if !a.triggered || a.walked >= a.Distance {
			a.V, a.A = 0, 0
			return
		}
		step := math.Min(a.V*dt, a.Distance-a.walked)
		if a.Lane != nil {
			// A lane-placed walker crosses relative to its lane's heading.
			_, h := a.Lane.At(a.S)
			a.X, a.Y = a.Pose().X, a.Pose().Y
			a.Lane = nil
			a.Yaw = geom.NormalizeAngle(h + a.Heading)
		}
		s, c := math.Sincos(a.Yaw)
		a.X += step * c
		a.Y += step * s
		a.walked += step
		return
	case WrongWay:
		a.A = 0
		a.S -= a.V * dt
		if a.S < 0 {
			a.Done = true
		}
		return
	}
	if a.Lane == nil {
		// A free vehicle without a lane keeps its speed and heading.
		s, c := math.Sincos(a.Yaw)
		a.X += a.V * dt * c
		a.Y += a.V * dt * s
		return
	}
	gap, dv := w.leaderOn(a, a.Lane, a.S, a.D, a.Next)
	acc := idm(a, a.DesiredSpeed, gap, dv)
	if g := w.stopLineGap(a); !math.IsInf(g, 1) {
		acc = math.Min(acc, idm(a, a.DesiredSpeed, g, a.V))
	}
	if a.Behavior == HardBrake && a.triggered {
		if a.V > a.ToSpeed {
			acc = math.Min(acc, -a.Decel)
		} else {
			acc = math.Min(acc, 2*(a.ToSpeed-a.V))
		}
	}
	if a.Behavior == IDM && a.LaneChange && a.lc == nil && int(w.ticks%100) == a.mobilPhase && w.Time-a.lastLC > 4 {
		w.mobil(a, acc)
	}
	a.A = acc
	v1 := math.Max(0, a.V+acc*dt)
	a.S += (a.V + v1) / 2 * dt
	a.V = v1
	if lc := a.lc; lc != nil {
		lc.t += dt
		a.D = lc.d0 * (1 - smooth(lc.t/lc.dur))
		if lc.t >= lc.dur {
			a.D, a.lc = 0, nil
		}
	}
	for a.S > a.Lane.Length() {
		if a.Next == "" {
			a.Done = true
			return
		}
		nl, _ := w.Map.Lane(a.Next)
		a.S -= a.Lane.Length()
		a.Lane = nl
		a.Next = w.nextOf(a, nl)
	}
}

// mobil decides a discretionary lane change (Kesting, Treiber, Helbing 2007): politeness 0.3,
// threshold 0.2 m/s^2, safe deceleration 4 m/s^2 for the new follower, keep-right bias 0.1.
func (w *World) mobil(a *Agent, accNow float64) {
	const politeness, threshold, bSafe, bias = 0.3, 0.2, 4.0, 0.1
	best, bestGain := (*roadmap.Lane)(nil), threshold
	for _, side := range []string{a.Lane.Left, a.Lane.Right} {
		if side == "" {
			continue
		}
		l, ok := w.Map.Lane(side)
		if !ok {
			continue
		}
		p := a.Lane.Pose(a.S, 0)
		s, _, _ := l.Project(geom.Vec2{X: p.X, Y: p.Y})
		if s < 0 || s > l.Length()-30 {
			continue
		}
		gap, dv := w.leaderOn(a, l, s, 0, w.firstSucc(l))
		accNew := idm(a, a.DesiredSpeed, gap, dv)
		// New follower: the last occupant behind s on the target lane.
		var fol *occupant
		for i := range w.occ[l.ID] {
			o := &w.occ[l.ID][i]
			if o.s < s && o.agent != a {
				fol = o
			}
		}
		folGain := 0.0
		if fol != nil {
			fgap := s - fol.s - fol.half - a.Shape.Length/2
			if fgap < 2 {
				continue
			}
			var fa *Agent
			if fol.agent != nil {
				fa = fol.agent
			} else {
				fa = &Agent{V: fol.v, AMax: 1.5, BComf: 2, TimeGap: 1.2, MinGap: 2}
			}
			folNew := idm(fa, math.Max(fa.DesiredSpeed, fa.V), fgap, fa.V-a.V)
			if folNew < -bSafe {
				continue
			}
			folGain = folNew - fol.accel
		}
		gain := accNew - accNow + politeness*folGain
		if side == a.Lane.Right {
			gain += bias
		} else {
			gain -= bias
		}
		if gain > bestGain {
			best, bestGain = l, gain
		}
	}
	if best != nil {
		w.startLaneChange(a, best, 4, false)
	}
}

func (w *World) firstSucc(l *roadmap.Lane) string {
	if len(l.Successors) == 0 {
		return ""
	}
	return l.Successors[0]
}

// buildOccupancy lists, per lane, the agents and the ego on it sorted by arc length.
func (w *World) buildOccupancy() {
	for k := range w.occ {
		w.occ[k] = w.occ[k][:0]
	}
	addFree := func(b geom.Box, v float64, ag *Agent) {
		for _, l := range w.Map.Lanes {
			bb := w.laneBB[l.ID]
			r := l.Width + math.Max(b.Length, b.Width)
			if b.X < bb[0]-r || b.X > bb[2]+r || b.Y < bb[1]-r || b.Y > bb[3]+r {
				continue
			}
			s, d, _ := l.Project(geom.Vec2{X: b.X, Y: b.Y})
			if s < -b.Length || s > l.Length()+b.Length {
				continue
			}
			_, h := l.At(s)
			rel := geom.NormalizeAngle(b.Yaw - h)
			// Extent of the box across and along the lane.
			halfW := (math.Abs(math.Sin(rel))*b.Length + math.Abs(math.Cos(rel))*b.Width) / 2
			half := (math.Abs(math.Cos(rel))*b.Length + math.Abs(math.Sin(rel))*b.Width) / 2
			if math.Abs(d) > l.Width/2+halfW {
				continue
			}
			acc := 0.0
			w.occ[l.ID] = append(w.occ[l.ID], occupant{s: s, d: d, half: half, halfW: halfW, v: v * math.Cos(rel), agent: ag, accel: acc})
		}
	}
	addFree(w.ego.Box, w.ego.V, nil)
	for _, a := range w.Agents {
		if a.Done {
			continue
		}
		if a.Lane == nil {
			addFree(a.Box(), a.V, a)
			continue
		}
		v := a.V
		if a.Behavior == WrongWay {
			v = -v
		}
		w.occ[a.Lane.ID] = append(w.occ[a.Lane.ID], occupant{s: a.S, d: a.D, half: a.Shape.Length / 2, halfW: a.Shape.Width / 2, v: v, agent: a, accel: a.A})
		if lc := a.lc; lc != nil {
			p := a.Lane.Pose(a.S, a.D)
			s, d, _ := lc.from.Project(geom.Vec2{X: p.X, Y: p.Y})
			w.occ[lc.from.ID] = append(w.occ[lc.from.ID], occupant{s: s, d: d, half: a.Shape.Length / 2, halfW: a.Shape.Width / 2, v: v, agent: a, accel: a.A})
		}
	}
	for _, l := range w.Map.Lanes {
		o := w.occ[l.ID]
		sort.SliceStable(o, func(i, j int) bool { return o[i].s < o[j].s })
	}
}
