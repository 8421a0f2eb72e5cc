// Package replay is the home of recording and playback; the work lives in its subpackages:
//
//   - replay/mcapio: MCAP writer (zstd chunks, index, summary, splitting) and reader (indexed,
//     or recovering the complete chunks of a truncated file);
//   - replay/record: the bus recorder behind `avstack record`, and the in-process hook behind
//     `avstack sim --record`;
//   - replay/inspect: `avstack replay info` and `avstack replay cat`;
//   - replay/play: `avstack replay play`, timed or in lockstep with nodes;
//   - replay/harness: `avstack replay test`, a recorded drive as a regression test of a node;
//   - replay/kittiimport: `avstack replay import kitti`.
//
// This package's tests are the golden drives: the recordings under testdata/ (listed in
// testdata/golden.yaml with the vehicle config and nodes to replay), each replayed through
// every listed node and compared with its reference (go test ./replay -run Golden -update
// rewrites the references; commit a rewrite only when you understand the diff). See
// docs/replay.md.
package replay
