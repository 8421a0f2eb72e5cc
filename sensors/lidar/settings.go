package lidar

import (
	"time"

	"github.com/avstack/avstack/config"
)

// Settings are a lidar node's `settings:` in the vehicle file.
type Settings struct {
	// Lidar names the lidars[] entry (model, mount); default: the node's name.
	Lidar string `yaml:"lidar"`
	// Source: "udp" (live sensor), "pcap" (classic libpcap capture), "raw" (back-to-back
	// 1206-byte payloads) or "kitti" (a folder of KITTI velodyne .bin scans).
	Source string `yaml:"source"`
	// Address to bind for udp ("host:port"; default ":2368", all interfaces).
	Address string `yaml:"address"`
	// Path of the pcap/raw file or the KITTI folder (object layout root, its velodyne/
	// folder, or a raw drive's velodyne_points/).
	Path string `yaml:"path"`
	// Port filters pcap datagrams by destination port (default 2368; 0 = any).
	Port int `yaml:"port"`
	// Pace of files: "recorded" (at the capture's own pace) or "fast" (one revolution per step).
	Pace string `yaml:"pace"`
	// Loop files at their end.
	Loop bool `yaml:"loop"`
	// Model overrides lidars[].model for decoding (captures exist with a wrong product byte).
	Model string `yaml:"model"`
	// CutAzimuthDeg is where a revolution ends (degrees, sensor frame, 0 = straight ahead... of
	// the sensor's own y axis, i.e. forward).
	CutAzimuthDeg float64 `yaml:"cut_azimuth_deg"`
	// Returns keeps "dual" (both), "strongest" or "last" of dual-return packets.
	Returns string `yaml:"returns"`
	// VertOffsets applies the VLP-16 vertical offset correction.
	VertOffsets bool `yaml:"vert_offsets"`
	// MinRange drops returns nearer than this (m).
	MinRange float64 `yaml:"min_range"`
	// PublishPartial publishes the incomplete first/last revolutions too.
	PublishPartial bool `yaml:"publish_partial"`
	// PollPeriod is how often the node drains the socket or advances a file (udp/pcap/raw).
	PollPeriod time.Duration `yaml:"poll_period"`
	// RateHz is the scan rate of a kitti folder without timestamps (default lidars[].rate_hz or 10).
	RateHz float64 `yaml:"rate_hz"`
	// SilenceTimeout: no packets for this long marks the node degraded (udp).
	SilenceTimeout time.Duration `yaml:"silence_timeout"`
}

// Defaults returns the defaults.
func Defaults() Settings {
	return Settings{Source: "udp", Address: ":2368", Port: 2368, Pace: "recorded", Returns: "dual",
		PollPeriod: 10 * time.Millisecond, SilenceTimeout: time.Second}
}

// Validate names the first bad field.
func (s *Settings) Validate() error {
	switch s.Source {
	case "udp":
		if s.Address == "" {
			return config.Errorf("address", s.Address, "udp needs a bind address such as :2368")
		}
	case "pcap", "raw", "kitti":
		if s.Path == "" {
			return config.Errorf("path", s.Path, "source %s needs a path", s.Source)
		}
	default:
		return config.Errorf("source", s.Source, "must be udp, pcap, raw or kitti")
	}
	if s.Port < 0 || s.Port > 65535 {
		return config.Errorf("port", s.Port, "must be 0..65535")
	}
	switch s.Pace {
	case "recorded", "fast":
	default:
		return config.Errorf("pace", s.Pace, "must be recorded or fast")
	}
	switch s.Returns {
	case "dual", "strongest", "last":
	default:
		return config.Errorf("returns", s.Returns, "must be dual, strongest or last")
	}
	if s.Model != "" && s.Model != "VLP-16" && s.Model != "HDL-32E" {
		return config.Errorf("model", s.Model, "must be VLP-16 or HDL-32E (or empty for lidars[].model)")
	}
	if s.CutAzimuthDeg < 0 || s.CutAzimuthDeg >= 360 {
		return config.Errorf("cut_azimuth_deg", s.CutAzimuthDeg, "must be in [0, 360)")
	}
	if s.MinRange < 0 {
		return config.Errorf("min_range", s.MinRange, "must not be negative")
	}
	if s.PollPeriod <= 0 || s.PollPeriod > time.Second {
		return config.Errorf("poll_period", s.PollPeriod, "must be in (0, 1s]")
	}
	if s.RateHz < 0 || s.RateHz > 100 {
		return config.Errorf("rate_hz", s.RateHz, "must be 0..100")
	}
	if s.SilenceTimeout <= 0 {
		return config.Errorf("silence_timeout", s.SilenceTimeout, "must be positive")
	}
	return nil
}
