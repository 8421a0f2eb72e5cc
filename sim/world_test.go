package sim

import (
	"path/filepath"
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

// TestScenariosBuiltinWorld runs every scenario with the built-in driver on the bare world
// (no bus) and checks its pass criteria.
func TestScenariosBuiltinWorld(t *testing.T) {
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
			fails := Check(sc.Pass, s)
			t.Logf("%s: t=%.1f s rc=%.3f score=%.1f coll=%d offroad=%.2f lanedep=%.2f acc=[%.2f,%.2f] lat=%.2f jerk=%.2f viol=%d",
				sc.Name, w.Time(), s.RouteCompletion, s.DrivingScore, s.Collisions, s.OffroadS, s.LaneDepartureS, s.MinLongAccel, s.MaxLongAccel, s.MaxAbsLatAccel, s.MaxAbsJerk, len(s.Violations))
			for _, f := range fails {
				t.Error(f)
			}
		})
	}
}
