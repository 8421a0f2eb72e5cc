package parallel

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// Task is one parallel job: Run(i) does part i of n. Different i may run
// at the same time on different goroutines.
type Task interface {
	Run(i int)
}

// maxWorkers bounds the goroutines one Pool starts.
const maxWorkers = 256

// Pool is a set of long-lived worker goroutines. The zero value is not
// usable; use New or Default.
type Pool struct {
	wake chan *call

	parked atomic.Int32 // workers blocked waiting for a call (not polling)
	active atomic.Int32 // Runs in progress that use the workers
	holds  atomic.Int32 // Holds not yet released: workers poll, never park
	hold   atomic.Int32 // the CPU the last Hold's caller ran on, or -1

	mu      sync.Mutex
	started int
	free    []*call
}

// call is the shared state of one Run. It is recycled only after every
// goroutine that was told about it has let go of it (refs reaches zero), so
// a worker that wakes up late for a finished call never sees a reused one.
type call struct {
	t       Task
	cpu     int32 // the CPU the caller ran on when it woke the workers, or -1
	n       int32
	next    atomic.Int32
	pending atomic.Int32
	refs    atomic.Int32
}

// Default is the pool the nn kernels use.
var Default = New()

// New returns a pool with no workers started yet; they start on first need.
func New() *Pool {
	p := &Pool{wake: make(chan *call, maxWorkers)}
	p.hold.Store(-1)
	return p
}

// Run calls t.Run(i) for every i in [0, n) and returns when all have
// returned. The calling goroutine takes part. n <= 0 does nothing.
func (p *Pool) Run(n int, t Task) { p.RunN(n, n, t) }

// RunN is Run with at most workers goroutines (the caller included) taking
// part, for callers that split work finer than their thread budget so that
// a thread slowed by other load takes fewer pieces.
func (p *Pool) RunN(n, workers int, t Task) {
	if n <= 0 {
		return
	}
	if n == 1 || workers <= 1 {
		for i := 0; i < n; i++ {
			t.Run(i)
		}
		return
	}
	if p.active.Add(1) > 1 {
		// A Run from inside a task of another Run (a band of a convolution
		// calling a GEMM that would split too), or from another goroutine
		// while a Run is in progress: the workers are busy with that one,
		// so this caller does all of its own work. Splitting at one level
		// only keeps the claim and hand-over costs out of small nested calls.
		p.active.Add(-1)
		for i := 0; i < n; i++ {
			t.Run(i)
		}
		return
	}
	defer p.active.Add(-1)
	helpers := min(n, workers) - 1
	if procs := runtime.GOMAXPROCS(0); helpers > procs-1 {
		// More helpers than processors only adds scheduling; the claim loop
		// spreads the n tasks over whoever is running.
		helpers = max(procs-1, 0)
	}
	helpers = min(helpers, maxWorkers)
	c := p.get()
	c.t = t
	c.n = int32(n)
	c.next.Store(0)
	c.pending.Store(int32(n))
	c.refs.Store(int32(helpers + 1))
	p.ensure(helpers)
	c.cpu = -1
	if helpers > 0 {
		c.cpu = currentCPU()
	}
	for h := 0; h < helpers; h++ {
		select {
		case p.wake <- c:
		default:
			p.release(c) // queue full: the caller and the others do the work
		}
	}
	if helpers > 0 && p.parked.Load() > 0 {
		// A parked worker's thread was woken, and the kernel may have
		// queued it on this CPU: yielding lets it run now, move itself off
		// this CPU (see worker) and start, instead of waiting for this
		// thread's time slice to end.
		osYield()
	}
	work(c)
	// The helpers' parts take microseconds at most once the caller's are
	// done: wait for them by polling (blocking on a channel would park this
	// goroutine and its thread, and waking them costs more than that).
	for i := 0; c.pending.Load() != 0; i++ {
		if i >= 64 {
			runtime.Gosched()
			osYield()
		}
	}
	p.release(c)
}

