// Package node is the small runtime every avstack node shares.
//
// A node's algorithm is a Core: a synchronous value with Spec and Step, which never touches the
// bus, never reads the wall clock and starts no goroutine. Run adapts a Core to the bus: it
// subscribes to the Spec's inputs, calls Step when a trigger input arrives or the node's period
// elapses on the runner's clock, fills the headers of the outputs (seq, stamp, source_stamp) and
// publishes them, publishes av.system.status.<node> heartbeats, and keeps Prometheus metrics.
//
// The registry maps a kind name ("perception", "planning", "camera"...) to a Factory, so
// `avstack node NAME`, the simulator and the replay harness construct the same node from the
// same configuration.
//
// Step semantics (the determinism rule): Step receives every input message that arrived since
// the previous Step, in arrival order, and `now`:
//   - when a trigger input arrives, now is that message's own stamp (header.stamp_ns or the
//     foxglove timestamp), and outputs get that stamp as source_stamp unless the core sets one;
//   - when the period elapses, now is the runner's clock time (sim time in the simulator).
//
// Lock order: Runner.mu is taken by the subscription goroutines and the timer; Step runs with it
// held, so a Core is never called concurrently.
package node
