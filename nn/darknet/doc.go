// Package darknet imports Darknet models (.cfg + .weights) into an
// nn/graph.Graph.
//
// Supported layers: [convolutional] (groups, batch_normalize, activations
// leaky/linear/relu/mish/swish/logistic), [shortcut], [route] (with
// groups/group_id), [maxpool], [upsample], [dropout] (identity at
// inference) and [yolo]. The graph's outputs are the raw tensors feeding
// each [yolo] layer, [1, A*(5+C), H, W]; Model.Heads describes how to decode
// them (anchors of the head's mask, in input pixels; stride; scale_x_y).
//
// The weights file starts with major, minor, revision (int32) and a seen
// counter (int64 from version 0.2, int32 before), then float32s: per
// convolution the biases (BN beta with batch_normalize), then with
// batch_normalize gamma, running mean and running variance, then the
// kernel. The float count must match the cfg exactly.
//
//	m, err := darknet.Load("yolo-fastest-1.1.cfg", "yolo-fastest-1.1.weights")
//	out, err := m.Graph.Run(map[string]*nn.Tensor{"data": x}) // x [1,3,H,W], RGB/255
package darknet
