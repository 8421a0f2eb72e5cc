// Package scenario reads simulator scenarios: YAML files in configs/scenarios that name a map,
// the ego's start and route, the other road users with their behaviours and triggers, the
// sensor set and its degradations, the duration and seed, and the pass criteria.
//
// Files are decoded strictly: an unknown key, a missing map, a lane that does not exist or a
// value out of range is an error naming the file, the line and the field
// ("config: configs/scenarios/cut_in.yaml:14: actors[0].behavior.decel = -3: must be positive").
// docs/scenarios.md is the user's guide to the format.
//
//	sc, err := scenario.Load("configs/scenarios/cut_in.yaml") // also loads and checks the map
package scenario
