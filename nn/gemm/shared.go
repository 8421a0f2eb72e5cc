package gemm

import (
	"runtime"
	"sync/atomic"
	"time"
)

// A multi-threaded call runs as one pool run of nthreads workers that claim
// work items, in order, from one atomic counter. The items of a call are,
// panel after panel ((jc, pc) blocks of n and k):
//
//	pack:    a chunk of the panel's slivers of B, into one of two buffers
//	compute: a piece of the panel's tiles of C (a block of rows of A, and a
//	         column range when A has few row blocks): pack the block of A
//	         into the worker's own buffer, then run the micro-kernel over it
//
// So both threads pack B (BLIS-style shared panel, packed in parallel), a
// thread that finishes its pieces early goes on to pack the next panel
// (double-buffered) instead of waiting at a barrier, and a thread slowed by
// other load on the machine simply claims fewer items. The dependencies are
// waited for by spinning on counters:
//
//   - a compute piece needs its panel's B fully packed (after packing its A,
//     so the wait overlaps with useful work), and the same piece of the
//     previous panel finished: a tile of C is accumulated over the k panels
//     in order, by one thread at a time;
//   - a pack chunk needs every piece of the panel two before it finished,
//     since that panel used the same buffer.
//
// An item only ever waits for items claimed before it, by threads that are
// running them, so the run always completes, even when the caller ends up
// doing every item alone (a worker woken late, or a nested call).
type sharedRun struct {
	nthreads int
	kcb, ncb int // k and n block lengths
	npc      int // k blocks per n block
	npanels  int
	direct   bool
	mcb      int // row block length of a piece
	nIC, nJ  int // row blocks and column ranges per panel
	nPack    int // pack chunks per panel
	items    int64

	next      atomic.Int64
	packed    [2]atomic.Int64 // pack chunks finished, per B buffer, over the run
	pieceDone []atomic.Int32  // per piece: panels finished
	b         [2][]float32
	w         []sharedWorker
}

// sharedWorker is one worker's packing buffers.
type sharedWorker struct{ a, tile []float32 }

// piecesPerThread is how finely a panel's tiles are cut, per thread, and
// packPerThread how finely its B is cut for packing.
const piecesPerThread, packPerThread = 4, 2

// minPieceSlivers is the narrowest column range of a piece, in slivers of
// B, and minPieceRows the shortest row block, in slivers of A.
const minPieceSlivers, minPieceRows = 4, 4

// plan sets up the run of pr on nthreads workers.
func (s *sharedRun) plan(pr *problem, nthreads int) {
	p := pr.p
	m, n, k := pr.m, pr.n, pr.k
	mr, nr := p.mr, p.nr
	s.nthreads = nthreads
	s.kcb = blocks(k, p.kc, 1)
	s.ncb = blocks(n, p.nc, nr)
	s.npc = (k + s.kcb - 1) / s.kcb
	s.npanels = (n + s.ncb - 1) / s.ncb * s.npc
	s.direct = directB(pr, m)
	// Row blocks no taller than mc and, down to a floor of a few slivers,
	// numerous enough to go round; columns are cut only when that is not.
	want := piecesPerThread * nthreads
	s.mcb = blocks(m, min(p.mc, max(minPieceRows*mr, (m+want-1)/want)), mr)
	s.nIC = (m + s.mcb - 1) / s.mcb
	slivers := (min(s.ncb, n) + nr - 1) / nr
	s.nJ = 1
	if s.nIC < want {
		s.nJ = max(1, min((want+s.nIC-1)/s.nIC, slivers/minPieceSlivers))
	}
	if s.direct {
		// Only a ragged last sliver is packed (ncb is a multiple of nr, so
		// only the last panel can have one).
		s.nPack = 0
		if n%nr != 0 {
			s.nPack = 1
		}
	} else {
		s.nPack = min(slivers, packPerThread*nthreads)
	}
	s.items = int64(s.npanels * (s.nPack + s.nIC*s.nJ))
	s.next.Store(0)
	s.packed[0].Store(0)
	s.packed[1].Store(0)
	npieces := s.nIC * s.nJ
	if cap(s.pieceDone) < npieces {
		s.pieceDone = make([]atomic.Int32, npieces)
	}
	s.pieceDone = s.pieceDone[:npieces]
	for i := range s.pieceDone {
		s.pieceDone[i].Store(0)
	}
	bl := nr * s.kcb
	if !s.direct {
		bl = min(s.ncb, (n+nr-1)/nr*nr) * s.kcb
	}
	for i := range s.b {
		s.b[i] = grow(s.b[i], bl)
	}
	if len(s.w) < nthreads {
		s.w = append(s.w, make([]sharedWorker, nthreads-len(s.w))...)
	}
}

