package lidar

import (
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/avstack/avstack/msg"
	"github.com/avstack/avstack/msg/foxglove"
	"github.com/avstack/avstack/node"
	"github.com/avstack/avstack/sensors/kitti"
	"github.com/avstack/avstack/sensors/velodyne"
)

// kittiSource plays KITTI velodyne scans: one .bin per step at the scan rate, or at the
// dataset's pace when a raw drive's velodyne_points/timestamps.txt is there.
type kittiSource struct {
	files  []string
	stamps []int64 // dataset stamps (raw layout) or nil
	next   int
	shift  int64
	set    bool
}

func openKitti(path string, rate float64) (*kittiSource, error) {
	dir := path
	if st, err := os.Stat(filepath.Join(path, "velodyne")); err == nil && st.IsDir() {
		dir = filepath.Join(path, "velodyne") // object layout root
	} else if st, err := os.Stat(filepath.Join(path, "data")); err == nil && st.IsDir() {
		dir = filepath.Join(path, "data") // raw drive's velodyne_points/
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("lidar: kitti: %w", err)
	}
	k := &kittiSource{}
	for _, e := range ents {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".bin") {
			k.files = append(k.files, filepath.Join(dir, e.Name()))
		}
	}
	sort.Strings(k.files)
	if len(k.files) == 0 {
		return nil, fmt.Errorf("lidar: kitti: no .bin scans in %s", dir)
	}
	if ts := filepath.Join(filepath.Dir(dir), "timestamps.txt"); filepath.Base(dir) == "data" {
		if _, err := os.Stat(ts); err == nil {
			if k.stamps, err = kitti.ReadTimestamps(ts); err != nil {
				return nil, err
			}
			if len(k.stamps) < len(k.files) {
				return nil, fmt.Errorf("lidar: kitti: %s has %d stamps for %d scans", ts, len(k.stamps), len(k.files))
			}
		}
	}
	return k, nil
}

func (c *Core) stepKitti(now int64) ([]node.Output, error) {
	k := c.kitti
	if k.next >= len(k.files) {
		if !c.s.Loop {
			c.ended = true
			return nil, nil
		}
		k.next, k.set = 0, false
	}
	stamp := now
	if k.stamps != nil {
		if !k.set {
			k.shift, k.set = now-k.stamps[k.next], true
		}
		stamp = k.stamps[k.next] + k.shift
		if stamp > now {
			return nil, nil // not due yet at the dataset's pace
		}
	}
	path := k.files[k.next]
	k.next++
	pts, err := kitti.ReadVelodyne(path)
	if err != nil {
		c.c.BadPackets++
		c.c.LastBad = err.Error()
		return nil, err
	}
	c.c.Packets++
	c.c.Revolutions++
	return []node.Output{{Subject: msg.Lidar(c.name), Value: KittiCloud(pts, stamp, c.frame)}}, nil
}

// KittiCloud packs a KITTI scan in the Velodyne layout (velodyne.PointStride): reflectance
// 0..1 is scaled to intensity 0..255; ring and time are 0 (KITTI scans carry neither).
func KittiCloud(pts []kitti.Point, stamp int64, frame string) *foxglove.PointCloud {
	data := make([]byte, len(pts)*velodyne.PointStride)
	for i, p := range pts {
		b := data[i*velodyne.PointStride:]
		binary.LittleEndian.PutUint32(b[0:], math.Float32bits(p.X))
		binary.LittleEndian.PutUint32(b[4:], math.Float32bits(p.Y))
		binary.LittleEndian.PutUint32(b[8:], math.Float32bits(p.Z))
		binary.LittleEndian.PutUint32(b[12:], math.Float32bits(p.R*255))
	}
	return &foxglove.PointCloud{Timestamp: node.Timestamp(stamp), FrameId: frame,
		PointStride: velodyne.PointStride, Fields: velodyne.CloudFields(), Data: data}
}
