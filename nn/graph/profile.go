package graph

import (
	"fmt"
	"io"
	"sort"
	"time"
)

// NodeProfile is the time one node of the optimised graph took, summed over
// the runs since profiling was enabled.
type NodeProfile struct {
	Index        int    // position in execution order
	Name, OpType string // OpType lists fused ops ("Conv+BatchNormalization+Relu")
	OutShape     []int  // shape of the node's first output after the last run
	Total        time.Duration
	Min          time.Duration // the fastest single run: on a busy machine, the steadier figure
	Runs         int
}

// Mean is the average time per run.
func (p NodeProfile) Mean() time.Duration {
	if p.Runs == 0 {
		return 0
	}
	return p.Total / time.Duration(p.Runs)
}

// SetProfiling turns per-node timing on (clearing earlier figures) or off.
// While it is on, every Run adds each node's wall time to its total; the
// cost is two clock reads per node and no allocation.
func (g *Graph) SetProfiling(on bool) {
	g.profRuns = 0
	if !on {
		g.prof = nil
		return
	}
	g.prof = make([]time.Duration, len(g.nodes))
	g.profShape = make([][]int, len(g.nodes))
	g.profMin = make([]time.Duration, len(g.nodes))
}

// Profile returns the per-node times gathered since SetProfiling(true), in
// execution order (nil when profiling is off).
func (g *Graph) Profile() []NodeProfile {
	if g.prof == nil {
		return nil
	}
	ps := make([]NodeProfile, len(g.nodes))
	for i, n := range g.nodes {
		ps[i] = NodeProfile{Index: i, Name: n.Name, OpType: n.OpType, Total: g.prof[i], Min: g.profMin[i], Runs: g.profRuns}
		if g.profShape[i] != nil {
			ps[i].OutShape = append([]int(nil), g.profShape[i]...)
		}
	}
	return ps
}

// WriteProfile writes the profile as a table, slowest node first (by its
// fastest run, the figure least disturbed by other load), with the mean and
// each node's share of the sum of minima; top > 0 limits the rows.
func WriteProfile(w io.Writer, ps []NodeProfile, top int) error {
	var sum, sumMean time.Duration
	for _, p := range ps {
		sum += p.Min
		sumMean += p.Mean()
	}
	s := append([]NodeProfile(nil), ps...)
	sort.SliceStable(s, func(a, b int) bool { return s[a].Min > s[b].Min })
	if top > 0 && len(s) > top {
		s = s[:top]
	}
	if _, err := fmt.Fprintf(w, "%4s %-32s %-34s %-18s %8s %8s %6s\n", "#", "node", "op", "output", "min ms", "mean ms", "%"); err != nil {
		return err
	}
	for _, p := range s {
		pct := 0.0
		if sum > 0 {
			pct = 100 * float64(p.Min) / float64(sum)
		}
		if _, err := fmt.Fprintf(w, "%4d %-32.32s %-34.34s %-18s %8.3f %8.3f %6.1f\n", p.Index, p.Name, p.OpType, fmt.Sprint(p.OutShape), float64(p.Min)/1e6, float64(p.Mean())/1e6, pct); err != nil {
			return err
		}
	}
	_, err := fmt.Fprintf(w, "sum over %d nodes: minima %.3f ms, means %.3f ms\n", len(ps), float64(sum)/1e6, float64(sumMean)/1e6)
	return err
}
