package control

import (
	"math"
	"math/rand"
	"testing"

	"github.com/avstack/avstack/config"
	"github.com/avstack/avstack/geom"
	"github.com/avstack/avstack/msg"
	"github.com/avstack/avstack/msg/av"
	"github.com/avstack/avstack/node"
)

var testDyn = config.Dynamics{Wheelbase: 2.8, Length: 4.7, Width: 1.85, Height: 1.5, FrontOverhang: 3.7, RearOverhang: 1.0,
	MaxSteer: 0.6, MaxSteerRate: 0.8, MaxAccel: 3, MaxDecel: 8, MaxJerk: 10, MaxSpeed: 40, SteerTau: 0.1, AccelTau: 0.2}

// bicycle is a kinematic bicycle with first-order actuator lags and a steering rate limit, the
// same model the simulator integrates (at 100 Hz).
type bicycle struct {
	x, y, yaw, v, a, steer float64
	dyn                    config.Dynamics
}

func (b *bicycle) step(steerCmd, accelCmd, dt float64) {
	d := b.dyn
	steerCmd = math.Max(-d.MaxSteer, math.Min(d.MaxSteer, steerCmd))
	ds := (steerCmd - b.steer) / d.SteerTau * dt
	lim := d.MaxSteerRate * dt
	b.steer += math.Max(-lim, math.Min(lim, ds))
	accelCmd = math.Max(-d.MaxDecel, math.Min(d.MaxAccel, accelCmd))
	b.a += (accelCmd - b.a) / d.AccelTau * dt
	b.x += b.v * math.Cos(b.yaw) * dt
	b.y += b.v * math.Sin(b.yaw) * dt
	b.yaw = geom.NormalizeAngle(b.yaw + b.v/d.Wheelbase*math.Tan(b.steer)*dt)
	b.v = math.Max(0, b.v+b.a*dt)
}

func (b *bicycle) state(stamp int64) *av.VehicleState {
	return &av.VehicleState{Header: &av.Header{StampNs: stamp, FrameId: "map"}, X: b.x, Y: b.y, Yaw: b.yaw, V: b.v, A: b.a, Steering: b.steer}
}

// curveRoad is the simulator's curved-road centre line: 150 m straight, a left bend of radius
// 200 m over 90 degrees, 100 m straight, a right bend of radius 150 m over 90 degrees, 300 m
// straight; sampled every metre.
func curveRoad() []geom.Vec2 {
	var pts []geom.Vec2
	for x := 0.0; x < 150; x++ {
		pts = append(pts, geom.Vec2{X: x})
	}
	for a := 0.0; a < math.Pi/2; a += 1.0 / 200 {
		pts = append(pts, geom.Vec2{X: 150 + 200*math.Sin(a), Y: 200 - 200*math.Cos(a)})
	}
	for y := 200.0; y < 300; y++ {
		pts = append(pts, geom.Vec2{X: 350, Y: y})
	}
	for a := 0.0; a < math.Pi/2; a += 1.0 / 150 {
		pts = append(pts, geom.Vec2{X: 500 - 150*math.Cos(a), Y: 300 + 150*math.Sin(a)})
	}
	for x := 500.0; x <= 800; x++ {
		pts = append(pts, geom.Vec2{X: x, Y: 450})
	}
	return pts
}

