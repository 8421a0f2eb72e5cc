package parallel

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

type countTask struct {
	hits []atomic.Int32
	pool *Pool
	nest int
}

func (c *countTask) Run(i int) {
	c.hits[i].Add(1)
	if c.nest > 0 {
		inner := &countTask{hits: make([]atomic.Int32, c.nest)}
		c.pool.Run(c.nest, inner)
		for j := range inner.hits {
			if inner.hits[j].Load() != 1 {
				panic("nested task not run exactly once")
			}
		}
	}
}

func TestRunEachIndexOnce(t *testing.T) {
	cases := []struct {
		name string
		n    int
		nest int
	}{
		{"zero", 0, 0},
		{"one", 1, 0},
		{"two", 2, 0},
		{"many", 97, 0},
		{"nested", 8, 5},
	}
	p := New()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			task := &countTask{hits: make([]atomic.Int32, tc.n), pool: p, nest: tc.nest}
			p.Run(tc.n, task)
			for i := range task.hits {
				if got := task.hits[i].Load(); got != 1 {
					t.Fatalf("index %d ran %d times, want 1", i, got)
				}
			}
		})
	}
}

// limitTask records how many of its tasks run at once.
type limitTask struct {
	running, peak atomic.Int32
	hits          []atomic.Int32
}

func (l *limitTask) Run(i int) {
	r := l.running.Add(1)
	for {
		p := l.peak.Load()
		if r <= p || l.peak.CompareAndSwap(p, r) {
			break
		}
	}
	for j := 0; j < 20000; j++ { // long enough for helpers to overlap
		_ = j * j
	}
	l.hits[i].Add(1)
	l.running.Add(-1)
}

func TestRunNBoundsWorkers(t *testing.T) {
	p := New()
	for _, workers := range []int{1, 2} {
		l := &limitTask{hits: make([]atomic.Int32, 40)}
		p.RunN(len(l.hits), workers, l)
		if got := l.peak.Load(); got > int32(workers) {
			t.Fatalf("workers=%d: %d tasks ran at once", workers, got)
		}
		for i := range l.hits {
			if l.hits[i].Load() != 1 {
				t.Fatalf("workers=%d: index %d ran %d times", workers, i, l.hits[i].Load())
			}
		}
	}
}

func TestRunConcurrentCallers(t *testing.T) {
	p := New()
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := 0; r < 200; r++ {
				task := &countTask{hits: make([]atomic.Int32, 3+r%5)}
				p.Run(len(task.hits), task)
				for i := range task.hits {
					if task.hits[i].Load() != 1 {
						t.Errorf("index %d ran %d times", i, task.hits[i].Load())
						return
					}
				}
			}
		}()
	}
	wg.Wait()
}

type nopTask struct{ sum atomic.Int64 }

func (n *nopTask) Run(i int) { n.sum.Add(int64(i)) }

func TestRunNoAllocs(t *testing.T) {
	p := New()
	task := &nopTask{}
	p.Run(4, task) // warm-up
	allocs := testing.AllocsPerRun(100, func() { p.Run(4, task) })
	if allocs != 0 {
		t.Fatalf("Run allocates %.1f times per call after warm-up, want 0", allocs)
	}
}

func BenchmarkRun(b *testing.B) {
	p := New()
	task := &nopTask{}
	for b.Loop() {
		p.Run(2, task)
	}
}

// meetTask: index 0 waits until index 1 has run, which only another
// goroutine can do while index 0 blocks; it reports whether that happened.
type meetTask struct{ ran1, met chan struct{} }

func (m *meetTask) Run(i int) {
	if i == 1 {
		close(m.ran1)
		return
	}
	select {
	case <-m.ran1:
		close(m.met)
	case <-time.After(5 * time.Second):
	}
}

// TestWorkerTakesNextCall: a worker picks up the next call both while it
// still polls (right after a call) and after it has parked.
func TestWorkerTakesNextCall(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		t.Skip("needs GOMAXPROCS >= 2 for a helper")
	}
	p := New()
	p.Run(2, &nopTask{}) // start the worker
	for _, c := range []struct {
		name string
		gap  time.Duration
	}{{"polling", 0}, {"parked", 20 * spinFor}} {
		t.Run(c.name, func(t *testing.T) {
			p.Run(2, &nopTask{})
			time.Sleep(c.gap)
			m := &meetTask{ran1: make(chan struct{}), met: make(chan struct{})}
			p.RunN(2, 2, m)
			select {
			case <-m.met:
			default:
				t.Fatal("index 1 did not run on a worker while index 0 waited")
			}
		})
	}
}

// nestTask runs an inner Run of the same pool from every index.
type nestTask struct {
	p     *Pool
	inner []*countTask
}

func (n *nestTask) Run(i int) { n.p.Run(len(n.inner[i].hits), n.inner[i]) }

// TestNestedRunRunsEveryIndex: a Run issued from inside a task (which the
// pool runs on the calling goroutine alone) still runs every index once.
func TestNestedRunRunsEveryIndex(t *testing.T) {
	p := New()
	n := &nestTask{p: p}
	for i := 0; i < 4; i++ {
		n.inner = append(n.inner, &countTask{hits: make([]atomic.Int32, 3+i)})
	}
	p.Run(len(n.inner), n)
	for k, in := range n.inner {
		for i := range in.hits {
			if in.hits[i].Load() != 1 {
				t.Fatalf("inner run %d index %d ran %d times", k, i, in.hits[i].Load())
			}
		}
	}
	if a := p.active.Load(); a != 0 {
		t.Fatalf("active = %d after the runs, want 0", a)
	}
}

// TestHoldKeepsWorkersPolling: while a Hold is in force no worker parks,
// however long the pool stays idle; after Release they park again.
func TestHoldKeepsWorkersPolling(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		t.Skip("needs GOMAXPROCS >= 2 for a helper")
	}
	p := New()
	p.Run(2, &nopTask{}) // start the worker
	waitParked := func(want int32) bool {
		for end := time.Now().Add(2 * time.Second); time.Now().Before(end); time.Sleep(time.Millisecond) {
			if p.parked.Load() == want {
				return true
			}
		}
		return false
	}
	if !waitParked(1) {
		t.Fatal("the idle worker did not park without a hold")
	}
	p.Hold(2) // wakes the parked worker
	if !waitParked(0) {
		t.Fatal("Hold did not wake the parked worker")
	}
	time.Sleep(20 * spinFor)
	if got := p.parked.Load(); got != 0 {
		t.Fatalf("%d workers parked during a hold", got)
	}
	c := &countTask{hits: make([]atomic.Int32, 5)}
	p.Run(len(c.hits), c)
	for i := range c.hits {
		if c.hits[i].Load() != 1 {
			t.Fatalf("index %d ran %d times during a hold", i, c.hits[i].Load())
		}
	}
	p.Release()
	if !waitParked(1) {
		t.Fatal("the worker did not park after Release")
	}
}

func TestReleaseWithoutHoldPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("Release without Hold did not panic")
		}
	}()
	New().Release()
}
