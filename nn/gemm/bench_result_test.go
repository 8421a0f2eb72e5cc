package gemm

import "testing"

func TestBenchValidates(t *testing.T) {
	cases := []struct {
		name             string
		m, n, k, th, run int
		ok               bool
	}{
		{"ok", 8, 9, 10, 2, 3, true},
		{"zero_m", 0, 9, 10, 1, 3, false},
		{"negative_k", 8, 9, -1, 1, 3, false},
		{"zero_threads", 8, 9, 10, 0, 3, false},
		{"zero_runs", 8, 9, 10, 1, 0, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Bench(tc.m, tc.n, tc.k, tc.th, tc.run)
			if (err == nil) != tc.ok {
				t.Fatalf("Bench error = %v, want ok=%v", err, tc.ok)
			}
			if tc.ok && (r.M != tc.m || r.N != tc.n || r.K != tc.k || r.Threads != tc.th || r.GFLOPS <= 0 || r.Kernel != Kernel()) {
				t.Fatalf("Bench result %+v does not describe the request", r)
			}
		})
	}
}
