package gemm

import (
	"sync/atomic"

	"github.com/avstack/avstack/nn/parallel"
)

// A multi-threaded call runs as one pool run of nthreads workers that claim
// work items, in order, from one atomic counter. n is cut into panels (one
// for most shapes); the items of a call are, panel after panel:
//
//	pack:  a chunk of the panel's B at one k block (a range of its slivers),
//	       into one of two buffers that hold the panel's B for all of k
//	piece: a block of rows of C (the blocks shrink from piece to piece; see
//	       plan), and a column range when A has few row blocks, over all
//	       of k: for each k block, pack the block of A into the worker's
//	       own buffer, wait until that k block of B is packed, run the
//	       micro-kernel over the tiles
//
// So all threads pack the shared B (as in BLIS) and a piece owns its tiles
// of C for the whole of k: pieces never wait for each other, only for the
// packing of B, which is claimed before them and short, and the threads
// overlap that wait with packing their A. A thread slowed by other load on
// the machine simply claims fewer pieces. The pack chunks of a panel wait
// until every piece of the panel two before it is done (same buffer).
//
// An item only ever waits for items claimed before it, by threads that are
// running them, so the run always completes, even when the caller ends up
// doing every item alone (a worker woken late, or a nested call).
type sharedRun struct {
	nthreads int
	kcb, ncb int // k and n block lengths
	npc      int // k blocks
	nJC      int // n panels
	direct   bool
	rowCut   []int // row block ib of a piece is slivers [rowCut[ib], rowCut[ib+1]) of A
	nIC, nJ  int   // row blocks and column ranges per panel
	nPack    int   // pack chunks per k block of a panel
	bStride  int   // floats of a buffer per k block
	items    int64

	next       atomic.Int64
	packed     []atomic.Int64 // [buffer*npc+pc]: chunks finished over the run
	piecesDone [2]atomic.Int64
	b          [2][]float32
	w          []sharedWorker
}

// sharedWorker is one worker's packing buffers.
type sharedWorker struct{ a, tile []float32 }

// piecesPerThread is the fewest pieces per thread a panel is cut into
// (column ranges are added when there are fewer row blocks), and
// packPerThread how finely each of its k blocks of B is cut for packing.
const piecesPerThread, packPerThread = 4, 2

// minPieceSlivers is the narrowest column range of a piece, in slivers of
// B, and minPieceRows the shortest row block, in slivers of A.
const minPieceSlivers, minPieceRows = 4, 4

// sharedBMax bounds the packed B of one panel (floats, all of k): wider
// panels than fit are cut, at the cost of packing A once more per panel.
const sharedBMax = 4 << 20

// plan sets up the run of pr on nthreads workers.
func (s *sharedRun) plan(pr *problem, nthreads int) {
	p := pr.p
	m, n, k := pr.m, pr.n, pr.k
	mr, nr := p.mr, p.nr
	s.nthreads = nthreads
	s.kcb = blocks(k, p.kc, 1)
	s.npc = (k + s.kcb - 1) / s.kcb
	s.ncb = blocks(n, min(p.nc, max(nr, sharedBMax/(s.npc*s.kcb)/nr*nr)), nr)
	s.nJC = (n + s.ncb - 1) / s.ncb
	s.direct = directB(pr, m)
	want := piecesPerThread * nthreads
	// Row blocks shrink as they go (guided scheduling): each takes its
	// share of what is left, 1/(2*nthreads), at least minPieceRows slivers
	// and at most mc rows. The first pieces are large; the last are small,
	// so a thread that is descheduled or started late holds back the end of
	// the call by little.
	s.rowCut = append(s.rowCut[:0], 0)
	for done, left := 0, (m+mr-1)/mr; left > 0; {
		sz := min(left, p.mc/mr, max(minPieceRows, (left+2*nthreads-1)/(2*nthreads)))
		done, left = done+sz, left-sz
		s.rowCut = append(s.rowCut, done)
	}
	s.nIC = len(s.rowCut) - 1
	// Columns are cut only when there are too few row blocks to go round.
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
		s.bStride = nr * s.kcb
	} else {
		s.nPack = min(slivers, packPerThread*nthreads)
		s.bStride = slivers * nr * s.kcb
	}
	s.items = int64(s.nJC * (s.npc*s.nPack + s.nIC*s.nJ))
	s.next.Store(0)
	if cap(s.packed) < 2*s.npc {
		s.packed = make([]atomic.Int64, 2*s.npc)
	}
	s.packed = s.packed[:2*s.npc]
	for i := range s.packed {
		s.packed[i].Store(0)
	}
	s.piecesDone[0].Store(0)
	s.piecesDone[1].Store(0)
	s.b[0] = grow(s.b[0], s.npc*s.bStride)
	if s.nJC > 1 { // the second buffer only serves a second panel
		s.b[1] = grow(s.b[1], s.npc*s.bStride)
	}
	if len(s.w) < nthreads {
		s.w = append(s.w, make([]sharedWorker, nthreads-len(s.w))...)
	}
}

