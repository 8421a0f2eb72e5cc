package detect

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Manifest is a model manifest, configs/models/NAME.yaml: which network, how to feed it and how
// to read its outputs. Paths may use ${VAR} (e.g. ${AVSTACK_TESTDATA}); relative paths are taken
// relative to the manifest's folder.
type Manifest struct {
	Name    string `yaml:"name"`
	File    string `yaml:"file"`    // .onnx; or use Cfg+Weights for Darknet
	Cfg     string `yaml:"cfg"`     // Darknet .cfg
	Weights string `yaml:"weights"` // Darknet .weights
	Input   struct {
		Width  int `yaml:"width"`
		Height int `yaml:"height"`
	} `yaml:"input"`
	Preprocess struct {
		Resize        string `yaml:"resize"`        // resize | letterbox
		Interpolation string `yaml:"interpolation"` // nearest | linear | cubic | area | lanczos
		Color         string `yaml:"color"`         // bgr | rgb
		Scale         Ratio  `yaml:"scale"`         // e.g. 1/255
		Pad           *int   `yaml:"pad"`           // letterbox fill 0..255 (default 114)
	} `yaml:"preprocess"`
	Decoder string `yaml:"decoder"` // fastestdet | yolov3 | yolov5
	// Heads gives the anchors of a yolov3 decoder for an ONNX model; Darknet models take them
	// from their .cfg.
	Heads []struct {
		Anchors [][2]float32 `yaml:"anchors"`
		Classes int          `yaml:"classes"`
		ScaleXY float32      `yaml:"scale_xy"`
	} `yaml:"heads"`
	Thresholds struct {
		Confidence float32 `yaml:"confidence"`
		IoU        float32 `yaml:"iou"`
	} `yaml:"thresholds"`
	Classes string `yaml:"classes"` // names file, one class per line

	path string // where it was read from, for errors
}

// Ratio is a positive number written either as a number (0.0039) or as a fraction ("1/255").
type Ratio float64

// UnmarshalYAML implements yaml.Unmarshaler.
func (r *Ratio) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("line %d: want a number or a fraction like 1/255", n.Line)
	}
	s := strings.TrimSpace(n.Value)
	num, den, frac := strings.Cut(s, "/")
	a, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
	if err != nil {
		return fmt.Errorf("line %d: %q is not a number or a fraction like 1/255", n.Line, s)
	}
	if frac {
		b, err := strconv.ParseFloat(strings.TrimSpace(den), 64)
		if err != nil || b == 0 {
			return fmt.Errorf("line %d: %q is not a fraction like 1/255", n.Line, s)
		}
		a /= b
	}
	*r = Ratio(a)
	return nil
}

// Path is the file the manifest was read from ("" when built in code).
func (m *Manifest) Path() string { return m.path }

// LoadManifest reads, expands and validates a manifest. Unknown fields are errors.
func LoadManifest(path string) (*Manifest, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("detect: manifest: %w", err)
	}
	return ParseManifest(path, b)
}

// ParseManifest parses manifest YAML; path labels errors and anchors relative paths.
func ParseManifest(path string, b []byte) (*Manifest, error) {
	m := &Manifest{path: path}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(m); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("detect: manifest %s: empty file", path)
		}
		return nil, fmt.Errorf("detect: manifest %s: %v", path, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("detect: manifest %s: more than one YAML document", path)
	}
	dir := filepath.Dir(path)
	for _, f := range []struct {
		name string
		p    *string
	}{{"file", &m.File}, {"cfg", &m.Cfg}, {"weights", &m.Weights}, {"classes", &m.Classes}} {
		if *f.p == "" {
			continue
		}
		v, err := expandPath(*f.p, dir)
		if err != nil {
			return nil, fmt.Errorf("detect: manifest %s: field %s: %v", path, f.name, err)
		}
		*f.p = v
	}
	if m.Preprocess.Pad == nil {
		p := 114
		m.Preprocess.Pad = &p
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	return m, nil
}

// expandPath substitutes ${VAR} (an unset or empty variable is an error) and makes a relative
// result relative to dir.
func expandPath(p, dir string) (string, error) {
	var missing []string
	out := os.Expand(p, func(k string) string {
		v := os.Getenv(k)
		if v == "" {
			missing = append(missing, k)
		}
		return v
	})
	if len(missing) > 0 {
		return "", fmt.Errorf("%q uses $%s, which is not set", p, missing[0])
	}
	if !filepath.IsAbs(out) {
		out = filepath.Join(dir, out)
	}
	return out, nil
}

