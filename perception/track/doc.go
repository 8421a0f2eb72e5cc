// Package track is avstack's multi-object tracker: one constant-velocity Kalman filter per object
// (state x, y, vx, vy with white-acceleration process noise, gonum/mat), association of
// detections to tracks by the Hungarian method (package assign) on the Mahalanobis distance of
// the innovation, gated by a chi-square bound and a distance bound, and a track life cycle:
//
//   - birth: every detection no track claims starts a tentative track;
//   - confirmation: a tentative track with ConfirmHits updates is confirmed and reported;
//   - deletion: a tentative track that misses once, or a confirmed one that has not been updated
//     for MaxCoast, is deleted.
//
// Ids count up from 1 in birth order and are never reused, so they are stable for as long as a
// track lives. Box size and heading are smoothed outside the filter (heading modulo pi, since a
// lidar box does not know front from back); the class is the one with the highest accumulated
// score. Track in a fixed (world, "map") frame so that the velocity is over ground: the caller
// converts detections with the ego pose first.
//
//	tr, _ := track.New(track.DefaultOptions())
//	tracks := tr.Update(dets, stampNs) // confirmed tracks, ordered by id
package track
