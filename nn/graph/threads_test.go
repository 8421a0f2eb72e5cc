package graph

import (
	"testing"
	"time"

	"github.com/avstack/avstack/nn"
	"github.com/avstack/avstack/nn/cpu"
	"github.com/avstack/avstack/nn/gemm"
)

// slowBackend is the CPU backend with two ops made slow on purpose, by the
// process-wide gemm thread count the CPU kernels follow: Softmax
// takes 2 ms on one thread and 0.2 ms on more; Activate takes 0.2 ms on one
// thread and 2 ms on more, or, with switchCost, 0.2 ms on either and 3 ms
// when it runs on another count than the Softmax before it (as a layer pays
// for reading what another core wrote).
type slowBackend struct {
	*cpu.Backend
	switchCost  bool
	noGain      bool // Softmax is the slow one on more threads too
	softThreads int
	calls       map[int]int // Activate and Softmax calls by thread count
}

func spin(d time.Duration) {
	for t0 := time.Now(); time.Since(t0) < d; {
	}
}

func (b *slowBackend) Softmax(dst, x *nn.Tensor, axis int, log bool) {
	th := gemm.Threads()
	b.calls[th]++
	b.softThreads = th
	if th > 1 != b.noGain {
		spin(200 * time.Microsecond)
	} else {
		spin(2 * time.Millisecond)
	}
	b.Backend.Softmax(dst, x, axis, log)
}

func (b *slowBackend) Activate(dst, x *nn.Tensor, act nn.Activation) {
	th := gemm.Threads()
	b.calls[th]++
	switch {
	case b.switchCost && th != b.softThreads:
		spin(3 * time.Millisecond)
	case th > 1 && !b.switchCost:
		spin(2 * time.Millisecond)
	default:
		spin(200 * time.Microsecond)
	}
	b.Backend.Activate(dst, x, act)
}

func tuneGraph(t *testing.T, switchCost bool) (*Graph, *slowBackend) {
	return tuneGraphOn(t, &slowBackend{Backend: &cpu.Backend{}, switchCost: switchCost, calls: map[int]int{}})
}

func tuneGraphOn(t *testing.T, be *slowBackend) (*Graph, *slowBackend) {
	t.Helper()
	b := NewBuilder()
	b.Input("x", nn.Float32, []int{2, 3})
	b.Add(&Node{Name: "softmax", OpType: "Softmax", Op: &SoftmaxOp{Axis: -1}, Inputs: []string{"x"}, Outputs: []string{"s"}})
	b.Add(&Node{Name: "neg", OpType: "Neg", Op: &ActOp{Act: nn.Activation{Kind: nn.ActNeg}}, Inputs: []string{"s"}, Outputs: []string{"y"}})
	b.Output("y")
	g, err := b.BuildFor(be)
	if err != nil {
		t.Fatal(err)
	}
	if g.NodeCount() != 2 {
		t.Fatalf("%d nodes after optimisation, want softmax and neg", g.NodeCount())
	}
	return g, be
}

// TestThreadPlan: with SetThreads(2) a graph measures its nodes for
// 2*tunePairs runs, verifies the plan for 2*verifyPairs more, then runs
// each node with the faster count (softmax on two threads, neg on one),
// with the same outputs and no allocation; one thread, or tuning off,
// makes no plan.
func TestThreadPlan(t *testing.T) {
	g, be := tuneGraph(t, false)
	x := nn.FromSlice([]float32{1, 2, 3, -1, 0, 4}, 2, 3)
	in := map[string]*nn.Tensor{"x": x}
	ref, err := g.Run(in)
	if err != nil {
		t.Fatal(err)
	}
	want := ref["y"].Clone()

	g.SetThreads(2)
	clear(be.calls)
	for r := 0; r < 2*tunePairs+2*verifyPairs; r++ {
		if p := g.ThreadPlan(); p != nil || !g.Measuring() {
			t.Fatalf("plan %v, measuring %v after %d of %d tuning runs", p, g.Measuring(), r, 2*tunePairs+2*verifyPairs)
		}
		if r == 2*tunePairs && (be.calls[1] != 2*tunePairs || be.calls[2] != 2*tunePairs) {
			t.Errorf("measuring ran the slow ops %d times on one thread and %d on two, want %d each", be.calls[1], be.calls[2], 2*tunePairs)
		}
		if _, err := g.Run(in); err != nil {
			t.Fatal(err)
		}
	}
	plan := g.ThreadPlan()
	if len(plan) != 2 || plan[0] != 2 || plan[1] != 1 || g.Measuring() {
		t.Fatalf("plan %v (measuring %v), want [2 1]: softmax fast on two threads, neg on one", plan, g.Measuring())
	}
	clear(be.calls)
	out, err := g.Run(in)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "tuned", out["y"], want)
	if be.calls[2] != 1 || be.calls[1] != 1 {
		t.Errorf("tuned run: %d slow-op calls on one thread, %d on two, want 1 and 1", be.calls[1], be.calls[2])
	}
	if th := gemm.Threads(); th != 2 {
		t.Errorf("gemm left at %d threads after a Run, want the configured 2", th)
	}
	if a := testing.AllocsPerRun(5, func() { g.Run(in) }); a != 0 {
		t.Errorf("a tuned Run allocates %.1f times", a)
	}

	g.SetThreadTuning(false)
	clear(be.calls)
	for r := 0; r < 2*tunePairs+2*verifyPairs+1; r++ {
		g.Run(in)
	}
	if g.ThreadPlan() != nil || g.Measuring() || be.calls[1] != 0 {
		t.Errorf("tuning off: plan %v, measuring %v, %d calls on one thread, want none", g.ThreadPlan(), g.Measuring(), be.calls[1])
	}
	g.SetThreadTuning(true)
	g.SetThreads(1)
	if g.Measuring() {
		t.Error("one thread: measuring")
	}
	g.Run(in)
	if g.ThreadPlan() != nil {
		t.Errorf("one thread: plan %v, want none", g.ThreadPlan())
	}
}

