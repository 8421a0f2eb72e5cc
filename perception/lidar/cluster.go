package lidar

import "math"

// bevGrid is the bird's-eye-view grid of clustering, reused between scans. A generation stamp
// marks the cells touched by the current scan, so nothing is cleared per scan.
type bevGrid struct {
	size     int
	stamp    []uint32
	gen      uint32
	head     []int32 // first voxel of a cell
	label    []int32 // cluster of a cell, -1 before labelling
	next     []int32 // per voxel: next voxel of the same cell
	occupied []int32
	queue    []int32
	member   []int32
	starts   []int32
}

// cluster groups voxels into connected components of occupied cells (cells within neighbour
// cells of each other, Chebyshev distance). It returns, per cluster, the indices of its voxels;
// clusters are ordered by their first voxel.
func (g *bevGrid) cluster(vox []Voxel, o Options) [][]int32 {
	size := int(math.Ceil(2*o.MaxRange/o.CellSize)) + 1
	if g.size != size {
		g.size = size
		g.stamp = make([]uint32, size*size)
		g.head = make([]int32, size*size)
		g.label = make([]int32, size*size)
		g.gen = 0
	}
	g.gen++
	if g.gen == 0 { // wrapped: clear stamps once every 2^32 scans
		clear(g.stamp)
		g.gen = 1
	}
	if cap(g.next) < len(vox) {
		g.next = make([]int32, len(vox))
	}
	g.next = g.next[:len(vox)]
	g.occupied = g.occupied[:0]
	ox, oy := o.SensorX-o.MaxRange, o.SensorY-o.MaxRange
	inv := 1 / o.CellSize
	for i, v := range vox {
		cx := int((float64(v.X) - ox) * inv)
		cy := int((float64(v.Y) - oy) * inv)
		if cx < 0 || cy < 0 || cx >= size || cy >= size {
			g.next[i] = -2 // outside the grid (cannot happen for ranged points)
			continue
		}
		c := cy*size + cx
		if g.stamp[c] != g.gen {
			g.stamp[c] = g.gen
			g.head[c] = -1
			g.label[c] = -1
			g.occupied = append(g.occupied, int32(c))
		}
		g.next[i] = g.head[c]
		g.head[c] = int32(i)
	}
	nb := o.Neighbour
	ncl := int32(0)
	for _, c0 := range g.occupied {
		if g.label[c0] >= 0 {
			continue
		}
		g.label[c0] = ncl
		g.queue = append(g.queue[:0], c0)
		for qi := 0; qi < len(g.queue); qi++ {
			c := int(g.queue[qi])
			cx, cy := c%size, c/size
			for y := max(cy-nb, 0); y <= min(cy+nb, size-1); y++ {
				for x := max(cx-nb, 0); x <= min(cx+nb, size-1); x++ {
					n := y*size + x
					if g.stamp[n] == g.gen && g.label[n] < 0 {
						g.label[n] = ncl
						g.queue = append(g.queue, int32(n))
					}
				}
			}
		}
		ncl++
	}
	// Gather voxels per cluster (counting sort), keeping voxel order within a cluster.
	g.starts = g.starts[:0]
	for i := int32(0); i <= ncl; i++ {
		g.starts = append(g.starts, 0)
	}
	cellOf := func(v Voxel) int {
		return int((float64(v.Y)-oy)*inv)*size + int((float64(v.X)-ox)*inv)
	}
	for i, v := range vox {
		if g.next[i] == -2 {
			continue
		}
		g.starts[g.label[cellOf(v)]+1]++
	}
	for i := int32(1); i <= ncl; i++ {
		g.starts[i] += g.starts[i-1]
	}
	if cap(g.member) < len(vox) {
		g.member = make([]int32, len(vox))
	}
	g.member = g.member[:len(vox)]
	fill := append([]int32(nil), g.starts[:ncl]...)
	for i, v := range vox {
		if g.next[i] == -2 {
			continue
		}
		l := g.label[cellOf(v)]
		g.member[fill[l]] = int32(i)
		fill[l]++
	}
	out := make([][]int32, ncl)
	for l := int32(0); l < ncl; l++ {
		out[l] = g.member[g.starts[l]:g.starts[l+1]:g.starts[l+1]]
	}
	return out
}

// Cluster groups voxels by Euclidean connectivity on a bird's-eye-view grid (see Options.CellSize
// and Options.Neighbour); it returns the voxel indices of each cluster.
func Cluster(vox []Voxel, o Options) [][]int32 {
	var g bevGrid
	return g.cluster(vox, o)
}
