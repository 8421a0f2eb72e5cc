// Package onnx imports ONNX models (.onnx files) into an nn/graph.Graph.
//
// The reader is our own, built on protowire (google.golang.org/protobuf/
// encoding/protowire) and only the fields of onnx.proto the importer needs.
// The importer accepts the default domain at opsets 7 to 17 (later opsets
// are read with their documented attribute-to-input moves where we know
// them) for the ops in SupportedOps, folds constant and shape sub-graphs at
// load time, accepts initializers that are also listed as graph inputs, and
// fails with the node's name and op type for anything unsupported.
//
//	g, err := onnx.Load("FastestDet.onnx")
//	out, err := g.Run(map[string]*nn.Tensor{"input.1": x})
//
// Conformance runs the ONNX backend test suite (see conformance.go).
package onnx
