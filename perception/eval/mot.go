package eval

import (
	"fmt"
	"math"
	"sort"

	"github.com/avstack/avstack/perception/assign"
)

// MOTObject is one object of one frame: ground truth or a tracker's hypothesis.
type MOTObject struct {
	ID   uint64
	X, Y float64
}

// MOTFrame is one frame of a sequence.
type MOTFrame struct {
	Truth, Hyp []MOTObject
}

// MOTResult are the CLEAR MOT and identity measures of a sequence.
type MOTResult struct {
	Frames int `json:"frames"`
	// GT and Hyp count objects over all frames; Matches the true positives.
	GT      int `json:"gt"`
	Hyp     int `json:"hyp"`
	Matches int `json:"matches"`
	FP      int `json:"fp"`
	FN      int `json:"fn"`
	// IDSwitches: a ground-truth object matched to a different hypothesis than the last time it
	// was matched. Fragmentations: a ground-truth trajectory tracked again after an interruption.
	IDSwitches     int     `json:"id_switches"`
	Fragmentations int     `json:"fragmentations"`
	MOTA           float64 `json:"mota"`
	// MOTP is the mean distance (m) of the matches.
	MOTP float64 `json:"motp"`
	IDTP int     `json:"idtp"`
	IDFP int     `json:"idfp"`
	IDFN int     `json:"idfn"`
	IDF1 float64 `json:"idf1"`
	IDP  float64 `json:"idp"`
	IDR  float64 `json:"idr"`
}

