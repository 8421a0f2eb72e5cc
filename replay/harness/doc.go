// Package harness turns recorded drives into regression tests for nodes, in the manner of
// openpilot's process_replay.
//
// Run constructs a node with node.New from the vehicle configuration, feeds it the recorded
// messages on its inputs in recorded (file) order, calling Core.Step directly with the same
// semantics as node.Runner (see node/doc.go):
//   - every input message since the last Step is passed to it, in order;
//   - a trigger input steps the core with now = the message's own stamp (the clock time when
//     it has none) and source stamp = that stamp;
//   - a recorded av.sim.clock tick advances the clock; a node with a Period steps at it when
//     due (now = source stamp = clock time; missed periods are skipped, never burst);
//   - outputs get the runner's header: seq counts per subject from 1, stamp = now and
//     source_stamp = the source stamp unless the core set them.
//
// The outputs are compared with reference outputs: the same subjects recorded in the drive
// itself, or a reference file written by Update. The comparison goes per output subject: message
// counts, then bytes, then (when bytes differ) field by field with an absolute and a relative
// tolerance (|got - want| <= abs + rel*|want| for floats; everything else exact) and an ignore
// list of field paths ("header.seq", "objects.age": indices dropped, a prefix covers what lies
// under it). Tolerances and ignore lists are per node kind (KindTolerances) unless the caller
// gives one. The first differences are reported with their field paths and values.
//
// Exit statuses of `avstack replay test`: 0 equal within tolerance, 1 regression, 2 bad input
// (unreadable recording, unknown node, no recorded input for the node).
//
// In Go tests, Check does the same and rewrites the reference with Update (wire it to a
// test flag: go test ./replay -run Golden -update).
package harness
