package assign

import (
	"fmt"
	"math"
)

// Solve assigns rows to columns at least total cost. cost[i][j] is the cost of pairing row i with
// column j; +Inf forbids the pair. It returns, per row, its column or -1. The matrix may be
// rectangular; rows must all have the same length (a programming error otherwise: it panics).
// NaN costs panic as well.
func Solve(cost [][]float64) []int {
	n := len(cost)
	if n == 0 {
		return nil
	}
	m := len(cost[0])
	out := make([]int, n)
	for i := range out {
		out[i] = -1
	}
	if m == 0 {
		return out
	}
	maxAbs := 0.0
	for i, row := range cost {
		if len(row) != m {
			panic(fmt.Sprintf("assign: row %d has %d columns, row 0 has %d", i, len(row), m))
		}
		for _, c := range row {
			if math.IsNaN(c) || math.IsInf(c, -1) {
				panic(fmt.Sprintf("assign: cost %v in row %d", c, i))
			}
			if !math.IsInf(c, 1) {
				maxAbs = math.Max(maxAbs, math.Abs(c))
			}
		}
	}
	// A forbidden cell costs more than any complete assignment of allowed cells, so the solver
	// first maximises the number of allowed pairs, then minimises their cost.
	big := (maxAbs + 1) * float64(n+m+1)
	transposed := n > m
	rows, cols := n, m
	if transposed {
		rows, cols = m, n
	}
	at := func(i, j int) float64 { // 1-based
		var c float64
		if transposed {
			c = cost[j-1][i-1]
		} else {
			c = cost[i-1][j-1]
		}
		if math.IsInf(c, 1) {
			return big
		}
		return c
	}
	p := hungarian(rows, cols, at) // p[j] = row of column j (1-based, 0 = none)
	for j := 1; j <= cols; j++ {
		i := p[j]
		if i == 0 {
			continue
		}
		r, c := i-1, j-1
		if transposed {
			r, c = c, r
		}
		if !math.IsInf(cost[r][c], 1) {
			out[r] = c
		}
	}
	return out
}

// hungarian is the potentials form for rows <= cols, 1-based (e-maxx). It returns p, where p[j]
// is the row matched to column j.
func hungarian(rows, cols int, a func(i, j int) float64) []int {
	u := make([]float64, rows+1)
	v := make([]float64, cols+1)
	p := make([]int, cols+1)
	way := make([]int, cols+1)
	minv := make([]float64, cols+1)
	used := make([]bool, cols+1)
	for i := 1; i <= rows; i++ {
		p[0] = i
		j0 := 0
		for j := range minv {
			minv[j] = math.Inf(1)
			used[j] = false
		}
		for {
			used[j0] = true
			i0, delta, j1 := p[j0], math.Inf(1), 0
			for j := 1; j <= cols; j++ {
				if used[j] {
					continue
				}
				cur := a(i0, j) - u[i0] - v[j]
				if cur < minv[j] {
					minv[j], way[j] = cur, j0
				}
				if minv[j] < delta {
					delta, j1 = minv[j], j
				}
			}
			for j := 0; j <= cols; j++ {
				if used[j] {
					u[p[j]] += delta
					v[j] -= delta
				} else {
					minv[j] -= delta
				}
			}
			j0 = j1
			if p[j0] == 0 {
				break
			}
		}
		for j0 != 0 {
			j1 := way[j0]
			p[j0] = p[j1]
			j0 = j1
		}
	}
	return p
}

// Gated is Solve with every pair costing more than maxCost forbidden.
func Gated(cost [][]float64, maxCost float64) []int {
	g := make([][]float64, len(cost))
	for i, row := range cost {
		g[i] = make([]float64, len(row))
		for j, c := range row {
			if c > maxCost {
				c = math.Inf(1)
			}
			g[i][j] = c
		}
	}
	return Solve(g)
}

// Total is the cost of an assignment returned by Solve (pairs with column -1 cost nothing).
func Total(cost [][]float64, rows []int) float64 {
	t := 0.0
	for i, j := range rows {
		if j >= 0 {
			t += cost[i][j]
		}
	}
	return t
}
