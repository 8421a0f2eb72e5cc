package track

import (
	"gonum.org/v1/gonum/mat"
)

// kalman is a constant-velocity filter over (x, y, vx, vy) with position measurements.
type kalman struct {
	x *mat.VecDense // state
	p *mat.Dense    // covariance
}

// newKalman starts a filter at a measured position with the given position and velocity
// standard deviations.
func newKalman(px, py, posStd, velStd float64) *kalman {
	k := &kalman{x: mat.NewVecDense(4, []float64{px, py, 0, 0}), p: mat.NewDense(4, 4, nil)}
	k.p.Set(0, 0, posStd*posStd)
	k.p.Set(1, 1, posStd*posStd)
	k.p.Set(2, 2, velStd*velStd)
	k.p.Set(3, 3, velStd*velStd)
	return k
}

// transition returns F and Q for a step of dt seconds with white acceleration of spectral
// density q (m^2/s^3).
func transition(dt, q float64) (f, qm *mat.Dense) {
	f = mat.NewDense(4, 4, []float64{
		1, 0, dt, 0,
		0, 1, 0, dt,
		0, 0, 1, 0,
		0, 0, 0, 1,
	})
	dt2, dt3 := dt*dt, dt*dt*dt
	qm = mat.NewDense(4, 4, []float64{
		q * dt3 / 3, 0, q * dt2 / 2, 0,
		0, q * dt3 / 3, 0, q * dt2 / 2,
		q * dt2 / 2, 0, q * dt, 0,
		0, q * dt2 / 2, 0, q * dt,
	})
	return f, qm
}

// predict advances the filter by dt seconds.
func (k *kalman) predict(dt, q float64) {
	if dt <= 0 {
		return
	}
	f, qm := transition(dt, q)
	var x mat.VecDense
	x.MulVec(f, k.x)
	k.x = &x
	var fp, fpf mat.Dense
	fp.Mul(f, k.p)
	fpf.Mul(&fp, f.T())
	fpf.Add(&fpf, qm)
	k.p = &fpf
}

var hMat = mat.NewDense(2, 4, []float64{1, 0, 0, 0, 0, 1, 0, 0})

// innovation returns the residual y = z - Hx and its covariance S = HPH' + R.
func (k *kalman) innovation(zx, zy, r2 float64) (y *mat.VecDense, s *mat.Dense) {
	y = mat.NewVecDense(2, []float64{zx - k.x.AtVec(0), zy - k.x.AtVec(1)})
	s = mat.NewDense(2, 2, []float64{
		k.p.At(0, 0) + r2, k.p.At(0, 1),
		k.p.At(1, 0), k.p.At(1, 1) + r2,
	})
	return y, s
}

// mahalanobis2 is y' S^-1 y of a measurement (closed-form 2x2 inverse), or +Inf when S is
// singular. mahalanobis2Ref is the same through gonum's solver; the tests hold them together.
func (k *kalman) mahalanobis2(zx, zy, r2 float64) float64 {
	y0, y1 := zx-k.x.AtVec(0), zy-k.x.AtVec(1)
	a, b, c, d := k.p.At(0, 0)+r2, k.p.At(0, 1), k.p.At(1, 0), k.p.At(1, 1)+r2
	det := a*d - b*c
	if !(det > 0) {
		return inf
	}
	return (d*y0*y0 - (b+c)*y0*y1 + a*y1*y1) / det
}

func (k *kalman) mahalanobis2Ref(zx, zy, r2 float64) float64 {
	y, s := k.innovation(zx, zy, r2)
	var sol mat.VecDense
	if err := sol.SolveVec(s, y); err != nil {
		return inf
	}
	return mat.Dot(y, &sol)
}

// update fuses a position measurement (Joseph form keeps P symmetric and positive).
func (k *kalman) update(zx, zy, r2 float64) {
	y, s := k.innovation(zx, zy, r2)
	var sinv mat.Dense
	if err := sinv.Inverse(s); err != nil {
		return // singular S cannot happen with r2 > 0; keep the prediction
	}
	var pht, gain mat.Dense
	pht.Mul(k.p, hMat.T())
	gain.Mul(&pht, &sinv) // 4x2
	var dx mat.VecDense
	dx.MulVec(&gain, y)
	k.x.AddVec(k.x, &dx)
	var kh, ikh mat.Dense
	kh.Mul(&gain, hMat)
	ikh.Sub(eye4, &kh)
	var a, b, krk mat.Dense
	a.Mul(&ikh, k.p)
	b.Mul(&a, ikh.T())
	krk.Mul(&gain, gain.T())
	krk.Scale(r2, &krk)
	b.Add(&b, &krk)
	k.p = &b
}

var eye4 = mat.NewDiagDense(4, []float64{1, 1, 1, 1})
