// Package geom is the shared geometry of the stack: 2D and 3D vectors, SE(2) and SE(3) poses,
// oriented boxes and their bird's-eye-view intersection, image rectangles, and the pinhole
// camera projection. It imports nothing from the project, so every package can use it.
//
// Frames: the vehicle frame (base_link) has x forward, y left, z up, origin at the rear axle on
// the ground; a camera's optical frame has z forward, x right, y down. Angles are radians,
// counter-clockwise positive about z.
package geom
