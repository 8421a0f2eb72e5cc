package predict

import (
	"math"
	"testing"

	"github.com/avstack/avstack/msg/av"
	"github.com/avstack/avstack/planning/route"
)

func arcRoute(t *testing.T) *route.Route {
	t.Helper()
	var c []*av.Point2
	for a := 0.0; a <= math.Pi/2+1e-9; a += 1.0 / 100 {
		c = append(c, &av.Point2{X: 100 * math.Sin(a), Y: 100 - 100*math.Cos(a)})
	}
	r, err := route.FromMsg(&av.Route{RouteLaneIds: []string{"c"}, Lanes: []*av.RouteLane{{Id: "c", Centre: c, Width: 3.5}}})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func obj(id uint64, cls av.ObjectClass, x, y, yaw, vx, vy float64) *av.Object {
	return &av.Object{Id: id, Class: cls, Box: &av.Box3D{X: x, Y: y, Length: 4.5, Width: 1.8, Height: 1.5, Yaw: yaw}, Vx: vx, Vy: vy}
}

func TestPredictors(t *testing.T) {
	rt := arcRoute(t)
	car := av.ObjectClass_OBJECT_CLASS_CAR
	ped := av.ObjectClass_OBJECT_CLASS_PEDESTRIAN
	cases := []struct {
		name  string
		p     Predictor
		o     *av.Object
		paths int
		// Expected position of the most likely path at t = 2 s.
		wantX, wantY float64
	}{
		{"cv car", ConstantVelocity{Opt: DefaultOptions()}, obj(1, car, 0, 0, 0, 10, 0), 1, 20, 0},
		// On the arc of radius 100 at 10 m/s for 2 s: arc length 20 -> angle 0.2 rad.
		{"lane-following car on the arc", LaneFollowing{Opt: DefaultOptions()}, obj(2, car, 0, 0, 0, 10, 0), 2, 100 * math.Sin(0.2), 100 - 100*math.Cos(0.2)},
		{"pedestrian stays cv", LaneFollowing{Opt: DefaultOptions()}, obj(3, ped, 10, -5, 0, 0, 1.5), 1, 10, -2},
		{"car off the lanes stays cv", LaneFollowing{Opt: DefaultOptions()}, obj(4, car, 50, -40, 0, 0, 5), 1, 50, -30},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			preds := tc.p.Predict(&av.ObjectList{Objects: []*av.Object{tc.o}}, rt, 0)
			if len(preds) != 1 || len(preds[0].Paths) != tc.paths {
				t.Fatalf("got %d predictions / paths %v, want 1 with %d paths", len(preds), preds, tc.paths)
			}
			sum := 0.0
			for _, p := range preds[0].Paths {
				sum += p.Probability
				if len(p.States) != 51 {
					t.Errorf("%d states, want 51 (5 s at 0.1 s)", len(p.States))
				}
			}
			if math.Abs(sum-1) > 1e-9 {
				t.Errorf("probabilities sum to %g", sum)
			}
			s := preds[0].Paths[0].At(2)
			if math.Hypot(s.X-tc.wantX, s.Y-tc.wantY) > 0.1 {
				t.Errorf("at 2 s: (%.2f, %.2f), want (%.2f, %.2f)", s.X, s.Y, tc.wantX, tc.wantY)
			}
			m := ToMsg(preds, tc.p.Name())
			if m.Model != tc.p.Name() || len(m.Predictions[0].Paths[0].Points) != 51 {
				t.Errorf("message: model %q, %d points", m.Model, len(m.Predictions[0].Paths[0].Points))
			}
		})
	}
}

func TestNewPredictorErrors(t *testing.T) {
	if _, err := New("lstm", DefaultOptions()); err == nil {
		t.Error("unknown predictor accepted")
	}
	if _, err := New("constant_velocity", Options{Horizon: 5, Dt: 0}); err == nil {
		t.Error("dt 0 accepted")
	}
}
