package dynamics

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/avstack/avstack/config"
)

func params() config.Dynamics {
	return config.Dynamics{Wheelbase: 2.8, Length: 4.7, Width: 1.85, Height: 1.5, FrontOverhang: 3.7, RearOverhang: 1,
		MaxSteer: 0.6, MaxSteerRate: 0.8, MaxAccel: 3, MaxDecel: 8, MaxJerk: 10, MaxSpeed: 40, SteerTau: 0.1, AccelTau: 0.2}
}

func run(b *Bicycle, cmd Command, seconds float64) {
	for i := 0; i < int(math.Round(seconds/0.01)); i++ {
		b.Step(cmd, 0.01)
	}
}

// TestSteadyTurn: at constant speed and steering the rear axle runs on a circle of radius
// L / tan(delta) and the lateral acceleration is v^2 / R.
func TestSteadyTurn(t *testing.T) {
	cases := []struct{ v, steer float64 }{{5, 0.2}, {10, 0.05}, {20, -0.02}}
	for _, c := range cases {
		b := New(params(), State{V: c.v, Steer: c.steer}, nil)
		run(b, Command{Steer: c.steer}, 1)
		// Collect points over a while and fit the centre from three of them.
		var xs, ys []float64
		for k := 0; k < 3; k++ {
			run(b, Command{Steer: c.steer}, 0.7)
			xs, ys = append(xs, b.S.X), append(ys, b.S.Y)
		}
		r := circumradius(xs, ys)
		want := 2.8 / math.Tan(math.Abs(c.steer))
		if math.Abs(r-want)/want > 1e-3 {
			t.Errorf("v %v steer %v: radius %.3f, want %.3f", c.v, c.steer, r, want)
		}
		if math.Abs(math.Abs(b.S.ALat)-c.v*c.v/want) > 1e-3*c.v*c.v/want {
			t.Errorf("v %v steer %v: lateral accel %.4f, want %.4f", c.v, c.steer, b.S.ALat, c.v*c.v/want)
		}
	}
}

func circumradius(x, y []float64) float64 {
	a := math.Hypot(x[1]-x[0], y[1]-y[0])
	b := math.Hypot(x[2]-x[1], y[2]-y[1])
	c := math.Hypot(x[2]-x[0], y[2]-y[0])
	area := math.Abs((x[1]-x[0])*(y[2]-y[0])-(x[2]-x[0])*(y[1]-y[0])) / 2
	return a * b * c / (4 * area)
}

// TestActuators: limits and lags from config.Dynamics.
func TestActuators(t *testing.T) {
	p := params()
	t.Run("steer rate limit", func(t *testing.T) {
		b := New(p, State{V: 10}, nil)
		run(b, Command{Steer: 0.5}, 0.25)
		if math.Abs(b.S.Steer-0.8*0.25) > 1e-9 {
			t.Fatalf("steer after 0.25 s %v, want rate-limited %v", b.S.Steer, 0.2)
		}
	})
	t.Run("steer clamp", func(t *testing.T) {
		b := New(p, State{V: 10}, nil)
		run(b, Command{Steer: 2}, 3)
		if math.Abs(b.S.Steer-0.6) > 1e-6 || b.S.Steer > 0.6 {
			t.Fatalf("steer %v, want max 0.6", b.S.Steer)
		}
	})
	t.Run("accel lag", func(t *testing.T) {
		b := New(p, State{V: 10}, nil)
		// A small step stays below the jerk limit: first-order response, 63 % after tau.
		run(b, Command{Accel: 1}, 0.2)
		if math.Abs(b.S.Accel-(1-math.Exp(-1))) > 1e-6 {
			t.Fatalf("accel after tau %v, want %v", b.S.Accel, 1-math.Exp(-1))
		}
	})
	t.Run("jerk limit", func(t *testing.T) {
		b := New(p, State{V: 20}, nil)
		b.Step(Command{Accel: -8}, 0.01)
		if math.Abs(b.S.Accel+0.1) > 1e-9 {
			t.Fatalf("accel after one step %v, want jerk-limited -0.1", b.S.Accel)
		}
	})
	t.Run("no reverse", func(t *testing.T) {
		b := New(p, State{V: 1}, nil)
		run(b, Command{Accel: -8}, 3)
		if b.S.V != 0 {
			t.Fatalf("speed %v, want 0", b.S.V)
		}
	})
	t.Run("max speed", func(t *testing.T) {
		b := New(p, State{V: 39.9}, nil)
		run(b, Command{Accel: 3}, 3)
		if b.S.V != 40 {
			t.Fatalf("speed %v, want 40", b.S.V)
		}
	})
	t.Run("seeded noise", func(t *testing.T) {
		mk := func(seed uint64) float64 {
			b := New(p, State{V: 10}, &Noise{Accel: 0.2, Steer: 0.01, Rand: rand.New(rand.NewPCG(seed, 1))})
			run(b, Command{}, 2)
			return b.S.X + b.S.Y
		}
		if mk(1) != mk(1) || mk(1) == mk(2) {
			t.Fatal("noise not reproducible from its seed")
		}
	})
}

func TestFootprint(t *testing.T) {
	b := New(params(), State{X: 10, Y: 5, Yaw: math.Pi / 2}, nil)
	box := b.Box()
	// Centre (3.7 - 1) / 2 = 1.35 m ahead of the rear axle; heading north.
	if math.Abs(box.X-10) > 1e-9 || math.Abs(box.Y-6.35) > 1e-9 || box.Length != 4.7 || box.Width != 1.85 {
		t.Fatalf("footprint %+v", box)
	}
}