// EvalMOT scores a tracked sequence against ground truth with a match distance of maxDist
// metres (BEV centre distance). Per frame it first keeps the previous frame's matches that are
// still within maxDist (CLEAR MOT, Bernardin and Stiefelhagen 2008), then pairs the rest by
// the Hungarian method on distance. Identity measures follow Ristani et al. 2016: a one-to-one
// matching of whole trajectories that maximises the frames in which they are within maxDist.
func EvalMOT(frames []MOTFrame, maxDist float64) (MOTResult, error) {
	if !(maxDist > 0) {
		return MOTResult{}, fmt.Errorf("eval: MOT match distance %v must be > 0", maxDist)
	}
	r := MOTResult{Frames: len(frames)}
	last := map[uint64]uint64{}      // truth id -> last matched hypothesis id
	prevMatched := map[uint64]bool{} // truth id -> matched in its previous appearance
	everMatched := map[uint64]bool{}
	pair := map[[2]uint64]int{} // (truth, hyp) -> frames within maxDist
	truthCount := map[uint64]int{}
	hypCount := map[uint64]int{}
	distSum := 0.0
	for fi, f := range frames {
		if err := uniqueIDs(f.Truth); err != nil {
			return MOTResult{}, fmt.Errorf("eval: frame %d truth: %w", fi, err)
		}
		if err := uniqueIDs(f.Hyp); err != nil {
			return MOTResult{}, fmt.Errorf("eval: frame %d hypotheses: %w", fi, err)
		}
		r.GT += len(f.Truth)
		r.Hyp += len(f.Hyp)
		hypIndex := map[uint64]int{}
		for j, h := range f.Hyp {
			hypIndex[h.ID] = j
			hypCount[h.ID]++
		}
		for _, g := range f.Truth {
			truthCount[g.ID]++
			for _, h := range f.Hyp {
				if dist(g, h) <= maxDist {
					pair[[2]uint64{g.ID, h.ID}]++
				}
			}
		}
		matchT := make([]int, len(f.Truth))
		usedH := make([]bool, len(f.Hyp))
		for i := range matchT {
			matchT[i] = -1
		}
		// 1. Keep last frame's correspondences that still hold.
		for i, g := range f.Truth {
			if h, ok := last[g.ID]; ok && prevMatched[g.ID] {
				if j, ok := hypIndex[h]; ok && !usedH[j] && dist(g, f.Hyp[j]) <= maxDist {
					matchT[i], usedH[j] = j, true
				}
			}
		}
		// 2. Hungarian on the rest.
		var ti, hj []int
		for i := range f.Truth {
			if matchT[i] < 0 {
				ti = append(ti, i)
			}
		}
		for j := range f.Hyp {
			if !usedH[j] {
				hj = append(hj, j)
			}
		}
		if len(ti) > 0 && len(hj) > 0 {
			cost := make([][]float64, len(ti))
			for a, i := range ti {
				cost[a] = make([]float64, len(hj))
				for b, j := range hj {
					if d := dist(f.Truth[i], f.Hyp[j]); d <= maxDist {
						cost[a][b] = d
					} else {
						cost[a][b] = math.Inf(1)
					}
				}
			}
			for a, b := range assign.Solve(cost) {
				if b >= 0 {
					matchT[ti[a]], usedH[hj[b]] = hj[b], true
					g, h := f.Truth[ti[a]].ID, f.Hyp[hj[b]].ID
					if prev, ok := last[g]; ok && prev != h {
						r.IDSwitches++
					}
				}
			}
		}
		for i, g := range f.Truth {
			j := matchT[i]
			if j < 0 {
				r.FN++
				prevMatched[g.ID] = false
				continue
			}
			r.Matches++
			distSum += dist(g, f.Hyp[j])
			if everMatched[g.ID] && !prevMatched[g.ID] {
				r.Fragmentations++
			}
			last[g.ID] = f.Hyp[j].ID
			prevMatched[g.ID], everMatched[g.ID] = true, true
		}
		for j := range f.Hyp {
			if !usedH[j] {
				r.FP++
			}
		}
	}
	if r.GT > 0 {
		r.MOTA = 1 - float64(r.FN+r.FP+r.IDSwitches)/float64(r.GT)
	}
	if r.Matches > 0 {
		r.MOTP = distSum / float64(r.Matches)
	}
	r.IDTP = identityTP(truthCount, hypCount, pair)
	r.IDFN, r.IDFP = r.GT-r.IDTP, r.Hyp-r.IDTP
	if r.GT+r.Hyp > 0 {
		r.IDF1 = 2 * float64(r.IDTP) / float64(r.GT+r.Hyp)
	}
	if r.Hyp > 0 {
		r.IDP = float64(r.IDTP) / float64(r.Hyp)
	}
	if r.GT > 0 {
		r.IDR = float64(r.IDTP) / float64(r.GT)
	}
	return r, nil
}

// identityTP is the largest number of frames a one-to-one truth-to-hypothesis trajectory
// matching can explain.
func identityTP(truth, hyp map[uint64]int, pair map[[2]uint64]int) int {
	tids, hids := sortedKeys(truth), sortedKeys(hyp)
	if len(tids) == 0 || len(hids) == 0 {
		return 0
	}
	cost := make([][]float64, len(tids))
	for i, g := range tids {
		cost[i] = make([]float64, len(hids))
		for j, h := range hids {
			cost[i][j] = -float64(pair[[2]uint64{g, h}])
		}
	}
	total := 0
	for i, j := range assign.Solve(cost) {
		if j >= 0 {
			total += pair[[2]uint64{tids[i], hids[j]}]
		}
	}
	return total
}

func sortedKeys(m map[uint64]int) []uint64 {
	out := make([]uint64, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

func uniqueIDs(objs []MOTObject) error {
	seen := map[uint64]bool{}
	for _, o := range objs {
		if seen[o.ID] {
			return fmt.Errorf("id %d appears twice", o.ID)
		}
		if math.IsNaN(o.X) || math.IsNaN(o.Y) {
			return fmt.Errorf("id %d has a NaN position", o.ID)
		}
		seen[o.ID] = true
	}
	return nil
}

func dist(a, b MOTObject) float64 { return math.Hypot(a.X-b.X, a.Y-b.Y) }