// Hold keeps the pool's workers polling for calls instead of parking,
// until the matching Release, for a stretch of back-to-back Runs with short
// serial work between them (the layers of one forward pass): waking a
// parked worker costs 100-250 µs on a virtual machine, more than most
// layers of a small network take. It also wakes up to workers-1 parked
// workers now, so that the first Run of the stretch finds them running.
// Holds nest; workers <= 1 only counts the hold.
func (p *Pool) Hold(workers int) {
	p.holds.Add(1)
	p.hold.Store(currentCPU())
	helpers := min(workers-1, runtime.GOMAXPROCS(0)-1, maxWorkers, int(p.parked.Load()))
	if helpers <= 0 {
		return
	}
	c := p.get()
	c.t = nil
	c.n = 0 // nothing to do: the worker only wakes up and polls
	c.next.Store(0)
	c.pending.Store(0)
	c.refs.Store(int32(helpers))
	c.cpu = -1
	for h := 0; h < helpers; h++ {
		select {
		case p.wake <- c:
		default:
			p.release(c)
		}
	}
}

// Release ends a Hold; once no Hold is left, idle workers park again after
// spinFor.
func (p *Pool) Release() {
	if p.holds.Add(-1) < 0 {
		panic("parallel: Release without Hold")
	}
}

// work claims and runs tasks of c until none is left.
func work(c *call) {
	for {
		i := c.next.Add(1) - 1
		if i >= c.n {
			return
		}
		c.t.Run(int(i))
		c.pending.Add(-1)
	}
}

func (p *Pool) get() *call {
	p.mu.Lock()
	defer p.mu.Unlock()
	if k := len(p.free); k > 0 {
		c := p.free[k-1]
		p.free = p.free[:k-1]
		return c
	}
	return &call{}
}

func (p *Pool) release(c *call) {
	if c.refs.Add(-1) != 0 {
		return
	}
	c.t = nil
	p.mu.Lock()
	p.free = append(p.free, c)
	p.mu.Unlock()
}

// ensure starts workers until at least n run.
func (p *Pool) ensure(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for p.started < n {
		p.started++
		go p.worker()
	}
}

func (p *Pool) worker() {
	moved := false // off the holder's CPU until the hold ends (see poll)
	for {
		c := p.poll(&moved)
		// A woken worker may be put on the CPU of the thread that woke it
		// while another CPU is idle, and then the two share one CPU for
		// milliseconds, until the kernel balances the load. When that
		// happened, the worker moves off the caller's CPU for this call.
		if c.cpu >= 0 && currentCPU() == c.cpu && avoidCPU(c.cpu) {
			work(c)
			restoreCPU()
		} else {
			work(c)
		}
		p.release(c)
	}
}

// spinFor is how long a worker that ran out of work keeps polling for the
// next call before it parks. Kernels run back to back (the layers of a
// network), and waking a parked worker costs tens of microseconds on a
// virtual machine, as much as a small kernel takes; polling briefly (and
// yielding to other goroutines and threads meanwhile) catches the next call
// at once.
const spinFor = 50 * time.Microsecond

// poll returns the next call for this worker, polling for up to spinFor
// (or while the pool is held) before it blocks.
//
// A worker polling on the CPU of the thread that holds the pool takes half
// of that CPU from it, for as long as the kernel leaves the two together:
// while held, it moves off that CPU (moved records it) until the hold ends.
func (p *Pool) poll(moved *bool) *call {
	t0 := time.Now()
	for i := 0; ; i++ {
		select {
		case c := <-p.wake:
			return c
		default:
		}
		if i%16 == 15 {
			held := p.holds.Load() > 0
			if held && !*moved {
				if cpu := p.hold.Load(); cpu >= 0 && currentCPU() == cpu {
					*moved = avoidCPU(cpu)
				}
			} else if !held && *moved {
				restoreCPU()
				*moved = false
			}
			if time.Since(t0) > spinFor && !held {
				p.parked.Add(1)
				c := <-p.wake
				p.parked.Add(-1)
				return c
			}
			runtime.Gosched()
			osYield() // the caller may share this CPU
		}
	}
}
