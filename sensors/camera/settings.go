package camera

import (
	"time"

	"github.com/avstack/avstack/config"
)

// Settings are a camera node's `settings:` in the vehicle file.
type Settings struct {
	// Camera names the cameras[] entry (size, K, D, mount); default: the node's name.
	Camera string `yaml:"camera"`
	// Source: "device" (V4L2), "file" (video file, FFmpeg), "stream" (RTSP/HTTP URL, FFmpeg)
	// or "folder" (images in natural sort order, played at rate_hz).
	Source string `yaml:"source"`
	// Device index ("0") or path ("/dev/video0") for source device.
	Device string `yaml:"device"`
	// Path of the video file or image folder.
	Path string `yaml:"path"`
	// URL of the stream.
	URL string `yaml:"url"`
	// RateHz: capture rate (the node's timer). 0 = the camera entry's rate_hz, else the file's
	// frame rate.
	RateHz float64 `yaml:"rate_hz"`
	// Encoding "jpeg" (foxglove.CompressedImage, default) or "raw" (foxglove.RawImage bgr8).
	Encoding    string `yaml:"encoding"`
	JPEGQuality int    `yaml:"jpeg_quality"`
	// Undistort frames with the camera's K and D (the published calibration then has D = 0).
	Undistort bool `yaml:"undistort"`
	// Stamps: "capture" (default; a file's presentation time or a folder's frame index at
	// rate_hz, offset to the time of the first frame; devices and streams have no usable
	// capture clock in OpenCV and use receive time) or "receive" (the step's time).
	Stamps string `yaml:"stamps"`
	// Loop files and folders at their end instead of stopping.
	Loop bool `yaml:"loop"`
	// Retry backoff for a camera that cannot be opened or disappears.
	RetryInitial time.Duration `yaml:"retry_initial"`
	RetryMax     time.Duration `yaml:"retry_max"`
	// InfoPeriod re-publishes the calibration (av.sensor.camera.<name>.info) this often.
	InfoPeriod time.Duration `yaml:"info_period"`
}

// Defaults returns the settings' defaults.
func Defaults() Settings {
	return Settings{Source: "device", Device: "0", Encoding: "jpeg", JPEGQuality: 90, Stamps: "capture",
		RetryInitial: 500 * time.Millisecond, RetryMax: 10 * time.Second, InfoPeriod: time.Second}
}

// Validate names the first bad field.
func (s *Settings) Validate() error {
	switch s.Source {
	case "device":
		if s.Device == "" {
			return config.Errorf("device", s.Device, "source device needs a device index or path")
		}
	case "file", "folder":
		if s.Path == "" {
			return config.Errorf("path", s.Path, "source %s needs a path", s.Source)
		}
	case "stream":
		if s.URL == "" {
			return config.Errorf("url", s.URL, "source stream needs a url (rtsp://, http://...)")
		}
	default:
		return config.Errorf("source", s.Source, "must be device, file, stream or folder")
	}
	if s.RateHz < 0 || s.RateHz > 1000 {
		return config.Errorf("rate_hz", s.RateHz, "must be 0 (default) .. 1000")
	}
	switch s.Encoding {
	case "jpeg":
		if s.JPEGQuality < 1 || s.JPEGQuality > 100 {
			return config.Errorf("jpeg_quality", s.JPEGQuality, "must be 1..100")
		}
	case "raw":
	default:
		return config.Errorf("encoding", s.Encoding, "must be jpeg or raw")
	}
	switch s.Stamps {
	case "capture", "receive":
	default:
		return config.Errorf("stamps", s.Stamps, "must be capture or receive")
	}
	if s.RetryInitial <= 0 || s.RetryMax < s.RetryInitial {
		return config.Errorf("retry_initial", s.RetryInitial, "must be positive and not above retry_max (%v)", s.RetryMax)
	}
	if s.InfoPeriod <= 0 {
		return config.Errorf("info_period", s.InfoPeriod, "must be positive")
	}
	return nil
}
