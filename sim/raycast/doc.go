// Package raycast is the simulator's lidar model: a spinning multi-beam lidar (VLP-16,
// HDL-32E, HDL-64E beam patterns) cast against the ground plane (z = 0 in the map) and upright
// boxes (vehicles, pedestrians, cyclists, walls), with seeded range noise and point dropouts.
// Points come back in the sensor frame as x, y, z, intensity float32 (foxglove.PointCloud
// layout, 16 bytes a point). Boxes are culled per azimuth column, so cost grows with the
// number of beams, not beams x objects.
//
//	l, _ := raycast.New("HDL-32E", mount)   // mount: sensor -> vehicle (geom.FromMount)
//	pts := l.Scan(vehicleToMap, targets, raycast.Noise{Range: 0.02, Drop: 0.01, Rand: rng}, nil)
package raycast
