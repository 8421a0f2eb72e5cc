package detect

import "fmt"

// openDarknetGraph opens a Darknet model in the nn graph. Placeholder until nn/darknet compiles.
func openDarknetGraph(m *Manifest, shape []int) (Backend, error) {
	return nil, fmt.Errorf("detect: engine avstack: model %s: %w", m.Name, errNNUnavailable)
}
