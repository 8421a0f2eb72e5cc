package gemm

import (
	"unsafe"

	"github.com/avstack/avstack/nn/parallel"
)

// The driver follows GotoBLAS/BLIS: for each nc-wide column panel of C and
// each kc-deep slice of k, B is packed into nr-wide slivers (kc x nr each,
// sized for L1); for each mc-tall row block, A is packed into mr-tall slivers
// (the mc x kc block sized for L2); the micro-kernel then sweeps the tiles.
// Packed slivers are zero-padded to full mr/nr, and the kernels store only
// the rows (and, AVX-512 and go, the columns) of a ragged edge tile; the
// AVX2 kernel's ragged right-edge tiles go through a scratch tile. So every
// shape runs through the same kernel without reading or writing outside C.
//
// Threads share the packed B panel and take pieces of C (see shared.go), or,
// when all of A fits one row block, take contiguous column ranges of C that
// they compute alone (columnRanges); no piece cuts k, so each element of C
// sees the same operations in the same order whatever the thread count:
// results are bit-identical across SetThreads.

// problem is one Sgemm call.
type problem struct {
	p              *impl
	transA, transB bool
	m, n, k        int
	alpha, beta    float32
	a, b, c        []float32
	lda, ldb, ldc  int
}

// part is one thread's rectangle of C and its packing buffers.
type part struct {
	m0, m1, n0, n1 int
	abuf, bbuf     []float32
	tile           []float32
}

// callCtx is the reusable state of one call; it implements parallel.Task.
type callCtx struct {
	pr    problem
	parts []part // the single-threaded path's buffers, or one per column range
	cols  bool   // Run(i) computes parts[i] (the column split) instead of shared.go's items

	// the multi-threaded path (shared.go)
	sh sharedRun
}

func (c *callCtx) Run(i int) {
	if c.cols {
		c.parts[i].compute(&c.pr)
		return
	}
	c.sh.worker(&c.pr, i)
}

// colSplitMinSlivers is the fewest nr-wide slivers of C a column range of
// the column split gets.
const colSplitMinSlivers = 4

// columnRanges reports into how many ranges of columns a call splits
// (0: it does not). A product whose rows fit one row block (m <= mc, the
// convolutions of small networks: tens of output channels against
// thousands of pixels) is cut into nthreads contiguous ranges of whole
// slivers, each a complete single-threaded GEMM with its own packing: no
// shared B panel, so no waits between threads, and each thread writes,
// and the next layer split the same way reads, the same part of every
// feature map.
func columnRanges(p *impl, m, n, nthreads int) int {
	if m > p.mc {
		return 0
	}
	r := min(nthreads, (n+p.nr-1)/p.nr/colSplitMinSlivers)
	if r < 2 {
		return 0
	}
	return r
}

// minParallelFlops is the work below which waking another thread costs more
// than it saves (waking a parked worker takes microseconds, tens of them on
// a busy machine; 2 MFLOP is about 10 microseconds of one core).
const minParallelFlops = 1 << 21

func run(p *impl, nthreads int, transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	ctx := getCtx()
	ctx.pr = problem{p: p, transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, beta: beta,
		a: a, b: b, c: c, lda: lda, ldb: ldb, ldc: ldc}
	if nthreads <= 1 || 2*m*n*k < minParallelFlops {
		if len(ctx.parts) == 0 {
			ctx.parts = make([]part, 1)
		}
		pt := &ctx.parts[0]
		pt.m0, pt.m1, pt.n0, pt.n1 = 0, m, 0, n
		pt.compute(&ctx.pr)
	} else if r := columnRanges(p, m, n, nthreads); r > 0 {
		for len(ctx.parts) < r {
			ctx.parts = append(ctx.parts, part{})
		}
		slivers := (n + p.nr - 1) / p.nr
		for i := 0; i < r; i++ {
			pt := &ctx.parts[i]
			pt.m0, pt.m1 = 0, m
			pt.n0, pt.n1 = slivers*i/r*p.nr, min(n, slivers*(i+1)/r*p.nr)
		}
		ctx.cols = true
		parallel.Default.RunN(r, r, ctx)
		ctx.cols = false
	} else {
		ctx.sh.plan(&ctx.pr, nthreads)
		parallel.Default.RunN(ctx.sh.nthreads, ctx.sh.nthreads, ctx)
	}
	ctx.pr = problem{} // drop references to the caller's slices
	putCtx(ctx)
}

// blocks splits total into the fewest blocks of at most size, of nearly
// equal length rounded up to a multiple of unit. It returns the block length.
func blocks(total, size, unit int) int {
	nb := (total + size - 1) / size
	l := (total + nb - 1) / nb
	return (l + unit - 1) / unit * unit
}

