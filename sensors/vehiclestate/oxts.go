package vehiclestate

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/avstack/avstack/msg/av"
	"github.com/avstack/avstack/sensors/kitti"
)

// earthRadius is the one KITTI's devkit uses for its Mercator conversion (convertOxtsToPose).
const earthRadius = 6378137.0

// ReadOXTS reads a KITTI raw drive's oxts/ folder (timestamps.txt and data/NNNNNNNNNN.txt,
// 30 numbers per line: lat lon alt roll pitch yaw vn ve vf vl vu ax ay az af al au wx wy wz
// ...) into vehicle states in a local map frame: Mercator with the scale of the first
// sample's latitude, origin at the first sample, x east, y north (as the devkit does). Yaw is
// the OXTS heading (0 = east, positive counter-clockwise); v = vf, v_lat = vl, a = af,
// a_lat = al, yaw_rate = wu.
func ReadOXTS(dir string) ([]*av.VehicleState, error) {
	stamps, err := kitti.ReadTimestamps(filepath.Join(dir, "timestamps.txt"))
	if err != nil {
		return nil, fmt.Errorf("vehiclestate: %w", err)
	}
	var out []*av.VehicleState
	var scale, x0, y0 float64
	for i, ts := range stamps {
		p := filepath.Join(dir, "data", fmt.Sprintf("%010d.txt", i))
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("vehiclestate: oxts: %w", err)
		}
		f := strings.Fields(string(b))
		if len(f) < 23 {
			return nil, fmt.Errorf("vehiclestate: %s: %d numbers, want 30", p, len(f))
		}
		v := make([]float64, 23)
		for j := range v {
			if v[j], err = strconv.ParseFloat(f[j], 64); err != nil || math.IsNaN(v[j]) {
				return nil, fmt.Errorf("vehiclestate: %s: field %d: %q is not a number", p, j, f[j])
			}
		}
		lat, lon := v[0], v[1]
		if i == 0 {
			scale = math.Cos(lat * math.Pi / 180)
		}
		x := scale * lon * math.Pi * earthRadius / 180
		y := scale * earthRadius * math.Log(math.Tan((90+lat)*math.Pi/360))
		if i == 0 {
			x0, y0 = x, y
		}
		out = append(out, &av.VehicleState{
			Header: &av.Header{StampNs: ts, FrameId: "map"},
			X:      x - x0, Y: y - y0, Z: v[2] - 0, Yaw: v[5],
			V: v[8], VLat: v[9], A: v[14], ALat: v[15], YawRate: v[22],
		})
	}
	if len(out) > 0 {
		z0 := out[0].Z
		for _, s := range out {
			s.Z -= z0
		}
	}
	return out, nil
}
