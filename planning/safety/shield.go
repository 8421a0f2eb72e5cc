package safety

import (
	"fmt"
	"math"

	"github.com/avstack/avstack/geom"
	"github.com/avstack/avstack/planning/predict"
)

// EgoState is one point of a candidate ego trajectory (rear-axle pose, map frame).
type EgoState struct {
	T, X, Y, Yaw, V, A float64
}

// Footprint is the ego's box relative to its rear axle.
type Footprint struct {
	Length, Width float64
	// Distance from the rear axle forward to the box centre.
	CentreOffset float64
}

// Box is the footprint placed at a rear-axle pose.
func (f Footprint) Box(x, y, yaw float64) geom.Box {
	return geom.Box{X: x + f.CentreOffset*math.Cos(yaw), Y: y + f.CentreOffset*math.Sin(yaw), Length: f.Length, Width: f.Width, Height: 1.5, Yaw: yaw}
}

// Shield checks candidate trajectories against predictions and vetoes unsafe ones.
type Shield struct {
	RSS RSS
	Ego Footprint
	// Margins added to the ego box in collision checks (total length and width).
	MarginLong, MarginLat float64
	// Predicted paths less likely than MinProb are ignored.
	MinProb float64
	// Collisions later than Horizon are not counted (the next plan will see them).
	Horizon float64
}

// DefaultShield for a footprint.
func DefaultShield(ego Footprint) Shield {
	return Shield{RSS: DefaultRSS(), Ego: ego, MarginLong: 1.0, MarginLat: 0.4, MinProb: 0.1, Horizon: 5}
}

// Verdict is the result of a check.
type Verdict struct {
	Safe bool
	// Time of the first predicted contact (s, +Inf when none) and with whom.
	TTC      float64
	ObjectID uint64
	Reason   string
}

// Check looks for overlap of the (inflated) ego box with every predicted object box at every
// state of the trajectory. Objects overlapping the ego box already at t=0 are skipped for the
// first 0.5 s (a measurement touching us now cannot be avoided by any plan; braking handles it).
// Followers (behind the ego in its lane at t=0, see follower) are not checked: keeping the
// distance is the rear car's duty under RSS, and counting them made every braking candidate
// unsafe whenever a car followed closely, so that a phantom ahead left only the emergency
// brake, and the follower then hit the stopped ego.
func (s Shield) Check(traj []EgoState, preds []predict.Prediction) Verdict {
	v := Verdict{Safe: true, TTC: math.Inf(1)}
	if len(traj) == 0 {
		return v
	}
	skip := make([]bool, len(preds))
	for i, p := range preds {
		skip[i] = s.follower(traj[0], p)
	}
	for _, st := range traj {
		if st.T > s.Horizon || st.T >= v.TTC {
			break
		}
		eb := Inflate(s.Ego.Box(st.X, st.Y, st.Yaw), s.MarginLong, s.MarginLat)
		// Shrink the lateral margin at low speed (parking-speed manoeuvres past objects).
		if st.V < 2 {
			eb.Width -= s.MarginLat / 2
		}
		for i, p := range preds {
			if skip[i] {
				continue
			}
			for k, path := range p.Paths {
				if path.Probability < s.MinProb || len(path.States) == 0 {
					continue
				}
				ob := p.BoxAt(k, st.T)
				if geom.OverlapBEV(eb, ob) {
					if st.T < 0.5 && geom.OverlapBEV(eb, p.BoxAt(k, 0)) && geom.OverlapBEV(Inflate(s.Ego.Box(traj[0].X, traj[0].Y, traj[0].Yaw), s.MarginLong, s.MarginLat), p.Box) {
						continue
					}
					v = Verdict{Safe: false, TTC: st.T, ObjectID: p.ID, Reason: fmt.Sprintf("predicted contact with object %d at t=%.1fs", p.ID, st.T)}
				}
			}
		}
	}
	return v
}

// follower reports whether an object is behind the ego in its lane, going the same way: its
// centre more than half the ego's length behind the ego's centre, within 1.5 m of its line,
// box parallel to the ego's within 30 degrees (box headings are known modulo pi).
func (s Shield) follower(e EgoState, p predict.Prediction) bool {
	eb := s.Ego.Box(e.X, e.Y, e.Yaw)
	q := geom.Pose2{X: eb.X, Y: eb.Y, Yaw: e.Yaw}.Inverse().Apply(geom.Vec2{X: p.Box.X, Y: p.Box.Y})
	return q.X < -eb.Length/2 && math.Abs(q.Y) < 1.5 && math.Abs(geom.NormalizeAngle(2*(p.Box.Yaw-e.Yaw))) < math.Pi/3
}

// Gap describes another vehicle relative to the ego along the lane: the bumper-to-bumper gap
// (positive ahead of the ego, negative behind) and its speed along the lane.
type Gap struct {
	ID  uint64
	Gap float64
	V   float64
}

// LaneChangeSafe applies the RSS longitudinal rule to the vehicles in the target lane: the ego
// must keep the RSS distance behind the nearest leader, and the nearest follower must have it
// behind the ego.
func (s Shield) LaneChangeSafe(egoV float64, lead, follow *Gap) Verdict {
	if lead != nil {
		if need := s.RSS.Longitudinal(egoV, lead.V); lead.Gap < need {
			return Verdict{Safe: false, TTC: TTC(lead.Gap, egoV, lead.V, 0, 0), ObjectID: lead.ID,
				Reason: fmt.Sprintf("lane change: gap %.1f m to leader %d below RSS %.1f m", lead.Gap, lead.ID, need)}
		}
	}
	if follow != nil {
		if need := s.RSS.Longitudinal(follow.V, egoV); -follow.Gap < need {
			return Verdict{Safe: false, TTC: TTC(-follow.Gap, follow.V, egoV, 0, 0), ObjectID: follow.ID,
				Reason: fmt.Sprintf("lane change: gap %.1f m to follower %d below RSS %.1f m", -follow.Gap, follow.ID, need)}
		}
	}
	return Verdict{Safe: true, TTC: math.Inf(1)}
}
