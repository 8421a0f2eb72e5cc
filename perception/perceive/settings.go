package perceive

import (
	"time"

	"github.com/avstack/avstack/config"
)

// Settings are the node's settings (nodes[i].settings).
type Settings struct {
	Lidar       string        `yaml:"lidar"`
	Cameras     []string      `yaml:"cameras"`
	SyncWindow  time.Duration `yaml:"sync_window"`
	MaxStateAge time.Duration `yaml:"max_state_age"`
	WorldFrame  bool          `yaml:"world_frame"`
	KeepUnknown bool          `yaml:"keep_unknown"`

	LidarDetection LidarSettings    `yaml:"lidar_detection"`
	Tracking       TrackSettings    `yaml:"tracking"`
	Fusion         FusionSettings   `yaml:"fusion"`
	Detector       DetectorSettings `yaml:"detector"`
}

// LidarSettings tune perception/lidar.
type LidarSettings struct {
	MaxRange     float64 `yaml:"max_range"`
	MinRange     float64 `yaml:"min_range"`
	GroundHeight float64 `yaml:"ground_height"`
	MaxHeight    float64 `yaml:"max_height"`
	CellSize     float64 `yaml:"cell_size"`
	Neighbour    int     `yaml:"neighbour"`
	Voxel        float64 `yaml:"voxel"`
	MinPoints    int     `yaml:"min_points"`
	MaxSlope     float64 `yaml:"max_slope"`
}

// TrackSettings tune perception/track.
type TrackSettings struct {
	ConfirmHits   int           `yaml:"confirm_hits"`
	MaxCoast      time.Duration `yaml:"max_coast"`
	GateDistance  float64       `yaml:"gate_distance"`
	AccelNoise    float64       `yaml:"accel_noise"`
	PositionNoise float64       `yaml:"position_noise"`
}

// FusionSettings tune perception/fusion.
type FusionSettings struct {
	MinIoU         float64 `yaml:"min_iou"`
	CameraOnly     bool    `yaml:"camera_only"`
	MaxCameraRange float64 `yaml:"max_camera_range"`
}

// DetectorSettings switch on the camera detector inside the node.
type DetectorSettings struct {
	Enabled bool   `yaml:"enabled"`
	Model   string `yaml:"model"`
	Engine  string `yaml:"engine"`
	Tiles   int    `yaml:"tiles"`
}

// DefaultSettings are the defaults the YAML overrides.
func DefaultSettings() Settings {
	return Settings{
		SyncWindow:     60 * time.Millisecond,
		MaxStateAge:    100 * time.Millisecond,
		WorldFrame:     true,
		LidarDetection: LidarSettings{MaxRange: 80, MinRange: 1, GroundHeight: 0.25, MaxHeight: 3.5, CellSize: 0.2, Neighbour: 2, Voxel: 0.1, MinPoints: 5, MaxSlope: 0.15},
		Tracking:       TrackSettings{ConfirmHits: 3, MaxCoast: 500 * time.Millisecond, GateDistance: 5, AccelNoise: 2, PositionNoise: 0.3},
		Fusion:         FusionSettings{MinIoU: 0.3, CameraOnly: true, MaxCameraRange: 50},
		Detector:       DetectorSettings{Model: "configs/models/fastestdet.yaml", Engine: "avstack", Tiles: 1},
	}
}

// Validate checks the values that do not depend on the vehicle (the stage options validate
// the rest when the node is built).
func (s *Settings) Validate() error {
	switch {
	case s.SyncWindow <= 0 || s.SyncWindow > 2*time.Second:
		return config.Errorf("sync_window", s.SyncWindow, "must be in (0, 2s]")
	case s.MaxStateAge <= 0 || s.MaxStateAge > 5*time.Second:
		return config.Errorf("max_state_age", s.MaxStateAge, "must be in (0, 5s]")
	case s.Tracking.MaxCoast <= 0:
		return config.Errorf("tracking.max_coast", s.Tracking.MaxCoast, "must be > 0")
	case s.Detector.Enabled && s.Detector.Model == "":
		return config.Errorf("detector.model", s.Detector.Model, "is required when the detector is enabled")
	case s.Detector.Tiles < 1 || s.Detector.Tiles > 16:
		return config.Errorf("detector.tiles", s.Detector.Tiles, "must be 1..16")
	case s.Detector.Engine != "avstack" && s.Detector.Engine != "opencv":
		return config.Errorf("detector.engine", s.Detector.Engine, "must be avstack or opencv")
	}
	seen := map[string]bool{}
	for i, c := range s.Cameras {
		if seen[c] {
			return config.Errorf("cameras", c, "camera %d is listed twice", i)
		}
		seen[c] = true
	}
	return nil
}
