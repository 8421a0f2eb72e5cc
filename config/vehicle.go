package config

import (
	"fmt"
	"math"
	"regexp"
	"time"

	"gopkg.in/yaml.v3"
)

// Vehicle is configs/vehicle.yaml: the stack that runs on one vehicle (or in the simulator).
type Vehicle struct {
	Name     string       `yaml:"name"`
	NATS     NATS         `yaml:"nats"`
	Dynamics Dynamics     `yaml:"dynamics"`
	Cameras  []Camera     `yaml:"cameras"`
	Lidars   []Lidar      `yaml:"lidars"`
	Nodes    []NodeConfig `yaml:"nodes"`
	// Path of the file it was loaded from (not in YAML).
	File string `yaml:"-"`
}

// NATS says how processes reach the bus.
type NATS struct {
	// URL of an external server; empty means `avstack run` starts an embedded one.
	URL         string `yaml:"url"`
	CredsFile   string `yaml:"creds_file"`
	TLSCAFile   string `yaml:"tls_ca_file"`
	TLSCertFile string `yaml:"tls_cert_file"`
	TLSKeyFile  string `yaml:"tls_key_file"`
	// Embedded server settings (used when URL is empty).
	Port       int `yaml:"port"`
	MaxPayload int `yaml:"max_payload"`
}

// Dynamics are the vehicle's geometry and actuator limits (used by the simulator's bicycle model,
// the planner's feasibility checks and the controller).
type Dynamics struct {
	Wheelbase float64 `yaml:"wheelbase"`
	Length    float64 `yaml:"length"`
	Width     float64 `yaml:"width"`
	Height    float64 `yaml:"height"`
	// Distance from the rear axle to the front bumper.
	FrontOverhang float64 `yaml:"front_overhang"`
	// Rear axle to rear bumper.
	RearOverhang float64 `yaml:"rear_overhang"`
	MaxSteer     float64 `yaml:"max_steer"`      // rad
	MaxSteerRate float64 `yaml:"max_steer_rate"` // rad/s
	MaxAccel     float64 `yaml:"max_accel"`      // m/s^2
	MaxDecel     float64 `yaml:"max_decel"`      // m/s^2, positive
	MaxJerk      float64 `yaml:"max_jerk"`       // m/s^3
	MaxSpeed     float64 `yaml:"max_speed"`      // m/s
	// First-order lag time constants of the actuators.
	SteerTau float64 `yaml:"steer_tau"` // s
	AccelTau float64 `yaml:"accel_tau"` // s
}

// Mount is a sensor's pose in the vehicle frame (base_link: x forward, y left, z up, rear axle).
type Mount struct {
	X     float64 `yaml:"x"`
	Y     float64 `yaml:"y"`
	Z     float64 `yaml:"z"`
	Roll  float64 `yaml:"roll"`  // rad
	Pitch float64 `yaml:"pitch"` // rad
	Yaw   float64 `yaml:"yaw"`   // rad
}

// Camera is a camera's intrinsics and mounting. The optical frame follows the usual convention:
// z forward, x right, y down.
type Camera struct {
	Name   string  `yaml:"name"`
	Width  int     `yaml:"width"`
	Height int     `yaml:"height"`
	RateHz float64 `yaml:"rate_hz"`
	// K is the 3x3 intrinsic matrix, row-major.
	K []float64 `yaml:"k"`
	// D are plumb_bob distortion coefficients (k1, k2, p1, p2, k3); empty = none.
	D []float64 `yaml:"d"`
	// CalibrationFile, if set, is a YAML written by `avstack calibrate camera` that supplies K and D.
	CalibrationFile string `yaml:"calibration_file"`
	Mount           Mount  `yaml:"mount"`
}

// Lidar is a lidar's model and mounting.
type Lidar struct {
	Name   string  `yaml:"name"`
	Model  string  `yaml:"model"` // VLP-16, HDL-32E, HDL-64E
	RateHz float64 `yaml:"rate_hz"`
	Mount  Mount   `yaml:"mount"`
}

// NodeConfig is one node of the stack. Settings are decoded by the node's factory.
type NodeConfig struct {
	Name string `yaml:"name"`
	// Kind is the registry name of the node type (defaults to Name).
	Kind    string `yaml:"kind"`
	Enabled *bool  `yaml:"enabled"`
	// Restart policy under `avstack run`.
	RestartBackoff    time.Duration `yaml:"restart_backoff"`
	RestartBackoffMax time.Duration `yaml:"restart_backoff_max"`
	// Metrics is the Prometheus listen address of the node process ("" = none).
	Metrics  string    `yaml:"metrics"`
	Settings yaml.Node `yaml:"settings"`
}

// IsEnabled is true unless enabled: false.
func (n NodeConfig) IsEnabled() bool { return n.Enabled == nil || *n.Enabled }

// KindName is Kind, or Name when Kind is empty.
func (n NodeConfig) KindName() string {
	if n.Kind != "" {
		return n.Kind
	}
	return n.Name
}

var nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)

