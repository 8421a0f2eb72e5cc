// Package play publishes a recording back onto the bus.
//
// Timed playback (the default) publishes each message when its log time comes round, scaled
// by Rate (2 = twice as fast; 0 = as fast as the bus takes them). Start skips the first part of
// the recording, Loop starts over at the end, Subjects selects what is published.
//
// Time: nodes that follow av.sim.clock (bus.FollowSimClock) run on log time. When the
// recording carries its own av.sim.clock (a simulator run) the recorded ticks are published in
// place; otherwise the player makes one: a tick with time = log time before the first message
// and whenever ClockPeriod of log time has passed. With Loop, the synthesized clock keeps
// counting across loops (each loop adds the recording's length) so followers never see time
// go backwards; recorded stamps inside messages repeat as they are.
//
// Lockstep playback drives a node graph the way the simulator does: after each message that
// triggers a node (and each clock tick on which a timer node is due), the player waits until
// that node has published its primary output carrying the message's stamp as source_stamp
// before it publishes anything else. Nodes' own outputs are not replayed.
//
// Timing invariant: the player schedules from one wall-clock origin per loop (origin +
// (log time - first log time) / Rate), never from the previous message, so lateness does not
// accumulate. Waits sleep until shortly before the deadline and yield-spin the rest
// (SpinWindow) because a bare timer oversleeps by up to a millisecond under load.
package play
