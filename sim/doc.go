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
// Run with DriverStack builds the nodes of the vehicle config (node.New + node.NewRunner on a
// bus.SimClock) and, in lockstep mode, for every tick: sets the clock (timer nodes due step),
// publishes the sensors due, waits until every node scheduled for the tick (triggered by a
// message of the tick, transitively, or by its timer) has published its primary output
// (Spec.Outputs[0]) with the tick's source_stamp, then applies the newest control command and
// steps physics. A node that does not answer within Options.StepTimeout is named in the error.
// Scheduling rules: a reliable trigger input schedules one step per message of the tick, a
// latest-only one at most one step per tick (messages may coalesce); a timer node is due when
// its period has elapsed on the sim clock, exactly as node.Runner decides. A step answers when
// its primary output carries the tick's time as source_stamp, which is what node.Runner sets
// by default (the trigger message's stamp; the simulator stamps everything with the tick).
// Before physics steps, every runner's queues are drained and every message published in the
// tick has reached the observer, so the next tick starts from the same state on every run.
// Options.Observer sees every bus message of the run in a canonical order (per tick: the
// simulator's own messages in publish order, then the nodes' by subject in arrival order), so
// the same scenario and seed give the same stream; the recorder hooks in there.
package sim
