package calibration

import (
	"bytes"
	"fmt"
	"math"
	"os"

	"gopkg.in/yaml.v3"
)

// File is the calibration YAML.
type File struct {
	// Width and Height of the images the intrinsics belong to.
	Width  int `yaml:"width"`
	Height int `yaml:"height"`
	// K is the 3x3 intrinsic matrix, row-major.
	K []float64 `yaml:"k"`
	// D are plumb_bob distortion coefficients k1, k2, p1, p2, k3.
	D               []float64 `yaml:"d"`
	DistortionModel string    `yaml:"distortion_model"`
	// How it was made (informational).
	RMSPx      float64 `yaml:"rms_px"`
	Images     int     `yaml:"images"`
	ImagesUsed int     `yaml:"images_used"`
	Board      string  `yaml:"board"`
	SquareM    float64 `yaml:"square_m"`
}

// Validate checks sizes and numbers.
func (f *File) Validate() error {
	if f.Width <= 0 || f.Height <= 0 {
		return fmt.Errorf("width/height %dx%d must be positive", f.Width, f.Height)
	}
	if len(f.K) != 9 {
		return fmt.Errorf("k has %d numbers, want 9 (3x3 row-major)", len(f.K))
	}
	if !(f.K[0] > 0) || !(f.K[4] > 0) || f.K[8] != 1 {
		return fmt.Errorf("k = %v: fx and fy must be positive and K[2][2] must be 1", f.K)
	}
	switch len(f.D) {
	case 0, 4, 5, 8:
	default:
		return fmt.Errorf("d has %d numbers, want 0, 4, 5 or 8", len(f.D))
	}
	for _, v := range append(append([]float64{}, f.K...), f.D...) {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("k/d hold a non-finite number")
		}
	}
	if f.DistortionModel != "" && f.DistortionModel != "plumb_bob" {
		return fmt.Errorf("distortion_model %q: only plumb_bob is supported", f.DistortionModel)
	}
	return nil
}

// ReadFile reads and validates a calibration YAML (unknown keys are errors).
func ReadFile(path string) (*File, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("calibration: %w", err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	var f File
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("calibration: %s: %w", path, err)
	}
	if err := f.Validate(); err != nil {
		return nil, fmt.Errorf("calibration: %s: %w", path, err)
	}
	return &f, nil
}

// WriteFile writes a calibration YAML.
func WriteFile(path string, f *File) error {
	if err := f.Validate(); err != nil {
		return fmt.Errorf("calibration: refusing to write %s: %w", path, err)
	}
	var buf bytes.Buffer
	buf.WriteString("# Camera calibration written by `avstack calibrate camera`; used through cameras[].calibration_file.\n")
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(f); err != nil {
		return fmt.Errorf("calibration: %s: %w", path, err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("calibration: %w", err)
	}
	return nil
}

// Scaled returns K for images of size w x h (a calibration made at another resolution with
// the same aspect and field of view). D does not change with scale.
func (f *File) Scaled(w, h int) []float64 {
	sx, sy := float64(w)/float64(f.Width), float64(h)/float64(f.Height)
	k := append([]float64(nil), f.K...)
	k[0] *= sx
	k[1] *= sx
	k[2] *= sx
	k[4] *= sy
	k[5] *= sy
	return k
}
