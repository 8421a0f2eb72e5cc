package lidar

import "math"

// Voxel is the centroid of the points that fell into one voxel, with the mean ground height
// under them.
type Voxel struct {
	X, Y, Z float32
	GroundZ float32
	N       int32
}

// voxelizer keeps the voxel map between scans.
type voxelizer struct {
	// An open-addressing hash table (linear probing) from voxel key+1 to accumulator index; 0
	// marks an empty slot. It is several times faster than a Go map for this access pattern.
	keys []uint64
	vals []int32
	acc  []voxAcc
	out  []Voxel
}

// slot finds or inserts key and returns its accumulator index.
func (v *voxelizer) slot(key uint64) int32 {
	k := key + 1
	mask := uint64(len(v.keys) - 1)
	h := (k * 0x9E3779B97F4A7C15) >> 20
	for i := h & mask; ; i = (i + 1) & mask {
		switch v.keys[i] {
		case k:
			return v.vals[i]
		case 0:
			v.keys[i] = k
			j := int32(len(v.acc))
			v.vals[i] = j
			v.acc = append(v.acc, voxAcc{})
			return j
		}
	}
}

type voxAcc struct {
	x, y, z, g float64
	n          int32
}

// voxelKey packs three signed 21-bit voxel coordinates (±1M voxels: ±100 km at 0.1 m).
func voxelKey(ix, iy, iz int64) uint64 {
	const m = 1<<21 - 1
	return uint64(ix&m) | uint64(iy&m)<<21 | uint64(iz&m)<<42
}

// downsample returns the centroids of the voxels holding the selected points, in order of each
// voxel's first point (deterministic). size <= 0 returns one voxel per point.
func (v *voxelizer) downsample(pts []Point, groundZ []float32, sel []int32, size float64) []Voxel {
	v.out = v.out[:0]
	if size <= 0 {
		for _, i := range sel {
			p := pts[i]
			v.out = append(v.out, Voxel{p.X, p.Y, p.Z, groundZ[i], 1})
		}
		return v.out
	}
	size2 := 1024
	for size2 < 2*len(sel) {
		size2 *= 2
	}
	if len(v.keys) != size2 {
		v.keys = make([]uint64, size2)
		v.vals = make([]int32, size2)
	} else {
		clear(v.keys)
	}
	v.acc = v.acc[:0]
	inv := 1 / size
	for _, i := range sel {
		p := pts[i]
		k := voxelKey(int64(math.Floor(float64(p.X)*inv)), int64(math.Floor(float64(p.Y)*inv)), int64(math.Floor(float64(p.Z)*inv)))
		a := &v.acc[v.slot(k)]
		a.x += float64(p.X)
		a.y += float64(p.Y)
		a.z += float64(p.Z)
		a.g += float64(groundZ[i])
		a.n++
	}
	for _, a := range v.acc {
		n := float64(a.n)
		v.out = append(v.out, Voxel{float32(a.x / n), float32(a.y / n), float32(a.z / n), float32(a.g / n), a.n})
	}
	return v.out
}

// VoxelDownsample returns the centroid of the points of each voxel of edge size, in order of
// each voxel's first point. GroundZ of the result is 0.
func VoxelDownsample(pts []Point, size float64) []Voxel {
	sel := make([]int32, len(pts))
	for i := range sel {
		sel[i] = int32(i)
	}
	var v voxelizer
	return v.downsample(pts, make([]float32, len(pts)), sel, size)
}
