// Package route is the planner's view of the road: the lanes of the ego's route, the reference
// line built from their centre lines (a Polyline with arc length, heading and curvature, and the
// Frenet projection onto it), and the stop lines, crosswalks and goal placed along it.
//
// A Route comes from an av.Route message (subject av.planning.route), published by whoever knows
// the mission: the simulator from its scenario, or a map/mission node on a vehicle.
//
//	r, err := route.FromMsg(m)
//	s, d := r.Ref.Project(geom.Vec2{X: x, Y: y}) // Frenet coordinates of a point
//	offsets := r.LaneOffsets(s)                 // centres of the lanes beside the route lane
package route
