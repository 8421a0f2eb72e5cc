package kitti

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
)

// Mat34 is a 3x4 matrix, row-major.
type Mat34 [12]float64

// Mat33 is a 3x3 matrix, row-major.
type Mat33 [9]float64

// Calib is one calib/NNNNNN.txt of the object layout.
type Calib struct {
	// P are the projection matrices of cameras 0..3 (rectified frame -> pixels).
	P [4]Mat34
	// R0Rect rotates the reference camera frame into the rectified frame.
	R0Rect Mat33
	// TrVeloToCam maps lidar points to the reference camera frame (x right, y down, z forward).
	TrVeloToCam Mat34
	// TrImuToVelo maps IMU/GPS frame points to the lidar frame.
	TrImuToVelo Mat34
}

// ReadCalib parses a calibration file. Keys P0..P3, R0_rect and Tr_velo_to_cam are required;
// Tr_imu_to_velo is optional (absent in some releases) and stays zero when missing.
func ReadCalib(path string) (*Calib, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("kitti: calib: %w", err)
	}
	defer f.Close()
	c := &Calib{}
	seen := map[string]bool{}
	sc := bufio.NewScanner(f)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}
		key, rest, ok := strings.Cut(text, ":")
		if !ok {
			return nil, fmt.Errorf("kitti: %s:%d: want \"KEY: numbers\", got %q", path, line, clip(text))
		}
		key = strings.TrimSpace(key)
		var dst []float64
		switch key {
		case "P0", "P1", "P2", "P3":
			dst = c.P[key[1]-'0'][:]
		case "R0_rect", "R_rect":
			dst = c.R0Rect[:]
			key = "R0_rect"
		case "Tr_velo_to_cam", "Tr_velo_cam":
			dst = c.TrVeloToCam[:]
			key = "Tr_velo_to_cam"
		case "Tr_imu_to_velo", "Tr_imu_velo":
			dst = c.TrImuToVelo[:]
			key = "Tr_imu_to_velo"
		default:
			continue // other keys (e.g. calib_cam_to_cam extras) are not used here
		}
		if seen[key] {
			return nil, fmt.Errorf("kitti: %s:%d: %s given twice", path, line, key)
		}
		seen[key] = true
		if err := parseFloats(rest, dst); err != nil {
			return nil, fmt.Errorf("kitti: %s:%d: %s: %w", path, line, key, err)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("kitti: %s: %w", path, err)
	}
	for _, k := range []string{"P0", "P1", "P2", "P3", "R0_rect", "Tr_velo_to_cam"} {
		if !seen[k] {
			return nil, fmt.Errorf("kitti: %s: missing %s", path, k)
		}
	}
	return c, nil
}

func parseFloats(s string, dst []float64) error {
	fields := strings.Fields(s)
	if len(fields) != len(dst) {
		return fmt.Errorf("want %d numbers, got %d", len(dst), len(fields))
	}
	for i, fs := range fields {
		v, err := strconv.ParseFloat(fs, 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("number %d: %q is not a finite number", i, fs)
		}
		dst[i] = v
	}
	return nil
}

func clip(s string) string {
	if len(s) > 60 {
		return s[:60] + "..."
	}
	return s
}

// Mul returns a*b for 3x4 a and a 4x4 b given by its top 3 rows (bottom row 0 0 0 1).
func (a Mat34) Mul(b Mat34) Mat34 {
	var out Mat34
	for r := 0; r < 3; r++ {
		for c := 0; c < 4; c++ {
			var s float64
			for k := 0; k < 3; k++ {
				s += a[r*4+k] * b[k*4+c]
			}
			if c == 3 {
				s += a[r*4+3]
			}
			out[r*4+c] = s
		}
	}
	return out
}

// Homogeneous returns the 3x3 rotation as a 3x4 with zero translation.
func (m Mat33) Homogeneous() Mat34 {
	return Mat34{m[0], m[1], m[2], 0, m[3], m[4], m[5], 0, m[6], m[7], m[8], 0}
}

// Apply returns m*[x y z 1]^T.
func (m Mat34) Apply(x, y, z float64) (float64, float64, float64) {
	return m[0]*x + m[1]*y + m[2]*z + m[3],
		m[4]*x + m[5]*y + m[6]*z + m[7],
		m[8]*x + m[9]*y + m[10]*z + m[11]
}

// Project maps a point through a projection matrix to pixels; depth is the third homogeneous
// coordinate (metres in front of the camera for KITTI's P matrices); ok is false behind the
// camera (depth <= 0).
func (m Mat34) Project(x, y, z float64) (u, v, depth float64, ok bool) {
	a, b, w := m.Apply(x, y, z)
	if !(w > 0) {
		return 0, 0, w, false
	}
	return a / w, b / w, w, true
}

// VeloToRect maps lidar points to the rectified camera frame: R0_rect * Tr_velo_to_cam.
func (c *Calib) VeloToRect() Mat34 {
	return c.R0Rect.Homogeneous().Mul(c.TrVeloToCam)
}

// VeloToImage is P_cam * R0_rect * Tr_velo_to_cam: lidar point (homogeneous) to pixel of camera
// cam (0..3; 2 is the left colour camera of image_2). It panics on a bad camera index.
func (c *Calib) VeloToImage(cam int) Mat34 {
	if cam < 0 || cam > 3 {
		panic(fmt.Sprintf("kitti: camera index %d out of 0..3", cam))
	}
	// P is 3x4 acting on homogeneous rectified points: P * [R|t ; 0 1].
	return c.P[cam].Mul(c.VeloToRect())
}

// Intrinsics returns fx, fy, cx, cy of camera cam's projection matrix.
func (c *Calib) Intrinsics(cam int) (fx, fy, cx, cy float64) {
	p := c.P[cam]
	return p[0], p[5], p[2], p[6]
}

// InvertRigid inverts a rigid transform [R|t] (R a rotation): [R^T | -R^T t].
func (m Mat34) InvertRigid() Mat34 {
	var out Mat34
	for i := 0; i < 3; i++ {
		for j := 0; j < 3; j++ {
			out[i*4+j] = m[j*4+i]
		}
	}
	for i := 0; i < 3; i++ {
		out[i*4+3] = -(out[i*4+0]*m[3] + out[i*4+1]*m[7] + out[i*4+2]*m[11])
	}
	return out
}

// RectToVelo maps rectified camera points to the lidar frame (inverse of VeloToRect).
func (c *Calib) RectToVelo() Mat34 { return c.VeloToRect().InvertRigid() }
