package sim

import (
	"path/filepath"
	"strings"

	"github.com/avstack/avstack/msg"
	"github.com/avstack/avstack/msg/av"
	"github.com/avstack/avstack/sim/roadmap"
)

// SubjectRoute is where the simulator publishes the ego's mission (av.Route): at the start and
// whenever a traffic light on the map changes between go (green) and stop (yellow or red).
const SubjectRoute = msg.SubjectRoute

// RouteMsg is the ego's mission: every lane of the map (so neighbour and successor links
// resolve), the route's lanes in order, the stop lines (signals are "traffic_light", active
// while yellow or red; stop signs are always active), the crosswalks and the goal.
func (w *World) RouteMsg() *av.Route {
	m := w.Map
	r := &av.Route{Header: &av.Header{StampNs: w.TimeNs(), FrameId: "map", SourceStampNs: w.TimeNs()},
		Map: strings.TrimSuffix(filepath.Base(m.File), filepath.Ext(m.File)), RouteLaneIds: append([]string{}, w.Scenario.Route...)}
	for _, l := range m.Lanes {
		rl := &av.RouteLane{Id: l.ID, Width: l.Width, SpeedLimit: l.SpeedLimit, LeftId: l.Left, RightId: l.Right, SuccessorIds: append([]string{}, l.Successors...)}
		if l.Use == roadmap.LaneParking {
			rl.Use = av.LaneUse_LANE_USE_PARKING
		}
		for _, p := range l.Pts {
			rl.Centre = append(rl.Centre, &av.Point2{X: p.X, Y: p.Y})
		}
		r.Lanes = append(r.Lanes, rl)
	}
	for _, sl := range m.StopLines {
		kind := "stop_sign"
		active := true
		if sl.Control == roadmap.Signal {
			kind = "traffic_light"
			active = sl.LightAt(w.Time()) != roadmap.Green
		}
		r.StopLines = append(r.StopLines, &av.RouteStopLine{LaneId: sl.Lane, S: sl.S, Kind: kind, Active: active})
	}
	for _, cw := range m.Crosswalks {
		c := &av.RouteCrosswalk{Id: cw.ID}
		for _, p := range cw.Polygon {
			c.Polygon = append(c.Polygon, &av.Point2{X: p.X, Y: p.Y})
		}
		r.Crosswalks = append(r.Crosswalks, c)
	}
	if g := w.Scenario.Ego.Goal; g != nil {
		r.GoalLaneId, r.GoalLaneS = g.Lane, g.S
	}
	return r
}

// signalKey summarises the go/stop state of every signal (the route is republished when it changes).
func (w *World) signalKey() string {
	var b strings.Builder
	for _, sl := range w.Map.StopLines {
		if sl.Control == roadmap.Signal && sl.LightAt(w.Time()) != roadmap.Green {
			b.WriteByte('1')
		} else {
			b.WriteByte('0')
		}
	}
	return b.String()
}
