package geom

import "math"

// Vec2 is a point or direction in the plane.
type Vec2 struct{ X, Y float64 }

// Add returns a+b.
func (a Vec2) Add(b Vec2) Vec2 { return Vec2{a.X + b.X, a.Y + b.Y} }

// Sub returns a-b.
func (a Vec2) Sub(b Vec2) Vec2 { return Vec2{a.X - b.X, a.Y - b.Y} }

// Scale returns s*a.
func (a Vec2) Scale(s float64) Vec2 { return Vec2{a.X * s, a.Y * s} }

// Dot returns the dot product.
func (a Vec2) Dot(b Vec2) float64 { return a.X*b.X + a.Y*b.Y }

// Cross returns the z component of a x b.
func (a Vec2) Cross(b Vec2) float64 { return a.X*b.Y - a.Y*b.X }

// Norm returns the length.
func (a Vec2) Norm() float64 { return math.Hypot(a.X, a.Y) }

// Rotate returns a rotated by angle th.
func (a Vec2) Rotate(th float64) Vec2 {
	s, c := math.Sincos(th)
	return Vec2{c*a.X - s*a.Y, s*a.X + c*a.Y}
}

// Vec3 is a point or direction in space.
type Vec3 struct{ X, Y, Z float64 }

// Add returns a+b.
func (a Vec3) Add(b Vec3) Vec3 { return Vec3{a.X + b.X, a.Y + b.Y, a.Z + b.Z} }

// Sub returns a-b.
func (a Vec3) Sub(b Vec3) Vec3 { return Vec3{a.X - b.X, a.Y - b.Y, a.Z - b.Z} }

// Scale returns s*a.
func (a Vec3) Scale(s float64) Vec3 { return Vec3{a.X * s, a.Y * s, a.Z * s} }

// Dot returns the dot product.
func (a Vec3) Dot(b Vec3) float64 { return a.X*b.X + a.Y*b.Y + a.Z*b.Z }

// Cross returns a x b.
func (a Vec3) Cross(b Vec3) Vec3 {
	return Vec3{a.Y*b.Z - a.Z*b.Y, a.Z*b.X - a.X*b.Z, a.X*b.Y - a.Y*b.X}
}

// Norm returns the length.
func (a Vec3) Norm() float64 { return math.Sqrt(a.Dot(a)) }

// NormalizeAngle maps an angle to (-pi, pi].
func NormalizeAngle(a float64) float64 {
	a = math.Mod(a, 2*math.Pi)
	if a <= -math.Pi {
		a += 2 * math.Pi
	} else if a > math.Pi {
		a -= 2 * math.Pi
	}
	return a
}

// Pose2 is an SE(2) pose: the frame's origin and heading in its parent.
type Pose2 struct{ X, Y, Yaw float64 }

// Apply maps a point from the pose's frame to its parent.
func (p Pose2) Apply(v Vec2) Vec2 { return v.Rotate(p.Yaw).Add(Vec2{p.X, p.Y}) }

// Inverse returns the parent expressed in the pose's frame.
func (p Pose2) Inverse() Pose2 {
	t := Vec2{-p.X, -p.Y}.Rotate(-p.Yaw)
	return Pose2{t.X, t.Y, NormalizeAngle(-p.Yaw)}
}

// Compose returns p*q: q given in p's frame, expressed in p's parent.
func (p Pose2) Compose(q Pose2) Pose2 {
	t := p.Apply(Vec2{q.X, q.Y})
	return Pose2{t.X, t.Y, NormalizeAngle(p.Yaw + q.Yaw)}
}

// Pose3 is an SE(3) pose: rotation R (row-major 3x3) and translation T; Apply(v) = R v + T.
type Pose3 struct {
	R [9]float64
	T Vec3
}

// Identity3 is the identity pose.
func Identity3() Pose3 { return Pose3{R: [9]float64{1, 0, 0, 0, 1, 0, 0, 0, 1}} }

// RotationRPY returns the rotation for roll (x), pitch (y), yaw (z), applied in the order
// yaw * pitch * roll (the usual vehicle and ROS convention).
func RotationRPY(roll, pitch, yaw float64) [9]float64 {
	sr, cr := math.Sincos(roll)
	sp, cp := math.Sincos(pitch)
	sy, cy := math.Sincos(yaw)
	return [9]float64{
		cy * cp, cy*sp*sr - sy*cr, cy*sp*cr + sy*sr,
		sy * cp, sy*sp*sr + cy*cr, sy*sp*cr - cy*sr,
		-sp, cp * sr, cp * cr,
	}
}

