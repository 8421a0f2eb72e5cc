package sim

import (
	"testing"

	"github.com/avstack/avstack/sim/scenario"
)

// BenchmarkPhysicsTraffic measures the world alone (ego, traffic, metrics; no sensors, no bus)
// on the dense highway scenario with the built-in driver; realtime_x is sim time / wall time.
func BenchmarkPhysicsTraffic(b *testing.B) {
	v := loadVehicle(b)
	sc, err := scenario.Load("../configs/scenarios/dense_highway.yaml")
	if err != nil {
		b.Fatal(err)
	}
	var simS float64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		w, err := NewWorld(sc, v, sc.Seed)
		if err != nil {
			b.Fatal(err)
		}
		for !w.Done() {
			w.Step(w.BuiltinCommand())
		}
		simS += w.Time()
	}
	b.ReportMetric(simS/b.Elapsed().Seconds(), "realtime_x")
	b.ReportMetric(float64(len(sc.Actors)), "actors")
}