func grow(buf []float32, n int) []float32 {
	if cap(buf) >= n {
		return buf[:n]
	}
	// 64-byte aligned so the packed slivers start on cache lines.
	raw := make([]float32, n+16)
	off := 0
	if r := uintptr(unsafe.Pointer(&raw[0])) % 64; r != 0 {
		off = int(64-r) / 4
	}
	return raw[off : off+n : off+n]
}

// directB reports whether this part reads B in place instead of packing
// it: with few rows of A each B sliver is reused only a few times, so
// copying it costs more than the cache misses it saves. Only full nr-wide
// slivers are read in place; a ragged last sliver is still packed so the
// kernel never reads past the end of a row of B.
func directB(pr *problem, m int) bool {
	if pr.transB {
		return false
	}
	if m <= directBMaxRows*pr.p.mr {
		return true
	}
	// Up to a few more slivers of A, reading B in place still beats packing
	// it, unless the row stride is a multiple of 1 KiB: then the kc rows of
	// a sliver fall into a handful of L1 sets and evict each other.
	return m <= directBMaxRowsGoodStride*pr.p.mr && (pr.ldb*4)%1024 != 0
}

// directBMaxRows and directBMaxRowsGoodStride are in units of mr.
const directBMaxRows, directBMaxRowsGoodStride = 4, 16

func (pt *part) compute(pr *problem) {
	p := pr.p
	m, n := pt.m1-pt.m0, pt.n1-pt.n0
	if m <= 0 || n <= 0 {
		return
	}
	mr, nr := p.mr, p.nr
	kcb := blocks(pr.k, p.kc, 1)
	mcb := blocks(m, p.mc, mr)
	ncb := blocks(n, p.nc, nr)
	direct := directB(pr, m)
	pt.abuf = grow(pt.abuf, min(mcb, (m+mr-1)/mr*mr)*kcb)
	if direct {
		pt.bbuf = grow(pt.bbuf, nr*kcb)
	} else {
		pt.bbuf = grow(pt.bbuf, min(ncb, (n+nr-1)/nr*nr)*kcb)
	}
	pt.tile = grow(pt.tile, mr*nr)
	for jc := pt.n0; jc < pt.n1; jc += ncb {
		nc := min(ncb, pt.n1-jc)
		for pc := 0; pc < pr.k; pc += kcb {
			kc := min(kcb, pr.k-pc)
			beta := pr.beta
			if pc > 0 {
				beta = 1
			}
			if direct {
				if full := nc / nr * nr; full < nc {
					packB(pr, pt.bbuf, nr, pc, kc, jc+full, nc-full)
				}
			} else {
				packB(pr, pt.bbuf, nr, pc, kc, jc, nc)
			}
			for ic := pt.m0; ic < pt.m1; ic += mcb {
				mc := min(mcb, pt.m1-ic)
				packA(pr, pt.abuf, mr, ic, mc, pc, kc)
				pt.macro(pr, ic, mc, jc, nc, pc, kc, beta, direct)
			}
		}
	}
}

// macro runs the micro-kernel over one mc x nc block with A packed and B
// packed (or, when direct, read in place from row pc of B).
func (pt *part) macro(pr *problem, ic, mc, jc, nc, pc, kc int, beta float32, direct bool) {
	p := pr.p
	mr, nr := p.mr, p.nr
	kern := p.kern
	c, ldc, alpha := pr.c, pr.ldc, pr.alpha
	tile := pt.tile
	for jr := 0; jr < nc; jr += nr {
		nrr := min(nr, nc-jr)
		var bp *float32
		ldb := nr
		if direct && nrr == nr {
			off := pc*pr.ldb + jc + jr
			_ = pr.b[off+(kc-1)*pr.ldb+nr-1] // the kernel reads up to here
			bp, ldb = &pr.b[off], pr.ldb
		} else if direct {
			bp = &pt.bbuf[0]
		} else {
			bp = &pt.bbuf[jr*kc]
		}
		for ir := 0; ir < mc; ir += mr {
			mrr := min(mr, mc-ir)
			ap := &pt.abuf[ir*kc]
			ci := (ic+ir)*ldc + jc + jr
			if nrr == nr || p.partialCols {
				_ = c[ci+(mrr-1)*ldc+nrr-1] // the kernel writes up to here
				kern(kc, ap, bp, ldb, &c[ci], ldc, alpha, beta, mrr, nrr)
				continue
			}
			kern(kc, ap, bp, ldb, &tile[0], nr, alpha, 0, mrr, nr)
			for i := 0; i < mrr; i++ {
				dst := c[ci+i*ldc : ci+i*ldc+nrr]
				src := tile[i*nr : i*nr+nrr]
				if beta == 0 {
					copy(dst, src)
					continue
				}
				for j, v := range src {
					dst[j] = v + beta*dst[j]
				}
			}
		}
	}
}

