package sim

import (
	"context"
	"syscall"
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
	cpu0 := cpuSeconds()
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
	b.ReportMetric(simS/(cpuSeconds()-cpu0), "realtime_x_cpu")
}

// BenchmarkSensorsRun runs the dense highway scenario through Run with the built-in driver,
// camera 640x360 @ 20 Hz (JPEG) and the HDL-32E lidar @ 10 Hz published on the bus.
func BenchmarkSensorsRun(b *testing.B) {
	v := loadVehicle(b)
	sc, err := scenario.Load("../configs/scenarios/dense_highway.yaml")
	if err != nil {
		b.Fatal(err)
	}
	sc.DurationS = 10
	var simS float64
	cpu0 := cpuSeconds()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := Run(context.Background(), sc, Options{Vehicle: v, Sensors: true})
		if err != nil {
			b.Fatal(err)
		}
		simS += res.SimTimeS
	}
	b.ReportMetric(simS/b.Elapsed().Seconds(), "realtime_x")
	b.ReportMetric(simS/(cpuSeconds()-cpu0), "realtime_x_cpu")
}

// cpuSeconds is the process's user+system CPU time: on a shared machine wall time mostly
// measures the neighbours, so the benchmarks report both.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Sec+ru.Stime.Sec) + float64(ru.Utime.Usec+ru.Stime.Usec)/1e6
}

// BenchmarkLockstepOverhead measures the lockstep scheduler with three trivial nodes (one
// triggered by the vehicle state, a 10 Hz timer node and a node triggered by it): the cost of
// the per-tick barrier, headless.
func BenchmarkLockstepOverhead(b *testing.B) {
	v := withNodes(loadVehicle(b), "simtest-brake", "simtest-timer", "simtest-chain")
	sc := shortScenario(b, "../configs/scenarios/lane_keep_straight.yaml", 2)
	var ticks uint64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := Run(context.Background(), sc, Options{Vehicle: v, Driver: DriverStack})
		if err != nil {
			b.Fatal(err)
		}
		ticks += res.Ticks
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(ticks), "us/tick")
}
