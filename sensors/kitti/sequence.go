package kitti

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// timestampLayout is KITTI raw's "2011-09-26 13:02:25.964389445" (local time of the recording;
// read as UTC, since only differences matter).
const timestampLayout = "2006-01-02 15:04:05.999999999"

// ReadTimestamps reads a raw-layout timestamps.txt into Unix nanoseconds.
func ReadTimestamps(path string) ([]int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("kitti: timestamps: %w", err)
	}
	defer f.Close()
	var out []int64
	sc := bufio.NewScanner(f)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}
		t, err := time.Parse(timestampLayout, text)
		if err != nil {
			return nil, fmt.Errorf("kitti: %s:%d: %q is not a timestamp like 2011-09-26 13:02:25.964389445", path, line, clip(text))
		}
		ns := t.UnixNano()
		if n := len(out); n > 0 && ns < out[n-1] {
			return nil, fmt.Errorf("kitti: %s:%d: timestamp %s goes back in time", path, line, text)
		}
		out = append(out, ns)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("kitti: %s: %w", path, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("kitti: %s: no timestamps", path)
	}
	return out, nil
}

// Sequence is a raw-layout drive folder (e.g. 2011_09_26_drive_0001_sync) with image_02/ and
// velodyne_points/; each has data/ and timestamps.txt.
type Sequence struct {
	Dir string
	// Camera and lidar stamps (Unix ns), one per file index.
	CameraStamps []int64
	LidarStamps  []int64
}

// OpenSequence reads the timestamps of a raw drive. At least one of image_02 and
// velodyne_points must be present.
func OpenSequence(dir string) (*Sequence, error) {
	s := &Sequence{Dir: dir}
	var err error
	have := 0
	if p := filepath.Join(dir, "image_02", "timestamps.txt"); exists(p) {
		if s.CameraStamps, err = ReadTimestamps(p); err != nil {
			return nil, err
		}
		have++
	}
	if p := filepath.Join(dir, "velodyne_points", "timestamps.txt"); exists(p) {
		if s.LidarStamps, err = ReadTimestamps(p); err != nil {
			return nil, err
		}
		have++
	}
	if have == 0 {
		return nil, fmt.Errorf("kitti: %s: neither image_02/timestamps.txt nor velodyne_points/timestamps.txt exists", dir)
	}
	return s, nil
}

func exists(p string) bool { _, err := os.Stat(p); return err == nil }

// ImagePath is image_02/data/NNNNNNNNNN.png of frame i.
func (s *Sequence) ImagePath(i int) string {
	return filepath.Join(s.Dir, "image_02", "data", fmt.Sprintf("%010d.png", i))
}

// VelodynePath is velodyne_points/data/NNNNNNNNNN.bin of frame i.
func (s *Sequence) VelodynePath(i int) string {
	return filepath.Join(s.Dir, "velodyne_points", "data", fmt.Sprintf("%010d.bin", i))
}

// Event is one sensor sample of a sequence, in time order.
type Event struct {
	StampNs int64
	// Sensor is "camera" (image_02) or "lidar" (velodyne_points).
	Sensor string
	Index  int
	Path   string
}

// Events merges the camera and lidar samples in time order (camera first on equal stamps).
// A source publishes them at the dataset's pace by waiting for StampNs differences.
func (s *Sequence) Events() []Event {
	out := make([]Event, 0, len(s.CameraStamps)+len(s.LidarStamps))
	i, j := 0, 0
	for i < len(s.CameraStamps) || j < len(s.LidarStamps) {
		if j >= len(s.LidarStamps) || (i < len(s.CameraStamps) && s.CameraStamps[i] <= s.LidarStamps[j]) {
			out = append(out, Event{StampNs: s.CameraStamps[i], Sensor: "camera", Index: i, Path: s.ImagePath(i)})
			i++
		} else {
			out = append(out, Event{StampNs: s.LidarStamps[j], Sensor: "lidar", Index: j, Path: s.VelodynePath(j)})
			j++
		}
	}
	return out
}