// Validate checks every field and names the first bad one.
func (v *Vehicle) Validate() error {
	if err := v.Dynamics.Validate(); err != nil {
		return Prefix(err, "dynamics")
	}
	if v.NATS.MaxPayload < 0 || v.NATS.MaxPayload > 64<<20 {
		return Errorf("nats.max_payload", v.NATS.MaxPayload, "must be 0 (default 8 MiB) .. 64 MiB")
	}
	if v.NATS.Port < -1 || v.NATS.Port > 65535 {
		return Errorf("nats.port", v.NATS.Port, "must be -1 (random), 0 (default 4222) or a TCP port")
	}
	seen := map[string]string{}
	for i, c := range v.Cameras {
		f := fmt.Sprintf("cameras[%d]", i)
		if err := c.Validate(); err != nil {
			return Prefix(err, f)
		}
		if prev, dup := seen["camera:"+c.Name]; dup {
			return Errorf(f+".name", c.Name, "duplicate (also %s)", prev)
		}
		seen["camera:"+c.Name] = f
	}
	for i, l := range v.Lidars {
		f := fmt.Sprintf("lidars[%d]", i)
		if err := l.Validate(); err != nil {
			return Prefix(err, f)
		}
		if prev, dup := seen["lidar:"+l.Name]; dup {
			return Errorf(f+".name", l.Name, "duplicate (also %s)", prev)
		}
		seen["lidar:"+l.Name] = f
	}
	for i, n := range v.Nodes {
		f := fmt.Sprintf("nodes[%d]", i)
		if !nameRE.MatchString(n.Name) {
			return Errorf(f+".name", n.Name, "must match %s", nameRE)
		}
		if prev, dup := seen["node:"+n.Name]; dup {
			return Errorf(f+".name", n.Name, "duplicate (also %s)", prev)
		}
		seen["node:"+n.Name] = f
		if n.RestartBackoff < 0 || n.RestartBackoffMax < 0 {
			return Errorf(f+".restart_backoff", n.RestartBackoff, "must not be negative")
		}
	}
	return nil
}

// Validate checks the dynamics.
func (d *Dynamics) Validate() error {
	pos := []struct {
		name string
		v    float64
	}{
		{"wheelbase", d.Wheelbase}, {"length", d.Length}, {"width", d.Width}, {"height", d.Height},
		{"max_steer", d.MaxSteer}, {"max_steer_rate", d.MaxSteerRate}, {"max_accel", d.MaxAccel},
		{"max_decel", d.MaxDecel}, {"max_jerk", d.MaxJerk}, {"max_speed", d.MaxSpeed},
	}
	for _, p := range pos {
		if !(p.v > 0) || math.IsInf(p.v, 0) {
			return Errorf(p.name, p.v, "must be a positive number")
		}
	}
	if d.MaxSteer >= math.Pi/2 {
		return Errorf("max_steer", d.MaxSteer, "must be below pi/2 rad")
	}
	if d.SteerTau < 0 || d.AccelTau < 0 {
		return Errorf("steer_tau", d.SteerTau, "time constants must not be negative")
	}
	if d.FrontOverhang < 0 || d.RearOverhang < 0 {
		return Errorf("front_overhang", d.FrontOverhang, "overhangs must not be negative")
	}
	return nil
}

// Validate checks a camera.
func (c *Camera) Validate() error {
	if !nameRE.MatchString(c.Name) {
		return Errorf("name", c.Name, "must match %s", nameRE)
	}
	if c.Width <= 0 || c.Height <= 0 || c.Width > 16384 || c.Height > 16384 {
		return Errorf("width", fmt.Sprintf("%dx%d", c.Width, c.Height), "image size must be 1..16384 pixels each way")
	}
	if c.RateHz < 0 {
		return Errorf("rate_hz", c.RateHz, "must not be negative")
	}
	if c.CalibrationFile == "" || len(c.K) > 0 {
		if len(c.K) != 9 {
			return Errorf("k", c.K, "needs 9 numbers (3x3 row-major) or a calibration_file")
		}
		if !(c.K[0] > 0) || !(c.K[4] > 0) || c.K[8] != 1 {
			return Errorf("k", c.K, "fx and fy must be positive and K[2][2] must be 1")
		}
	}
	switch len(c.D) {
	case 0, 4, 5, 8:
	default:
		return Errorf("d", c.D, "needs 0, 4, 5 or 8 distortion coefficients")
	}
	return nil
}

// Validate checks a lidar.
func (l *Lidar) Validate() error {
	if !nameRE.MatchString(l.Name) {
		return Errorf("name", l.Name, "must match %s", nameRE)
	}
	switch l.Model {
	case "VLP-16", "HDL-32E", "HDL-64E":
	default:
		return Errorf("model", l.Model, "must be VLP-16, HDL-32E or HDL-64E")
	}
	if l.RateHz < 0 || l.RateHz > 20 {
		return Errorf("rate_hz", l.RateHz, "must be 0..20")
	}
	return nil
}

// LoadVehicle reads and validates a vehicle file.
func LoadVehicle(path string) (*Vehicle, error) {
	var v Vehicle
	if err := LoadFile(path, &v); err != nil {
		return nil, err
	}
	v.File = path
	return &v, nil
}

// Node returns the named node's config.
func (v *Vehicle) Node(name string) (NodeConfig, bool) {
	for _, n := range v.Nodes {
		if n.Name == name {
			return n, true
		}
	}
	return NodeConfig{}, false
}

// Camera returns the named camera.
func (v *Vehicle) Camera(name string) (Camera, bool) {
	for _, c := range v.Cameras {
		if c.Name == name {
			return c, true
		}
	}
	return Camera{}, false
}

// Lidar returns the named lidar.
func (v *Vehicle) Lidar(name string) (Lidar, bool) {
	for _, l := range v.Lidars {
		if l.Name == name {
			return l, true
		}
	}
	return Lidar{}, false
}