// Validate checks every field and that the files exist; errors name the manifest file, the
// field and the value.
func (m *Manifest) Validate() error {
	bad := func(field string, v any, why string) error {
		return fmt.Errorf("detect: manifest %s: field %s: %v %s", m.path, field, v, why)
	}
	if m.Name == "" {
		return bad("name", `""`, "must be set")
	}
	switch {
	case m.File != "" && (m.Cfg != "" || m.Weights != ""):
		return bad("file", m.File, "is set together with cfg/weights; give one model")
	case m.File != "":
		if !strings.HasSuffix(strings.ToLower(m.File), ".onnx") {
			return bad("file", m.File, "is not an .onnx file (Darknet models use cfg and weights)")
		}
		if err := mustExist(m.File); err != nil {
			return bad("file", m.File, err.Error())
		}
	case m.Cfg != "" || m.Weights != "":
		if m.Cfg == "" || m.Weights == "" {
			return bad("cfg/weights", fmt.Sprintf("%q/%q", m.Cfg, m.Weights), "both must be set")
		}
		if err := mustExist(m.Cfg); err != nil {
			return bad("cfg", m.Cfg, err.Error())
		}
		if err := mustExist(m.Weights); err != nil {
			return bad("weights", m.Weights, err.Error())
		}
	default:
		return bad("file", `""`, "no model: set file (ONNX) or cfg and weights (Darknet)")
	}
	if m.Input.Width <= 0 || m.Input.Width > 8192 {
		return bad("input.width", m.Input.Width, "must be in 1..8192")
	}
	if m.Input.Height <= 0 || m.Input.Height > 8192 {
		return bad("input.height", m.Input.Height, "must be in 1..8192")
	}
	if r := ResizeMode(m.Preprocess.Resize); r != Resize && r != Letterbox {
		return bad("preprocess.resize", fmt.Sprintf("%q", m.Preprocess.Resize), "is not resize or letterbox")
	}
	if _, ok := interpolations[m.Preprocess.Interpolation]; !ok {
		return bad("preprocess.interpolation", fmt.Sprintf("%q", m.Preprocess.Interpolation), "is not nearest, linear, cubic, area or lanczos")
	}
	if m.Preprocess.Color != "bgr" && m.Preprocess.Color != "rgb" {
		return bad("preprocess.color", fmt.Sprintf("%q", m.Preprocess.Color), "is not bgr or rgb")
	}
	if !(m.Preprocess.Scale > 0) || m.Preprocess.Scale > 1e6 {
		return bad("preprocess.scale", float64(m.Preprocess.Scale), "must be a positive number such as 1/255")
	}
	if p := m.Preprocess.Pad; p != nil && (*p < 0 || *p > 255) {
		return bad("preprocess.pad", *p, "must be in 0..255")
	}
	switch m.Decoder {
	case "fastestdet", "yolov5":
		if len(m.Heads) > 0 {
			return bad("heads", len(m.Heads), "heads are only for the yolov3 decoder")
		}
	case "yolov3":
		if m.File != "" && len(m.Heads) == 0 {
			return bad("heads", 0, "a yolov3 ONNX model needs its heads (anchors, classes)")
		}
		if m.Cfg != "" && len(m.Heads) > 0 {
			return bad("heads", len(m.Heads), "a Darknet model takes its heads from the cfg")
		}
		for i, h := range m.Heads {
			if len(h.Anchors) == 0 {
				return bad(fmt.Sprintf("heads[%d].anchors", i), "[]", "must list the anchors")
			}
			if h.Classes <= 0 {
				return bad(fmt.Sprintf("heads[%d].classes", i), h.Classes, "must be positive")
			}
			if h.ScaleXY < 0 {
				return bad(fmt.Sprintf("heads[%d].scale_xy", i), h.ScaleXY, "must not be negative")
			}
		}
	default:
		return bad("decoder", fmt.Sprintf("%q", m.Decoder), "is not fastestdet, yolov3 or yolov5")
	}
	if c := m.Thresholds.Confidence; !(c > 0 && c < 1) {
		return bad("thresholds.confidence", c, "must be in (0,1)")
	}
	if c := m.Thresholds.IoU; !(c > 0 && c <= 1) {
		return bad("thresholds.iou", c, "must be in (0,1]")
	}
	if m.Classes == "" {
		return bad("classes", `""`, "must name a class names file")
	}
	if err := mustExist(m.Classes); err != nil {
		return bad("classes", m.Classes, err.Error())
	}
	return nil
}

func mustExist(p string) error {
	st, err := os.Stat(p)
	if err != nil {
		return errors.New("does not exist or cannot be read")
	}
	if st.IsDir() {
		return errors.New("is a folder, not a file")
	}
	return nil
}

// Preprocessing returns the manifest's pre-processing settings.
func (m *Manifest) Preprocessing() Preprocess {
	pad := 114
	if m.Preprocess.Pad != nil {
		pad = *m.Preprocess.Pad
	}
	return Preprocess{
		Width: m.Input.Width, Height: m.Input.Height,
		Mode:          ResizeMode(m.Preprocess.Resize),
		Interpolation: m.Preprocess.Interpolation,
		RGB:           m.Preprocess.Color == "rgb",
		Scale:         float64(m.Preprocess.Scale),
		PadValue:      uint8(pad),
	}
}

// IsDarknet says whether the model is a Darknet cfg+weights pair.
func (m *Manifest) IsDarknet() bool { return m.Cfg != "" }
