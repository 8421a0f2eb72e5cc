// Package traffic moves the simulator's other road users: vehicles that follow lanes with the
// Intelligent Driver Model (IDM) and change lanes with MOBIL, scripted behaviours (cut-in,
// hard brake, stopped vehicle, wrong-way driver) and pedestrians and cyclists that cross on a
// trigger (time, distance to the ego). Everything random draws from the world's own seeded
// math/rand/v2 generator; agents are kept and stepped in a fixed order, so a run is
// reproducible from its seed.
//
//	w := traffic.NewWorld(m, seed)
//	w.Add(agent)                     // or w.FromScenario(sc)
//	w.Step(0.01, traffic.Ego{...})   // every physics tick
package traffic
