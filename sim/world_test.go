package sim

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/avstack/avstack/config"
	"github.com/avstack/avstack/sim/scenario"
)

func loadVehicle(t testing.TB) *config.Vehicle {
	t.Helper()
	v, err := config.LoadVehicle("../configs/vehicle.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func scenarioFiles(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob("../configs/scenarios/*.yaml")
	if err != nil || len(files) < 12 {
		t.Fatalf("want at least 12 scenarios in configs/scenarios, got %d (%v)", len(files), err)
	}
	return files
}

// TestScenariosBuiltin runs every scenario of configs/scenarios with the built-in driver through
// Run (bus, lockstep, headless) and checks its pass criteria; the bare world (no bus) must give
// the same metrics. Spec: issue 5, "Every scenario runs from the CLI and from go test".
func TestScenariosBuiltin(t *testing.T) {
	v := loadVehicle(t)
	for _, f := range scenarioFiles(t) {
		sc, err := scenario.Load(f)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(sc.Name, func(t *testing.T) {
			w, err := NewWorld(sc, v, sc.Seed)
			if err != nil {
				t.Fatal(err)
			}
			for !w.Done() {
				w.Step(w.BuiltinCommand())
			}
			s := w.Metrics.Summary()
			res, err := Run(context.Background(), sc, Options{Vehicle: v})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(res.Summary, s) || res.Ticks != w.Tick {
				t.Errorf("Run and the bare world disagree:\n run   %+v\n world %+v", res.Summary, s)
			}
			fails := res.Failures
			t.Logf("%s: t=%.1f s rc=%.3f score=%.1f coll=%d offroad=%.2f lanedep=%.2f acc=[%.2f,%.2f] lat=%.2f jerk=%.2f viol=%d",
				sc.Name, w.Time(), s.RouteCompletion, s.DrivingScore, s.Collisions, s.OffroadS, s.LaneDepartureS, s.MinLongAccel, s.MaxLongAccel, s.MaxAbsLatAccel, s.MaxAbsJerk, len(s.Violations))
			for _, f := range fails {
				t.Error(f)
			}
		})
	}
}