// worker claims and runs items until none is left; w picks the buffers.
func (s *sharedRun) worker(pr *problem, w int) {
	buf := &s.w[w]
	per := int64(s.nPack + s.nIC*s.nJ)
	for {
		it := s.next.Add(1) - 1
		if it >= s.items {
			return
		}
		t, r := int(it/per), int(it%per)
		if r < s.nPack {
			s.pack(pr, t, r)
		} else {
			s.compute(pr, buf, t, r-s.nPack)
		}
	}
}

// panel returns the bounds of panel t.
func (s *sharedRun) panel(pr *problem, t int) (jc, nc, pc, kc int) {
	jc = t / s.npc * s.ncb
	pc = t % s.npc * s.kcb
	return jc, min(s.ncb, pr.n-jc), pc, min(s.kcb, pr.k-pc)
}

// pack packs chunk r of panel t's B into buffer t%2.
func (s *sharedRun) pack(pr *problem, t, r int) {
	if t >= 2 {
		// Panel t-2 used this buffer: wait until all its pieces are done.
		for i := range s.pieceDone {
			for n := 0; s.pieceDone[i].Load() < int32(t-1); n++ {
				backoff(n)
			}
		}
	}
	jc, nc, pc, kc := s.panel(pr, t)
	nr := pr.p.nr
	dst := s.b[t%2]
	if s.direct {
		if full := nc / nr * nr; full < nc {
			packB(pr, dst, nr, pc, kc, jc+full, nc-full)
		}
	} else {
		slivers := (nc + nr - 1) / nr
		s0, s1 := slivers*r/s.nPack, slivers*(r+1)/s.nPack
		if s1 > s0 {
			j0, j1 := s0*nr, min(nc, s1*nr)
			packB(pr, dst[s0*nr*kc:], nr, pc, kc, jc+j0, j1-j0)
		}
	}
	s.packed[t%2].Add(1)
}

// compute runs piece q of panel t: row block q/nJ, column range q%nJ (in
// whole slivers).
func (s *sharedRun) compute(pr *problem, buf *sharedWorker, t, q int) {
	p := pr.p
	mr, nr := p.mr, p.nr
	jc, nc, pc, kc := s.panel(pr, t)
	ib, jb := q/s.nJ, q%s.nJ
	ic := ib * s.mcb
	mc := min(s.mcb, pr.m-ic)
	slivers := (nc + nr - 1) / nr
	s0, s1 := slivers*jb/s.nJ, slivers*(jb+1)/s.nJ
	j0, j1 := s0*nr, min(nc, s1*nr)
	if mc > 0 && j1 > j0 {
		buf.a = grow(buf.a, (mc+mr-1)/mr*mr*kc)
		buf.tile = grow(buf.tile, mr*nr)
		packA(pr, buf.a, mr, ic, mc, pc, kc)
	}
	// B of this panel packed, and this piece of the previous panel done.
	for n, need := 0, int64(s.nPack*(t/2+1)); s.packed[t%2].Load() < need; n++ {
		backoff(n)
	}
	for n := 0; s.pieceDone[q].Load() < int32(t); n++ {
		backoff(n)
	}
	if mc > 0 && j1 > j0 {
		beta := pr.beta
		if pc > 0 {
			beta = 1
		}
		pt := part{abuf: buf.a, tile: buf.tile}
		if s.direct {
			pt.bbuf = s.b[t%2] // holds only the ragged last sliver
		} else {
			pt.bbuf = s.b[t%2][s0*nr*kc:]
		}
		pt.macro(pr, ic, mc, jc+j0, j1-j0, pc, kc, beta, s.direct)
	}
	s.pieceDone[q].Add(1)
}

// backoff is one step of waiting for another worker: spin first (the other
// is usually microseconds away), then yield the processor, and sleep once
// the wait is long (the other thread was descheduled by load on the machine).
func backoff(n int) {
	switch {
	case n < 64:
		// spin
	case n < 1024:
		runtime.Gosched()
	default:
		time.Sleep(20 * time.Microsecond)
	}
}
