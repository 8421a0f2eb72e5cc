// Package planning is the planning node (kind "planning"): on every object list it predicts the
// other road users (planning/predict), chooses a manoeuvre (planning/behavior), plans a Frenet
// lattice trajectory (planning/motion) checked by the safety shield (planning/safety), and
// publishes av.planning.trajectory (primary) and av.planning.prediction.
//
// Inputs: av.perception.objects (trigger; map or base_link frame), av.vehicle.state (latest), and
// the route on av.planning.route (an av.Route: lanes, stop lines, crosswalks, goal) from the
// simulator or a mission node. Until it has a route and a state it publishes empty trajectories
// whose reason says what it waits for (the control node treats them as no plan).
//
// Settings (configs/vehicle.yaml, all optional): predictor, horizon, dt, cruise_speed, max_accel,
// max_decel, max_lat_accel, headway, jam_distance, route_subject, stop_requested.
//
// Determinism: the core reads no clock; objects are iterated in message order, lanes by id.
package planning