// trajectoryAlong builds a trajectory over pts at constant speed v starting at the point nearest
// to (x, y), horizon seconds long, stamped at stamp.
func trajectoryAlong(pts []geom.Vec2, x, y, v, horizon float64, stamp int64) *av.Trajectory {
	best, bi := math.Inf(1), 0
	for i, p := range pts {
		if d := math.Hypot(p.X-x, p.Y-y); d < best {
			best, bi = d, i
		}
	}
	if bi > 0 {
		bi--
	}
	tr := &av.Trajectory{Header: &av.Header{StampNs: stamp, FrameId: "map"}}
	s := 0.0
	for i := bi; i < len(pts) && s <= v*horizon+1; i++ {
		if i > bi {
			s += pts[i].Sub(pts[i-1]).Norm()
		}
		j, k := max(i-1, 0), min(i+1, len(pts)-1)
		yaw := math.Atan2(pts[k].Y-pts[j].Y, pts[k].X-pts[j].X)
		kappa := 0.0
		if j > 0 && k < len(pts)-1 {
			y0 := math.Atan2(pts[j+1].Y-pts[j].Y, pts[j+1].X-pts[j].X)
			y1 := math.Atan2(pts[k].Y-pts[k-1].Y, pts[k].X-pts[k-1].X)
			kappa = geom.NormalizeAngle(y1-y0) / (pts[k].Sub(pts[j]).Norm() / 2)
		}
		tr.Points = append(tr.Points, &av.TrajectoryPoint{T: s / v, X: pts[i].X, Y: pts[i].Y, Yaw: yaw, V: v, Curvature: kappa, S: s})
	}
	return tr
}

// lateralError is the distance of (x, y) from the road polyline, signed left positive.
func lateralError(road *Path, x, y float64) float64 {
	_, e, _, _ := road.Project(geom.Vec2{X: x, Y: y})
	return e
}

// closedLoop drives the curved road at speed v with a lateral controller, replanning a fresh
// trajectory from the road every 100 ms as the planner does, and returns the RMS and maximum
// lateral error from the road centre (after a 2 s settle) and the peak steering rate.
func closedLoop(t *testing.T, name string, v float64) (rms, maxAbs float64) {
	t.Helper()
	road := curveRoad()
	roadPath := NewPath(trajectoryAlong(road, 0, 0, v, 1e4, 0))
	c, err := New("control", func() Settings { s := DefaultSettings(testDyn); s.Controller = name; return s }(), testDyn)
	if err != nil {
		t.Fatal(err)
	}
	b := &bicycle{x: 0, y: 0.3, yaw: 0, v: v, dyn: testDyn}
	const physDt = 0.01
	var sum float64
	var n int
	var cmd *av.ControlCommand
	for tick := 0; ; tick++ {
		now := int64(tick) * 10e6
		var in []node.Message
		if tick%10 == 0 {
			in = append(in, node.Message{Subject: msg.SubjectTrajectory, Value: trajectoryAlong(road, b.x, b.y, v, 5, now)})
			in = append(in, node.Message{Subject: msg.SubjectObjects, Value: &av.ObjectList{Header: &av.Header{StampNs: now, FrameId: "map"}}})
		}
		if tick%2 == 0 {
			in = append(in, node.Message{Subject: msg.SubjectVehicleState, Value: b.state(now)})
			outs, err := c.Step(in, now)
			if err != nil {
				t.Fatal(err)
			}
			cmd = outs[0].Value.(*av.ControlCommand)
			if cmd.Mode != av.ControlCommand_MODE_AUTONOMOUS {
				t.Fatalf("%s: t=%.2f: mode %v (%s), want autonomous", name, float64(now)/1e9, cmd.Mode, cmd.Reason)
			}
		}
		b.step(cmd.Steering, cmd.Acceleration, physDt)
		if b.x > 780 && b.y > 440 {
			break
		}
		if tick > 100000 {
			t.Fatalf("%s: did not reach the end of the road (at %.1f, %.1f)", name, b.x, b.y)
		}
		if float64(tick)*physDt > 2 {
			e := lateralError(roadPath, b.x, b.y)
			sum += e * e
			n++
			maxAbs = math.Max(maxAbs, math.Abs(e))
		}
	}
	return math.Sqrt(sum / float64(n)), maxAbs
}

// TestCurveTrackingRMS checks issue 8's bound: at 20 m/s on the curved road the RMS lateral
// error is <= 0.15 m, for every lateral controller.
func TestCurveTrackingRMS(t *testing.T) {
	for _, name := range []string{"pure_pursuit", "stanley", "lqr"} {
		t.Run(name, func(t *testing.T) {
			rms, mx := closedLoop(t, name, 20)
			t.Logf("%s at 20 m/s: RMS lateral error %.3f m, max %.3f m", name, rms, mx)
			if rms > 0.15 {
				t.Errorf("%s: RMS lateral error %.3f m > 0.15 m", name, rms)
			}
			if mx > 0.6 {
				t.Errorf("%s: max lateral error %.3f m > 0.6 m", name, mx)
			}
		})
	}
}

