package kitti

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
)

// Label is one line of label_2/NNNNNN.txt.
type Label struct {
	// Type: Car, Van, Truck, Pedestrian, Person_sitting, Cyclist, Tram, Misc or DontCare.
	Type string
	// Truncated 0 (in image) .. 1 (leaving it).
	Truncated float64
	// Occluded 0 fully visible, 1 partly, 2 largely, 3 unknown.
	Occluded int
	// Alpha is the observation angle, -pi..pi.
	Alpha float64
	// Box is the 2D box in image_2 pixels: x1, y1, x2, y2.
	Box [4]float64
	// Height, Width, Length of the 3D box (metres).
	H, W, L float64
	// X, Y, Z is the bottom centre of the 3D box in the rectified camera frame (metres).
	X, Y, Z float64
	// RotationY is the yaw around the camera's y axis, -pi..pi.
	RotationY float64
	// Score is present only in result files (16th column); 0 otherwise.
	Score float64
}

// ReadLabels reads a label file. Empty lines are skipped.
func ReadLabels(path string) ([]Label, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("kitti: labels: %w", err)
	}
	defer f.Close()
	var out []Label
	sc := bufio.NewScanner(f)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}
		l, err := ParseLabel(text)
		if err != nil {
			return nil, fmt.Errorf("kitti: %s:%d: %w", path, line, err)
		}
		out = append(out, l)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("kitti: %s: %w", path, err)
	}
	return out, nil
}

var labelFields = []string{"truncated", "occluded", "alpha", "x1", "y1", "x2", "y2", "h", "w", "l", "x", "y", "z", "rotation_y", "score"}

// ParseLabel parses one label line (15 fields, or 16 with a score).
func ParseLabel(line string) (Label, error) {
	f := strings.Fields(line)
	if len(f) != 15 && len(f) != 16 {
		return Label{}, fmt.Errorf("want 15 or 16 fields, got %d in %q", len(f), clip(line))
	}
	var v [15]float64
	for i := 1; i < len(f); i++ {
		x, err := strconv.ParseFloat(f[i], 64)
		if err != nil {
			return Label{}, fmt.Errorf("field %s: %q is not a number", labelFields[i-1], f[i])
		}
		v[i-1] = x
	}
	l := Label{Type: f[0], Truncated: v[0], Occluded: int(v[1]), Alpha: v[2],
		Box: [4]float64{v[3], v[4], v[5], v[6]}, H: v[7], W: v[8], L: v[9], X: v[10], Y: v[11], Z: v[12],
		RotationY: v[13], Score: v[14]}
	if float64(l.Occluded) != v[1] || l.Occluded < -1 || l.Occluded > 3 {
		return Label{}, fmt.Errorf("field occluded: %v is not -1..3", v[1])
	}
	return l, nil
}

// VeloBox returns the label's 3D box in the lidar frame (x forward, y left, z up): the centre
// (half the height above the labelled bottom centre) and the yaw about z. KITTI's rotation_y
// turns about the camera's y (down) axis with 0 along camera x (right), so the lidar yaw is
// -rotation_y - pi/2 (exact up to the small rotation between the two frames).
func (l Label) VeloBox(c *Calib) (x, y, z, yaw float64) {
	x, y, z = c.RectToVelo().Apply(l.X, l.Y-l.H/2, l.Z)
	yaw = math.Mod(-l.RotationY-math.Pi/2+3*math.Pi, 2*math.Pi) - math.Pi
	return x, y, z, yaw
}
