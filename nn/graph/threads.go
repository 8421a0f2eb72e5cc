package graph

import (
	"slices"
	"time"
)

// Per-node thread counts.
//
// More threads do not make every layer faster. On a small network the
// layers over large feature maps (the first convolutions at 160x160 and
// more) can come out slower on two cores than on one, while many short
// layers over small maps gain (measured on the 2-core AVX-512 VM:
// Yolo-Fastest 1.1 node by node, the first 3x3 convolution 0.25 ms on one
// thread and 0.28 on two, a 96-channel 40x40 one 0.072 and 0.045). Which
// layers gain depends on the machine, so a graph measures it. With
// SetThreads(n > 1) on a CPU backend:
//  1. its first 2*tunePairs runs alternate between one thread and n for the
//     whole graph, timing every node; each node is given n when its median
//     time with n is at most tuneGain of its one-thread median, else one;
//  2. when some node was given n, the next 2*verifyPairs runs alternate
//     between that plan and one thread for every node, timing whole runs: a
//     node's time depends on its neighbours' counts, so a mixed plan can
//     lose what its nodes won alone; it is kept only when its median run is
//     faster, else every node runs on one thread.
// Thread counts never change results (the kernels split no sum), so tuning
// changes speed only.

const (
	tunePairs   = 8
	verifyPairs = 6
	tuneGain    = 0.95
)

// threadTuner is the per-node thread state of a graph.
type threadTuner struct {
	threads int                           // SetThreads; 0 = never set (the backend's default)
	off     bool                          // SetThreadTuning(false)
	runs    int                           // measuring and verifying runs done
	samples []time.Duration               // node i, count c (0: one thread, 1: threads), run r at [(i*2+c)*tunePairs+r]
	verify  [2][verifyPairs]time.Duration // whole runs: [0] with the candidate plan, [1] on one thread
	cand    []int                         // the candidate plan being verified
	plan    []int                         // per-node thread count once tuned; nil while tuning or not tuning
	planBuf [2][]int                      // storage of cand and plan, allocated with the samples (a Run allocates nothing)
	planMax int
}

// SetThreads sets the number of threads the graph's Runs may use (the
// backend's count is process-wide for the CPU backends: each Run sets it
// again, so graphs with different counts can take turns), and on a CPU
// backend with n > 1 starts measuring which nodes gain from them (see
// ThreadPlan).
func (g *Graph) SetThreads(n int) {
	g.tune.threads = n
	g.be.SetThreads(n)
	g.resetTuning()
}

// SetThreadTuning turns the per-node choice of thread counts on (the
// default) or off (every node runs with the SetThreads count); either way
// measuring starts again.
func (g *Graph) SetThreadTuning(on bool) {
	g.tune.off = !on
	g.resetTuning()
}

// ThreadPlan returns the thread count each node runs with, in execution
// order, once tuning has finished; nil while it measures, or when the graph
// does not tune (one thread, tuning off, or a backend that is not the CPU's).
func (g *Graph) ThreadPlan() []int {
	if g.tune.plan == nil {
		return nil
	}
	return slices.Clone(g.tune.plan)
}

// Measuring reports whether the graph is still timing its nodes to choose
// their thread counts (the next Run is one of the measuring runs, which a
// benchmark should count as warm-up).
func (g *Graph) Measuring() bool { return g.tuning() && g.tune.plan == nil }

func (g *Graph) tuning() bool {
	_, cpu := g.be.(runHolder)
	return cpu && !g.tune.off && g.tune.threads > 1
}

func (g *Graph) resetTuning() {
	t := &g.tune
	t.runs, t.cand, t.plan, t.planMax = 0, nil, nil, 0
	if g.tuning() {
		if n := len(g.nodes) * 2 * tunePairs; cap(t.samples) < n {
			t.samples = make([]time.Duration, n)
		}
		t.samples = t.samples[:len(g.nodes)*2*tunePairs]
		for k := range t.planBuf {
			if cap(t.planBuf[k]) < len(g.nodes) {
				t.planBuf[k] = make([]int, len(g.nodes))
			}
		}
	}
}

// runMode says how this Run uses threads: the count for the graph as a
// whole (0: leave the backend as it is), the per-node plan (nil: that count
// for every node), and whether the Run times its nodes (measuring) or
// itself (verifying).
func (g *Graph) runMode() (threads int, plan []int, timeNodes, timeRun bool) {
	t := &g.tune
	switch {
	case !g.tuning():
		return t.threads, nil, false, false // 0 (never set): leave the backend's
	case t.plan != nil:
		return t.planMax, t.plan, false, false
	case t.cand == nil && t.runs%2 == 0:
		return 1, nil, true, false
	case t.cand == nil:
		return t.threads, nil, true, false
	case t.runs%2 == 0:
		return t.threads, t.cand, false, true
	default:
		return 1, nil, false, true
	}
}

// record keeps node i's time in a measuring run.
func (g *Graph) record(i int, d time.Duration) {
	t := &g.tune
	t.samples[(i*2+t.runs%2)*tunePairs+t.runs/2] = d
}

// endMeasure counts a measuring run and picks the candidate plan after the
// last.
func (g *Graph) endMeasure() {
	t := &g.tune
	t.runs++
	if t.runs < 2*tunePairs {
		return
	}
	t.cand = t.planBuf[0][:len(g.nodes)]
	parallel := false
	for i := range g.nodes {
		one := median(t.samples[(i*2)*tunePairs : (i*2+1)*tunePairs])
		many := median(t.samples[(i*2+1)*tunePairs : (i*2+2)*tunePairs])
		t.cand[i] = 1
		if float64(many) <= tuneGain*float64(one) {
			t.cand[i] = t.threads
			parallel = true
		}
	}
	t.runs = 0
	if !parallel {
		g.settle(false) // one thread everywhere: nothing to verify
	}
}

// endVerify keeps a verifying run's time and settles the plan after the last.
func (g *Graph) endVerify(d time.Duration) {
	t := &g.tune
	t.verify[t.runs%2][t.runs/2] = d
	t.runs++
	if t.runs < 2*verifyPairs {
		return
	}
	g.settle(median(t.verify[0][:]) < median(t.verify[1][:]))
}

// settle fixes the plan: the candidate when keep, else one thread for every
// node.
func (g *Graph) settle(keep bool) {
	t := &g.tune
	t.plan = t.planBuf[1][:len(g.nodes)]
	t.planMax = 1
	for i := range t.plan {
		t.plan[i] = 1
		if keep {
			t.plan[i] = t.cand[i]
			t.planMax = max(t.planMax, t.cand[i])
		}
	}
}

// median sorts s in place and returns its middle element.
func median(s []time.Duration) time.Duration {
	slices.Sort(s)
	return s[len(s)/2]
}
