package detect

import (
	"fmt"
	"reflect"

	"github.com/avstack/avstack/nn/darknet"
)

// openDarknetGraph opens a Darknet cfg+weights pair in the nn graph; Run returns the raw tensor
// feeding each [yolo] section, in cfg order. The heads nn/darknet reports are checked against the
// ones this package reads from the cfg for decoding, so that the two readings cannot drift apart.
func openDarknetGraph(m *Manifest, shape []int) (Backend, error) {
	dm, err := darknet.Load(m.Cfg, m.Weights)
	if err != nil {
		return nil, fmt.Errorf("detect: model %s: %w", m.Name, err)
	}
	cfg, err := readDarknetCfg(m.Cfg)
	if err != nil {
		return nil, err
	}
	if len(dm.Heads) != len(cfg.Heads) {
		return nil, fmt.Errorf("detect: model %s: nn/darknet found %d yolo heads, the cfg scan %d", m.Name, len(dm.Heads), len(cfg.Heads))
	}
	outputs := make([]string, len(dm.Heads))
	for i, h := range dm.Heads {
		want := cfg.Heads[i]
		got := YoloHead{Anchors: h.Anchors, Classes: h.Classes, ScaleXY: h.ScaleXY}
		if got.ScaleXY == 0 {
			got.ScaleXY = 1
		}
		if !reflect.DeepEqual(got, want) {
			return nil, fmt.Errorf("detect: model %s: head %d is %+v in nn/darknet, %+v in the cfg scan", m.Name, i, got, want)
		}
		outputs[i] = h.Output
	}
	return NewGraphNet(dm.Graph, outputs, shape)
}
