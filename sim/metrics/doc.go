// Package metrics scores a simulator run: collisions (with whom, at what speed), off-road and
// lane-departure time, route completion, minimum time to collision, comfort against nuPlan's
// bounds, red-light and stop-sign violations, and the CARLA leaderboard driving score
// (route completion x the product of infraction penalties, 0..100).
//
// The simulator feeds a Recorder one Sample per physics tick and reports violations as they
// happen; Summary gives the totals. The Recorder knows nothing of maps or buses.
package metrics