// TestThreadPlanVerified: node by node, softmax gains from two threads and
// neg does not care, but neg after a two-thread softmax on one thread is
// slow, so the mixed plan loses to one thread in the verifying runs and
// every node ends on one thread.
func TestThreadPlanVerified(t *testing.T) {
	g, _ := tuneGraph(t, true)
	in := map[string]*nn.Tensor{"x": nn.FromSlice([]float32{1, 2, 3, -1, 0, 4}, 2, 3)}
	g.SetThreads(2)
	for r := 0; r < 2*tunePairs+2*verifyPairs; r++ {
		if r == 2*tunePairs {
			if c := g.tune.cand; len(c) != 2 || c[0] != 2 || c[1] != 1 {
				t.Fatalf("candidate plan %v after measuring, want [2 1]", c)
			}
		}
		if _, err := g.Run(in); err != nil {
			t.Fatal(err)
		}
	}
	if p := g.ThreadPlan(); len(p) != 2 || p[0] != 1 || p[1] != 1 {
		t.Fatalf("plan %v, want [1 1]: the candidate [2 1] is slower as a whole", p)
	}
}

// TestThreadsPerGraph: two graphs on one process-wide gemm thread count
// each run with their own SetThreads count when they take turns.
func TestThreadsPerGraph(t *testing.T) {
	g1, be1 := tuneGraph(t, false)
	g2, be2 := tuneGraph(t, false)
	g1.SetThreads(1)
	g2.SetThreads(2)
	g2.SetThreadTuning(false)
	in := map[string]*nn.Tensor{"x": nn.FromSlice([]float32{1, 2, 3, -1, 0, 4}, 2, 3)}
	clear(be1.calls) // building ran the ops too
	clear(be2.calls)
	for r := 0; r < 3; r++ {
		for _, g := range []*Graph{g1, g2} {
			if _, err := g.Run(in); err != nil {
				t.Fatal(err)
			}
		}
	}
	if be1.calls[2] != 0 || be1.calls[1] != 6 || be2.calls[1] != 0 || be2.calls[2] != 6 {
		t.Errorf("slow-op calls by thread count: graph 1 %v (want 6 on one), graph 2 %v (want 6 on two)", be1.calls, be2.calls)
	}
}

// TestThreadPlanNoGain: when no node gains from two threads the plan is one
// thread everywhere as soon as measuring ends, with no verifying runs.
func TestThreadPlanNoGain(t *testing.T) {
	g, _ := tuneGraphOn(t, &slowBackend{Backend: &cpu.Backend{}, noGain: true, calls: map[int]int{}})
	in := map[string]*nn.Tensor{"x": nn.FromSlice([]float32{1, 2, 3, -1, 0, 4}, 2, 3)}
	g.SetThreads(2)
	for r := 0; r < 2*tunePairs; r++ {
		if _, err := g.Run(in); err != nil {
			t.Fatal(err)
		}
	}
	if p := g.ThreadPlan(); len(p) != 2 || p[0] != 1 || p[1] != 1 || g.Measuring() {
		t.Fatalf("plan %v (measuring %v) after %d runs, want [1 1] and done", p, g.Measuring(), 2*tunePairs)
	}
}
