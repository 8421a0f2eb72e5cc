// Package sim is the closed-loop simulator: a scenario (sim/scenario) on a road map
// (sim/roadmap), the ego as a kinematic bicycle (sim/dynamics), other road users
// (sim/traffic), camera and lidar models (sim/render, sim/raycast), metrics (sim/metrics),
// all driven tick by tick at 100 Hz and published on an in-process NATS bus exactly as real
// drivers publish: av.sim.clock, av.vehicle.state, av.sensor.camera.<name> (JPEG) and .info,
// av.sensor.lidar.<name>, av.sim.truth (3D boxes and per-camera 2D boxes), and the ego's
// mission on av.planning.route (at the start and when a signal changes). It consumes
// av.control.command (the newest command is held until the next).
//
// Two ways in:
//
//	w, _ := sim.NewWorld(sc, vehicle, seed)      // physics and traffic only, no bus
//	for !w.Done() { w.Step(w.BuiltinCommand()) }
//
//	res, err := sim.Run(ctx, sc, sim.Options{Vehicle: v, Driver: sim.DriverStack})
//
// Run with DriverStack builds the nodes of the vehicle config (node.New + node.NewRunner, each
// on its own bus.SimClock) and, in lockstep mode, for every tick: sets each node's clock in turn
// (a timer node due steps, a heartbeat due is published; a barrier follows each node that
// published), then publishes the tick's messages in order, with a barrier before and after
// every message that triggers a node, and finally applies the newest control command and
// steps physics. A barrier waits until every node scheduled so far in the tick (triggered by a
// message of the tick, transitively, or by its timer) has published its primary output
// (Spec.Outputs[0]) with the tick's source_stamp, every runner's queues are drained and every
// message has reached the observer. A node that does not answer within Options.StepTimeout is
// named in the error.
// Scheduling rules: a reliable trigger input schedules one step per message of the tick, a
// latest-only one at most one step per tick (messages may coalesce); a timer node is due when
// its period has elapsed on the sim clock, exactly as node.Runner decides. A step answers when
// its primary output carries the tick's time as source_stamp, which is what node.Runner sets
// by default (the trigger message's stamp; the simulator stamps everything with the tick).
// The barrier is exact: it waits until each node's connection has received every message copy
// the tick produced and node.Runner.Handled says the runner has finished with all of them.
// Options.Observer sees every bus message of the run in a canonical order (per tick: the
// simulator's own messages in publish order, then the nodes' by subject in arrival order), so
// the same scenario and seed give the same stream; the recorder hooks in there.
package sim