// TestPoseFilter: on noise-free straight motion the filter returns the measurements (the
// prediction is exact); on noisy positions it reduces the spread.
func TestPoseFilter(t *testing.T) {
	f := PoseFilter{Alpha: 0.3}
	rng := rand.New(rand.NewSource(3))
	var sumRaw, sumF float64
	for k := 0; k < 2000; k++ {
		stamp := int64(k) * 10e6
		x := 25 * float64(k) * 0.01
		got := f.Update(geom.Pose2{X: x, Y: 1}, 25, 0, stamp)
		if math.Abs(got.X-x) > 1e-9 || math.Abs(got.Y-1) > 1e-9 {
			t.Fatalf("step %d: filtered (%g, %g), want (%g, 1)", k, got.X, got.Y, x)
		}
	}
	f = PoseFilter{Alpha: 0.3}
	for k := 0; k < 2000; k++ {
		stamp := int64(k) * 10e6
		x := 25 * float64(k) * 0.01
		ny := 0.05 * rng.NormFloat64()
		got := f.Update(geom.Pose2{X: x, Y: 1 + ny}, 25, 0, stamp)
		sumRaw += ny * ny
		sumF += (got.Y - 1) * (got.Y - 1)
	}
	raw, filt := math.Sqrt(sumRaw/2000), math.Sqrt(sumF/2000)
	if filt > 0.5*raw {
		t.Errorf("filtered noise %.4f m vs raw %.4f m: want at most half", filt, raw)
	}
}

// TestNoisyOdometryComfort: with 5 cm position noise on every odometry sample (the sensor
// degraded scenario), straight at 30 m/s, the peak lateral acceleration stays within nuPlan's
// 4.89 m/s^2 for every controller.
func TestNoisyOdometryComfort(t *testing.T) {
	for _, name := range []string{"pure_pursuit", "stanley", "lqr"} {
		t.Run(name, func(t *testing.T) {
			road := make([]geom.Vec2, 0, 2000)
			for x := 0.0; x <= 2000; x++ {
				road = append(road, geom.Vec2{X: x})
			}
			s := DefaultSettings(testDyn)
			s.Controller = name
			c, err := New("control", s, testDyn)
			if err != nil {
				t.Fatal(err)
			}
			rng := rand.New(rand.NewSource(7))
			b := &bicycle{v: 30, dyn: testDyn}
			cmd := &av.ControlCommand{}
			maxLat, sumE, n := 0.0, 0.0, 0
			for tick := 0; tick < 3000; tick++ {
				now := int64(tick) * 10e6
				if tick%2 == 0 {
					st := b.state(now)
					st.X += 0.05 * rng.NormFloat64()
					st.Y += 0.05 * rng.NormFloat64()
					in := []node.Message{{Subject: msg.SubjectVehicleState, Value: st}}
					if tick%10 == 0 {
						in = append(in, node.Message{Subject: msg.SubjectTrajectory, Value: trajectoryAlong(road, b.x, b.y, 30, 5, now)},
							node.Message{Subject: msg.SubjectObjects, Value: noObjects(now)})
					}
					outs, err := c.Step(in, now)
					if err != nil {
						t.Fatal(err)
					}
					cmd = outs[0].Value.(*av.ControlCommand)
				}
				b.step(cmd.Steering, cmd.Acceleration, 0.01)
				if tick > 200 {
					lat := b.v * b.v * math.Tan(b.steer) / testDyn.Wheelbase
					maxLat = math.Max(maxLat, math.Abs(lat))
					sumE += b.y * b.y
					n++
				}
			}
			t.Logf("%s: peak lateral acceleration %.2f m/s^2, RMS lateral error %.3f m", name, maxLat, math.Sqrt(sumE/float64(n)))
			if maxLat > 4.89 {
				t.Errorf("peak lateral acceleration %.2f > 4.89 m/s^2", maxLat)
			}
		})
	}
}
