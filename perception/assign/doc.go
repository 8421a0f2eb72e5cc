// Package assign solves the linear assignment problem with the Hungarian method (the O(n^3)
// shortest-augmenting-path form with row and column potentials, after Kuhn, Munkres and
// Jonker-Volgenant). The tracker uses it to associate detections with tracks, fusion to pair
// lidar boxes with camera boxes, and evaluation to match predictions with ground truth.
//
//	rows := assign.Solve(cost)            // rows[i] = column of row i, or -1
//	rows = assign.Gated(cost, maxCost)    // pairs costing more than maxCost are forbidden
//
// Rectangular matrices are fine; cells may be +Inf (forbidden). Among assignments with the most
// allowed pairs, Solve returns one of least total cost.
package assign
