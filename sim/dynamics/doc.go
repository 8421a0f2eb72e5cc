// Package dynamics is the ego vehicle model: a kinematic bicycle about the rear axle with
// first-order lags on steering and acceleration, steering-rate and jerk limits, and the
// geometry and limits of config.Dynamics (configs/vehicle.yaml `dynamics:`). The simulator
// integrates it at 100 Hz; optional process noise is seeded.
//
//	b := dynamics.New(vehicle.Dynamics, dynamics.State{X: 0, Y: 0, Yaw: 0, V: 10}, nil)
//	b.Step(dynamics.Command{Steer: 0.05, Accel: 1}, 0.01)
package dynamics