// packA packs rows [i0, i0+mc) and depth [p0, p0+kc) of op(A) into mr-tall
// slivers: sliver s holds dst[s*mr*kc + p*mr + i] = op(A)[i0+s*mr+i][p0+p].
// Rows past the edge are zero.
func packA(pr *problem, dst []float32, mr, i0, mc, p0, kc int) {
	a, lda := pr.a, pr.lda
	for s := 0; s*mr < mc; s++ {
		rows := min(mr, mc-s*mr)
		d := dst[s*mr*kc : (s+1)*mr*kc]
		r0 := i0 + s*mr
		if pr.transA {
			// op(A)[i][p] = a[p*lda+i]: rows of a are contiguous in i.
			for p := 0; p < kc; p++ {
				src := a[(p0+p)*lda+r0 : (p0+p)*lda+r0+rows]
				copy(d[p*mr:p*mr+rows], src)
				if rows < mr {
					clear(d[p*mr+rows : p*mr+mr])
				}
			}
			continue
		}
		packSliverT(d, mr, a[r0*lda+p0:], lda, rows, kc, pr.p.pack4)
	}
}

// packB packs depth [p0, p0+kc) and columns [j0, j0+nc) of op(B) into nr-wide
// slivers: dst[s*nr*kc + p*nr + j] = op(B)[p0+p][j0+s*nr+j]. Columns past the
// edge are zero.
func packB(pr *problem, dst []float32, nr, p0, kc, j0, nc int) {
	b, ldb := pr.b, pr.ldb
	if !pr.transB {
		packBRows(b, ldb, dst, nr, p0, kc, j0, nc)
		return
	}
	for s := 0; s*nr < nc; s++ {
		cols := min(nr, nc-s*nr)
		d := dst[s*nr*kc : (s+1)*nr*kc]
		c0 := j0 + s*nr
		// op(B)[p][j] = b[j*ldb+p]: rows of b are contiguous in p, the
		// same transposition as packing a non-transposed A.
		packSliverT(d, nr, b[c0*ldb+p0:], ldb, cols, kc, pr.p.pack4)
	}
}

// packSliverT fills a w-wide sliver d (kc x w, d[p*w+i]) with the
// transpose of n rows of src (row i at src[i*ld:], kc long): d[p*w+i] =
// src[i*ld+p] for i < n, and zero for n <= i < w. Groups of 4 rows and 4
// columns go through the transposing assembly (pk) when there is one; the
// bounds are checked here, once per group.
func packSliverT(d []float32, w int, src []float32, ld, n, kc int, pk func(dst *float32, mr int, src *float32, lda int, n4 int)) {
	i := 0
	if pk != nil && kc >= 4 {
		n4 := kc / 4
		for ; i+4 <= n; i += 4 {
			_ = src[(i+3)*ld+4*n4-1]
			_ = d[(4*n4-1)*w+i+3]
			pk(&d[i], w, &src[i*ld], ld, n4)
			for r := i; r < i+4; r++ {
				for p := 4 * n4; p < kc; p++ {
					d[p*w+r] = src[r*ld+p]
				}
			}
		}
	}
	for ; i < n; i++ {
		row := src[i*ld : i*ld+kc]
		dd := d[i:]
		for p, v := range row {
			dd[p*w] = v
		}
	}
	for ; i < w; i++ {
		for p := 0; p < kc; p++ {
			d[p*w+i] = 0
		}
	}
}

// packBRows is packB for a non-transposed B. It walks B row by row, so the
// reads are sequential (a sliver at a time would read a narrow strip down
// kc rows, a page per row), and scatters each row's nr-wide segments to
// their slivers.
func packBRows(b []float32, ldb int, dst []float32, nr, p0, kc, j0, nc int) {
	full := nc / nr
	dst = dst[:(nc+nr-1)/nr*nr*kc]
	for p := 0; p < kc; p++ {
		row := b[(p0+p)*ldb+j0 : (p0+p)*ldb+j0+nc]
		o := p * nr
		switch nr {
		case 32:
			for s := 0; s < full; s++ {
				*(*[32]float32)(dst[o : o+32]) = *(*[32]float32)(row[s*32 : s*32+32])
				o += 32 * kc
			}
		case 16:
			for s := 0; s < full; s++ {
				*(*[16]float32)(dst[o : o+16]) = *(*[16]float32)(row[s*16 : s*16+16])
				o += 16 * kc
			}
		default:
			for s := 0; s < full; s++ {
				copy(dst[o:o+nr], row[s*nr:s*nr+nr])
				o += nr * kc
			}
		}
		if cols := nc - full*nr; cols > 0 {
			d := dst[o : o+nr]
			copy(d, row[full*nr:])
			clear(d[cols:])
		}
	}
}
