package sim

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/avstack/avstack/geom"
	"github.com/avstack/avstack/sim/dynamics"
	"github.com/avstack/avstack/sim/metrics"
	"github.com/avstack/avstack/sim/roadmap"
	"github.com/avstack/avstack/sim/scenario"
)

func stopSignScenario(t *testing.T) *scenario.Scenario {
	t.Helper()
	dir := t.TempDir()
	var b roadmap.Builder
	lane := roadmap.LaneSpec{ID: "a", Pts: []geom.Vec2{{X: 0}, {X: 300}}, Width: 3.5, SpeedLimit: 12}
	b.Lane(lane)
	b.StopLine("stop_a", lane, 100, roadmap.StopSign, 0, 0, 0, 0)
	if err := os.WriteFile(filepath.Join(dir, "m.geojson"), b.GeoJSON(), 0o644); err != nil {
		t.Fatal(err)
	}
	sc := `name: stop_sign
map: m.geojson
duration_s: 60
ego: {lane: a, s: 20, speed: 10, goal: {lane: a, s: 250}}
`
	file := filepath.Join(dir, "s.yaml")
	if err := os.WriteFile(file, []byte(sc), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := scenario.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestViolations: crossing a stop sign without stopping and crossing a stop line on red are
// violations (CARLA penalties 0.8 and 0.7); stopping first is not.
func TestViolations(t *testing.T) {
	v := loadVehicle(t)
	cases := []struct {
		name    string
		sc      *scenario.Scenario
		builtin bool
		want    string
	}{
		{"stop sign, built-in driver stops", stopSignScenario(t), true, ""},
		{"stop sign, rolled through", stopSignScenario(t), false, metrics.StopSign},
		{"red light, built-in driver waits", shortScenario(t, "../configs/scenarios/red_light_stop.yaml", 30), true, ""},
		{"red light, run", shortScenario(t, "../configs/scenarios/red_light_stop.yaml", 30), false, metrics.RedLight},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w, err := NewWorld(c.sc, v, 1)
			if err != nil {
				t.Fatal(err)
			}
			for !w.Done() {
				cmd := dynamics.Command{}
				if c.builtin {
					cmd = w.BuiltinCommand()
				}
				w.Step(cmd)
			}
			s := w.Metrics.Summary()
			if c.want == "" {
				if len(s.Violations) != 0 || s.RouteCompletion < 0.99 {
					t.Fatalf("violations %v, route completion %.3f", s.Violations, s.RouteCompletion)
				}
				return
			}
			if len(s.Violations) != 1 || s.Violations[0].Kind != c.want {
				t.Fatalf("violations %v, want one %s", s.Violations, c.want)
			}
			pen := metrics.PenaltyStopSign
			if c.want == metrics.RedLight {
				pen = metrics.PenaltyRedLight
			}
			if d := s.DrivingScore - 100*s.RouteCompletion*pen; d*d > 1e-12 {
				t.Fatalf("driving score %.3f, want %.3f", s.DrivingScore, 100*s.RouteCompletion*pen)
			}
		})
	}
}
