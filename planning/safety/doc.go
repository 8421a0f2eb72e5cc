// Package safety is the planner's safety shield: oriented-box overlap (separating axes),
// time-to-collision, and the RSS (Responsibility-Sensitive Safety) longitudinal and lateral safe
// distances. Shield.Check runs a candidate trajectory against predicted object boxes over time;
// Shield.LaneChangeSafe vetoes lane changes into RSS-unsafe gaps. The motion planner runs every
// candidate it would choose through the shield, and the final trajectory too; when nothing
// passes, it falls back to braking in lane and marks the trajectory safety_override.
//
//	sh := safety.DefaultShield(safety.Footprint{Length: 4.7, Width: 1.85, CentreOffset: 1.35})
//	if v := sh.Check(states, preds); !v.Safe { ... v.Reason ... }
package safety
