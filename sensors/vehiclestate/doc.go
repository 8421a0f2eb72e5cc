// Package vehiclestate provides the ego vehicle's odometry (av.vehicle.state) behind one small
// interface, Source, with two implementations today:
//
//   - Simulated: a kinematic bicycle driven by a scripted speed and steering profile, for
//     bench tests of the stack without a car or the full simulator;
//   - Replayed: timestamped states (e.g. read from KITTI raw OXTS files with ReadOXTS, or
//     decoded from a recording) played back with linear interpolation at the asked time.
//
// The "vehicle-state" node wraps a Source as a timer-driven node.Core (see sensors/doc.go):
// every period it asks the Source for the state at `now` and publishes it.
//
// How a CAN source plugs in: a CAN implementation of Source owns a SocketCAN socket
// (golang.org/x/sys/unix: AF_CAN, SOCK_RAW, CAN_RAW, bound to the interface, opened
// non-blocking), and in State(now) drains the frames waiting on it, decodes the signals of the
// vehicle's DBC (wheel speeds -> v, steering-wheel angle / ratio -> steering, yaw-rate and
// acceleration sensors -> yaw_rate, a, a_lat), and dead-reckons x, y, yaw between calls with
// the same bicycle integration Simulated uses (or takes them from a GNSS/INS). Like every
// Source it reads no clock and starts no goroutine: time is the `now` it is given, so it is
// replayable from a candump log by a Replayed-style reader of the same frames. Register it as
// another `source:` value of the node's settings.
package vehiclestate
