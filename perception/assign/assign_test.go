package assign

import (
	"math"
	"math/rand"
	"testing"
)

// brute enumerates every partial injective assignment and returns the best (most allowed
// pairs, then least cost) count and cost.
func brute(cost [][]float64) (int, float64) {
	n := len(cost)
	m := 0
	if n > 0 {
		m = len(cost[0])
	}
	bestN, bestC := -1, math.Inf(1)
	used := make([]bool, m)
	var rec func(i, cnt int, c float64)
	rec = func(i, cnt int, c float64) {
		if i == n {
			if cnt > bestN || (cnt == bestN && c < bestC) {
				bestN, bestC = cnt, c
			}
			return
		}
		rec(i+1, cnt, c) // row i unassigned
		for j := 0; j < m; j++ {
			if !used[j] && !math.IsInf(cost[i][j], 1) {
				used[j] = true
				rec(i+1, cnt+1, c+cost[i][j])
				used[j] = false
			}
		}
	}
	rec(0, 0, 0)
	return bestN, bestC
}

func check(t *testing.T, name string, cost [][]float64, got []int) {
	t.Helper()
	seen := map[int]bool{}
	cnt := 0
	for i, j := range got {
		if j < 0 {
			continue
		}
		if seen[j] {
			t.Fatalf("%s: column %d assigned twice: %v", name, j, got)
		}
		if math.IsInf(cost[i][j], 1) {
			t.Fatalf("%s: forbidden pair (%d,%d) assigned", name, i, j)
		}
		seen[j] = true
		cnt++
	}
	wantN, wantC := brute(cost)
	if cnt != wantN || math.Abs(Total(cost, got)-wantC) > 1e-9 {
		t.Fatalf("%s: got %d pairs cost %v (%v), brute force %d pairs cost %v\ncost=%v", name, cnt, Total(cost, got), got, wantN, wantC, cost)
	}
}

func TestSolveTable(t *testing.T) {
	inf := math.Inf(1)
	cases := []struct {
		name string
		cost [][]float64
		want []int
	}{
		{"empty", nil, nil},
		{"1x1", [][]float64{{3}}, []int{0}},
		{"diagonal is not best", [][]float64{{1, 2}, {1, 10}}, []int{1, 0}},
		{"classic 3x3", [][]float64{{4, 1, 3}, {2, 0, 5}, {3, 2, 2}}, []int{1, 0, 2}},
		{"wide", [][]float64{{5, 1, 9}}, []int{1}},
		{"tall", [][]float64{{5}, {1}, {9}}, []int{-1, 0, -1}},
		{"forbidden forces other", [][]float64{{1, inf}, {0, 5}}, []int{0, 1}},
		{"all forbidden", [][]float64{{inf, inf}, {inf, inf}}, []int{-1, -1}},
		{"more pairs beat lower cost", [][]float64{{0, 100}, {inf, 1000}}, []int{0, 1}},
		{"negative costs", [][]float64{{-1, -5}, {-3, -2}}, []int{1, 0}},
	}
	for _, c := range cases {
		got := Solve(c.cost)
		if len(got) != len(c.want) {
			t.Fatalf("%s: got %v want %v", c.name, got, c.want)
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Fatalf("%s: got %v want %v", c.name, got, c.want)
			}
		}
		if len(c.cost) > 0 {
			check(t, c.name, c.cost, got)
		}
	}
}

func TestSolveMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	for it := 0; it < 400; it++ {
		n, m := 1+rng.Intn(6), 1+rng.Intn(6)
		cost := make([][]float64, n)
		for i := range cost {
			cost[i] = make([]float64, m)
			for j := range cost[i] {
				cost[i][j] = float64(rng.Intn(20)) - 5 // ties are common
				if rng.Float64() < 0.25 {
					cost[i][j] = math.Inf(1)
				}
			}
		}
		check(t, "random", cost, Solve(cost))
	}
}

func TestGated(t *testing.T) {
	cost := [][]float64{{1, 9}, {8, 2}}
	got := Gated(cost, 5)
	if got[0] != 0 || got[1] != 1 {
		t.Fatalf("gate 5: got %v want [0 1]", got)
	}
	got = Gated([][]float64{{6, 9}, {8, 7}}, 5)
	if got[0] != -1 || got[1] != -1 {
		t.Fatalf("all gated: got %v want [-1 -1]", got)
	}
}

func TestSolvePanicsOnRaggedRows(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("ragged matrix did not panic")
		}
	}()
	Solve([][]float64{{1, 2}, {3}})
}
