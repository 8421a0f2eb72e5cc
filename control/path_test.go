package control

import (
	"math"
	"testing"

	"github.com/avstack/avstack/msg/av"
)

// TestPathEnds: a stopping trajectory ends in points centimetres apart whose direction is
// noise (here the last kept step points 60 degrees off to the right). Beyond the end the path
// goes on along the planner's heading, not along that step: the emergency-stop check once
// swung the predicted ego box into a van parked beside the lane this way.
func TestPathEnds(t *testing.T) {
	var pts []*av.TrajectoryPoint
	for i := 0; i <= 10; i++ {
		pts = append(pts, &av.TrajectoryPoint{T: 0.1 * float64(i), X: float64(i), Y: 0.5, Yaw: 0, V: 5})
	}
	pts = append(pts, &av.TrajectoryPoint{T: 1.1, X: 10.03, Y: 0.5 - 0.052, Yaw: 0.01}, &av.TrajectoryPoint{T: 1.2, X: 10.03, Y: 0.5 - 0.052, Yaw: 0.01})
	p := NewPath(&av.Trajectory{Points: pts})
	cases := []struct {
		name        string
		s           float64
		x, y, yaw   float64
		tolXY, tolY float64
	}{
		{"inside", 4.5, 4.5, 0.5, 0, 1e-9, 1e-9},
		{"before the start", -2, -2, 0.5, 0, 1e-9, 1e-9},
		{"beyond the end follows the end heading", p.Length() + 3, 10.03 + 3*math.Cos(0.01), 0.448 + 3*math.Sin(0.01), 0.01, 1e-6, 1e-6},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			q, yaw := p.PoseAt(c.s)
			if math.Abs(q.X-c.x) > c.tolXY || math.Abs(q.Y-c.y) > c.tolXY || math.Abs(yaw-c.yaw) > c.tolY {
				t.Fatalf("PoseAt(%.3f) = (%.4f, %.4f) yaw %.4f, want (%.4f, %.4f) yaw %.4f", c.s, q.X, q.Y, yaw, c.x, c.y, c.yaw)
			}
			if r := p.PointAt(c.s); r != q {
				t.Fatalf("PointAt %v != PoseAt %v", r, q)
			}
		})
	}
}
