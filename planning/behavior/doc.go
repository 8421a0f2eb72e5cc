// Package behavior chooses what the ego does next: keep lane, follow, change lane, yield at a
// crosswalk, stop at a stop line or the goal, pull over. It works in the Frenet frame of the
// route (Situation) and returns a Decision (manoeuvre, target speed, target lane offset, optional
// stop point and leader) that the motion planner turns into a trajectory.
//
// Policy is the interface; RuleBased is the hand-written policy (IDM car-following, MOBIL lane
// changes, crosswalk yielding, stop lines with a dwell at stop signs). A learned (RL) policy will
// implement the same interface, under the same safety shield.
//
//	p := behavior.NewRuleBased()
//	d := p.Decide(situation) // d.Manoeuvre, d.TargetSpeed, d.TargetD, d.HasStop, d.StopS
package behavior