// FromMount builds the pose of a sensor mounted at (x, y, z) with roll, pitch, yaw in its parent.
func FromMount(x, y, z, roll, pitch, yaw float64) Pose3 {
	return Pose3{R: RotationRPY(roll, pitch, yaw), T: Vec3{x, y, z}}
}

// Apply maps a point from the pose's frame to its parent.
func (p Pose3) Apply(v Vec3) Vec3 {
	r := &p.R
	return Vec3{
		r[0]*v.X + r[1]*v.Y + r[2]*v.Z + p.T.X,
		r[3]*v.X + r[4]*v.Y + r[5]*v.Z + p.T.Y,
		r[6]*v.X + r[7]*v.Y + r[8]*v.Z + p.T.Z,
	}
}

// Rotate applies only the rotation.
func (p Pose3) Rotate(v Vec3) Vec3 {
	r := &p.R
	return Vec3{r[0]*v.X + r[1]*v.Y + r[2]*v.Z, r[3]*v.X + r[4]*v.Y + r[5]*v.Z, r[6]*v.X + r[7]*v.Y + r[8]*v.Z}
}

// Inverse returns the inverse transform.
func (p Pose3) Inverse() Pose3 {
	r := p.R
	rt := [9]float64{r[0], r[3], r[6], r[1], r[4], r[7], r[2], r[5], r[8]}
	q := Pose3{R: rt}
	t := q.Rotate(p.T)
	q.T = Vec3{-t.X, -t.Y, -t.Z}
	return q
}

// Compose returns p*q (apply q, then p).
func (p Pose3) Compose(q Pose3) Pose3 {
	var r [9]float64
	for i := 0; i < 3; i++ {
		for j := 0; j < 3; j++ {
			r[i*3+j] = p.R[i*3]*q.R[j] + p.R[i*3+1]*q.R[3+j] + p.R[i*3+2]*q.R[6+j]
		}
	}
	return Pose3{R: r, T: p.Apply(q.T)}
}

// Quaternion returns the rotation as a unit quaternion (x, y, z, w) with w >= 0.
func (p Pose3) Quaternion() (x, y, z, w float64) {
	r := p.R
	tr := r[0] + r[4] + r[8]
	switch {
	case tr > 0:
		s := math.Sqrt(tr+1) * 2
		w, x, y, z = 0.25*s, (r[7]-r[5])/s, (r[2]-r[6])/s, (r[3]-r[1])/s
	case r[0] > r[4] && r[0] > r[8]:
		s := math.Sqrt(1+r[0]-r[4]-r[8]) * 2
		w, x, y, z = (r[7]-r[5])/s, 0.25*s, (r[1]+r[3])/s, (r[2]+r[6])/s
	case r[4] > r[8]:
		s := math.Sqrt(1+r[4]-r[0]-r[8]) * 2
		w, x, y, z = (r[2]-r[6])/s, (r[1]+r[3])/s, 0.25*s, (r[5]+r[7])/s
	default:
		s := math.Sqrt(1+r[8]-r[0]-r[4]) * 2
		w, x, y, z = (r[3]-r[1])/s, (r[2]+r[6])/s, (r[5]+r[7])/s, 0.25*s
	}
	if w < 0 {
		x, y, z, w = -x, -y, -z, -w
	}
	return
}

// FromQuaternion builds a rotation-only pose from a unit quaternion.
func FromQuaternion(x, y, z, w float64) Pose3 {
	n := math.Sqrt(x*x + y*y + z*z + w*w)
	if n == 0 {
		return Identity3()
	}
	x, y, z, w = x/n, y/n, z/n, w/n
	return Pose3{R: [9]float64{
		1 - 2*(y*y+z*z), 2 * (x*y - z*w), 2 * (x*z + y*w),
		2 * (x*y + z*w), 1 - 2*(x*x+z*z), 2 * (y*z - x*w),
		2 * (x*z - y*w), 2 * (y*z + x*w), 1 - 2*(x*x+y*y),
	}}
}

// Pose3From2 lifts a planar pose to 3D (z = 0, rotation about z).
func Pose3From2(p Pose2) Pose3 { return FromMount(p.X, p.Y, 0, 0, 0, p.Yaw) }
