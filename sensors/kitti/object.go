package kitti

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Object is a KITTI object-benchmark folder (the one holding velodyne/, image_2/, calib/, label_2/).
type Object struct {
	Root string
	// IDs of the frames, sorted (the stem of velodyne/*.bin, e.g. "000134").
	IDs []string
}

// OpenObject lists the frames of an object-layout folder. velodyne/ and calib/ are required.
func OpenObject(root string) (*Object, error) {
	for _, d := range []string{"velodyne", "calib"} {
		st, err := os.Stat(filepath.Join(root, d))
		if err != nil {
			return nil, fmt.Errorf("kitti: object layout: %w", err)
		}
		if !st.IsDir() {
			return nil, fmt.Errorf("kitti: object layout: %s is not a directory", filepath.Join(root, d))
		}
	}
	ents, err := os.ReadDir(filepath.Join(root, "velodyne"))
	if err != nil {
		return nil, fmt.Errorf("kitti: object layout: %w", err)
	}
	o := &Object{Root: root}
	for _, e := range ents {
		if n := e.Name(); !e.IsDir() && strings.HasSuffix(n, ".bin") {
			o.IDs = append(o.IDs, strings.TrimSuffix(n, ".bin"))
		}
	}
	sort.Strings(o.IDs)
	if len(o.IDs) == 0 {
		return nil, fmt.Errorf("kitti: object layout: no .bin scans in %s", filepath.Join(root, "velodyne"))
	}
	return o, nil
}

// Paths of one frame's files (they need not exist).
func (o *Object) VelodynePath(id string) string { return filepath.Join(o.Root, "velodyne", id+".bin") }
func (o *Object) CalibPath(id string) string    { return filepath.Join(o.Root, "calib", id+".txt") }
func (o *Object) LabelPath(id string) string    { return filepath.Join(o.Root, "label_2", id+".txt") }
func (o *Object) ImagePath(id string) string    { return filepath.Join(o.Root, "image_2", id+".png") }

// Frame is one loaded frame of the object layout.
type Frame struct {
	ID     string
	Points []Point
	Calib  *Calib
	// Labels is nil when label_2/ID.txt does not exist (test split).
	Labels []Label
	// ImagePath is image_2/ID.png; decoding is left to the caller (gocv or image/png).
	ImagePath string
}

// Load reads one frame: scan, calibration and (when present) labels. A missing label file is
// not an error (the test split has none); any other problem is.
func (o *Object) Load(id string) (*Frame, error) {
	pts, err := ReadVelodyne(o.VelodynePath(id))
	if err != nil {
		return nil, err
	}
	cal, err := ReadCalib(o.CalibPath(id))
	if err != nil {
		return nil, err
	}
	f := &Frame{ID: id, Points: pts, Calib: cal, ImagePath: o.ImagePath(id)}
	if _, err := os.Stat(o.LabelPath(id)); err == nil {
		if f.Labels, err = ReadLabels(o.LabelPath(id)); err != nil {
			return nil, err
		}
	} else if !os.IsNotExist(err) {
		return nil, fmt.Errorf("kitti: labels: %w", err)
	}
	return f, nil
}
