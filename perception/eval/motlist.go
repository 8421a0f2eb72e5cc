package eval

import (
	"math"

	"github.com/avstack/avstack/msg/av"
)

// MOTFrameFromLists pairs a ground-truth object list with a tracker's list of the same instant
// (both in the same frame, e.g. "map") and keeps the objects within maxRange (BEV) of the ego
// position (ex, ey): the region the sensors are expected to cover. Untracked hypotheses (id 0)
// are kept with ids that cannot collide with real ones.
func MOTFrameFromLists(truth, hyp *av.ObjectList, ex, ey, maxRange float64) MOTFrame {
	var f MOTFrame
	in := func(o *av.Object) bool {
		return o.Box != nil && math.Hypot(o.Box.X-ex, o.Box.Y-ey) <= maxRange
	}
	for _, o := range truth.GetObjects() {
		if in(o) {
			f.Truth = append(f.Truth, MOTObject{ID: o.Id, X: o.Box.X, Y: o.Box.Y})
		}
	}
	for i, o := range hyp.GetObjects() {
		if in(o) {
			id := o.Id
			if id == 0 {
				id = math.MaxUint64 - uint64(i)
			}
			f.Hyp = append(f.Hyp, MOTObject{ID: id, X: o.Box.X, Y: o.Box.Y})
		}
	}
	return f
}
