// Package control is the control node (kind "control"): every period (default 20 ms, 50 Hz) it
// tracks the latest av.planning.trajectory and publishes av.control.command (front-wheel
// steering angle, acceleration, mode and reason).
//
// Lateral tracking is selectable (settings.controller): pure_pursuit, stanley, or lqr (default;
// discrete LQR on the kinematic bicycle's path-error model with the steering lag, gonum).
// Longitudinal: PID on speed error with feed-forward of the trajectory's acceleration and a
// station-error term. Commands pass through actuator limits: steering angle and rate, and
// acceleration range and jerk (a comfort jerk in normal driving, the vehicle's max_jerk in
// emergencies).
//
// Watchdog: trajectory, objects and vehicle state older than their limits (defaults 300 ms,
// 300 ms, 50 ms, by message stamp against the step time), or a node reporting ERROR or
// STOPPING, switch to the minimal-risk manoeuvre: a comfortable stop in lane (steering keeps
// tracking the last path), mode MODE_MINIMAL_RISK with the reasons in the command and in the
// node's status. If contact with an object is predicted within emergency_ttc (aeb_ttc in normal
// driving), the command brakes at emergency_decel with MODE_EMERGENCY_STOP.
//
// Latency: each command carries trajectory_stamp_ns, the stamp of the trajectory it tracked;
// with that trajectory's source_stamp it closes the sensor-to-actuation chain.
package control