// worker claims and runs items until none is left; w picks the buffers.
func (s *sharedRun) worker(pr *problem, w int) {
	buf := &s.w[w]
	packs := s.npc * s.nPack
	per := int64(packs + s.nIC*s.nJ)
	for {
		it := s.next.Add(1) - 1
		if it >= s.items {
			return
		}
		jp, r := int(it/per), int(it%per)
		if r < packs {
			s.pack(pr, jp, r/s.nPack, r%s.nPack)
		} else {
			s.piece(pr, buf, jp, r-packs)
		}
	}
}

// pack packs chunk r of k block ip of panel jp's B into buffer jp%2.
func (s *sharedRun) pack(pr *problem, jp, ip, r int) {
	if jp >= 2 {
		// Panel jp-2 used this buffer: wait until all its pieces are done.
		need := int64(jp/2) * int64(s.nIC*s.nJ)
		for n := 0; s.piecesDone[jp%2].Load() < need; n++ {
			parallel.Backoff(n)
		}
	}
	nr := pr.p.nr
	jc, pc := jp*s.ncb, ip*s.kcb
	nc, kc := min(s.ncb, pr.n-jc), min(s.kcb, pr.k-pc)
	dst := s.b[jp%2][ip*s.bStride:]
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
	s.packed[(jp%2)*s.npc+ip].Add(1)
}

// piece computes piece q of panel jp over all of k: row block q/nJ, column
// range q%nJ (in whole slivers).
func (s *sharedRun) piece(pr *problem, buf *sharedWorker, jp, q int) {
	p := pr.p
	mr, nr := p.mr, p.nr
	jc := jp * s.ncb
	nc := min(s.ncb, pr.n-jc)
	ib, jb := q/s.nJ, q%s.nJ
	ic := s.rowCut[ib] * mr
	mc := min(s.rowCut[ib+1]*mr, pr.m) - ic
	slivers := (nc + nr - 1) / nr
	s0, s1 := slivers*jb/s.nJ, slivers*(jb+1)/s.nJ
	j0, j1 := s0*nr, min(nc, s1*nr)
	if mc > 0 && j1 > j0 {
		buf.tile = grow(buf.tile, mr*nr)
		need := int64(s.nPack * (jp/2 + 1))
		for ip := 0; ip < s.npc; ip++ {
			pc := ip * s.kcb
			kc := min(s.kcb, pr.k-pc)
			buf.a = grow(buf.a, (mc+mr-1)/mr*mr*kc)
			packA(pr, buf.a, mr, ic, mc, pc, kc)
			for n, c := 0, &s.packed[(jp%2)*s.npc+ip]; c.Load() < need; n++ {
				parallel.Backoff(n)
			}
			beta := pr.beta
			if pc > 0 {
				beta = 1
			}
			pt := part{abuf: buf.a, tile: buf.tile}
			bb := s.b[jp%2][ip*s.bStride:]
			if s.direct {
				pt.bbuf = bb // holds only the ragged last sliver
			} else {
				pt.bbuf = bb[s0*nr*kc:]
			}
			pt.macro(pr, ic, mc, jc+j0, j1-j0, pc, kc, beta, s.direct)
		}
	}
	s.piecesDone[jp%2].Add(1)
}
