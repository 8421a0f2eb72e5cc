package kitti

import (
	"encoding/binary"
	"fmt"
	"math"
	"os"
)

// Point is one lidar return of a KITTI scan (lidar frame: x forward, y left, z up; metres).
type Point struct {
	X, Y, Z float32
	// Reflectance in 0..1.
	R float32
}

// ReadVelodyne reads a velodyne/NNNNNN.bin scan: float32 x, y, z, reflectance per point,
// little-endian, 16 bytes per point.
func ReadVelodyne(path string) ([]Point, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("kitti: velodyne: %w", err)
	}
	return DecodeVelodyne(path, b)
}

// DecodeVelodyne decodes the bytes of a scan; name is used in errors.
func DecodeVelodyne(name string, b []byte) ([]Point, error) {
	if len(b)%16 != 0 {
		return nil, fmt.Errorf("kitti: %s: %d bytes is not a whole number of 16-byte points", name, len(b))
	}
	pts := make([]Point, len(b)/16)
	for i := range pts {
		o := i * 16
		p := Point{
			X: math.Float32frombits(binary.LittleEndian.Uint32(b[o:])),
			Y: math.Float32frombits(binary.LittleEndian.Uint32(b[o+4:])),
			Z: math.Float32frombits(binary.LittleEndian.Uint32(b[o+8:])),
			R: math.Float32frombits(binary.LittleEndian.Uint32(b[o+12:])),
		}
		for j, v := range [4]float32{p.X, p.Y, p.Z, p.R} {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return nil, fmt.Errorf("kitti: %s: point %d field %d is %v", name, i, j, v)
			}
		}
		pts[i] = p
	}
	return pts, nil
}
