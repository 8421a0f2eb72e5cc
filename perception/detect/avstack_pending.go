package detect

import (
	"errors"
	"fmt"
)

var errNNUnavailable = errors.New("nn graph import not available yet")

// newAvstackBackend opens the model in the project's nn graph. Placeholder until nn/graph,
// nn/onnx and nn/darknet compile.
func newAvstackBackend(m *Manifest) (Backend, error) {
	return nil, fmt.Errorf("detect: engine avstack: model %s: %w", m.Name, errNNUnavailable)
}
