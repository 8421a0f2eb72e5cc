package onnx

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/avstack/avstack/nn"
	"github.com/avstack/avstack/nn/cpu"
)

// InScopeOps are the ops of the nn core issue (its lists 2 and 4): a
// conformance case whose ops are all here and whose tensors are float32 or
// int64 must pass; any other case is skipped and reported by op.
var InScopeOps = []string{
	"Conv", "ConvTranspose", "Gemm", "MatMul", "BatchNormalization", "Relu", "LeakyRelu",
	"Sigmoid", "Tanh", "HardSigmoid", "HardSwish", "Softmax", "LogSoftmax", "MaxPool",
	"AveragePool", "GlobalAveragePool", "Upsample", "Resize", "Concat", "Split", "Slice",
	"Reshape", "Transpose", "Flatten", "Pad", "Add", "Sub", "Mul", "Div", "Exp", "Clip",
	"Dropout", "LSTM", "GRU", "Shape", "Gather", "Unsqueeze", "Squeeze", "Constant",
	"ConstantOfShape", "Cast", "Range", "Expand", "ReduceMean", "ReduceMax", "ReduceSum",
	"Identity", "Where", "Equal", "Not",
}

var inScope = func() map[string]bool {
	m := map[string]bool{}
	for _, s := range InScopeOps {
		m[s] = true
	}
	return m
}()

// Failure is one failed conformance case.
type Failure struct {
	Case   string `json:"case"`
	Reason string `json:"reason"`
}

// Report is the result of a conformance run.
type Report struct {
	Cases      int            `json:"cases"`
	Passed     int            `json:"passed"`
	Failed     int            `json:"failed"`
	Skipped    int            `json:"skipped"`
	Failures   []Failure      `json:"failures"`
	SkippedOps map[string]int `json:"skipped_ops"`
}

// Case is one entry of the suite index.
type Case struct {
	Suite, Name string
	Ops         []string
	Dir         string
}

// ListCases reads dir/INDEX.tsv (suite, case, ops joined by '+', kind).
func ListCases(dir string) ([]Case, error) {
	f, err := os.Open(filepath.Join(dir, "INDEX.tsv"))
	if err != nil {
		return nil, fmt.Errorf("onnx: conformance suite: %w", err)
	}
	defer f.Close()
	var cs []Case
	sc := bufio.NewScanner(f)
	line := 0
	for sc.Scan() {
		line++
		fs := strings.Split(sc.Text(), "\t")
		if line == 1 && len(fs) > 0 && fs[0] == "suite" {
			continue
		}
		if len(fs) < 3 {
			return nil, fmt.Errorf("onnx: %s line %d: want suite, case, ops", f.Name(), line)
		}
		cs = append(cs, Case{Suite: fs[0], Name: fs[1], Ops: strings.Split(fs[2], "+"), Dir: filepath.Join(dir, fs[0], fs[1])})
	}
	return cs, sc.Err()
}

// RunConformance runs every case of the suite in dir (only those listing op
// when op is not empty) and reports passes, failures and skips. The
// tolerance is |got-want| <= 1e-4 + 1e-3*|want| for float32; int64 is exact.
func RunConformance(dir, op string) (*Report, error) {
	return RunConformanceOn(dir, op, func() nn.Backend { return cpu.NewFast() })
}

// RunConformanceOn is RunConformance with each case's graph on a backend
// from newBackend (for example the reference, &cpu.Backend{}).
func RunConformanceOn(dir, op string, newBackend func() nn.Backend) (*Report, error) {
	cases, err := ListCases(dir)
	if err != nil {
		return nil, err
	}
	r := &Report{Failures: []Failure{}, SkippedOps: map[string]int{}}
	for _, c := range cases {
		if op != "" && !contains(c.Ops, op) {
			continue
		}
		r.Cases++
		skip, err := RunCaseOn(c.Dir, newBackend())
		switch {
		case skip != "":
			r.Skipped++
			r.SkippedOps[skip]++
		case err != nil:
			r.Failed++
			r.Failures = append(r.Failures, Failure{Case: c.Suite + "/" + c.Name, Reason: err.Error()})
		default:
			r.Passed++
		}
	}
	return r, nil
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// RunCase runs one case folder. It returns a non-empty skip key (the op, or
// op[dtype]) when the case is outside the scope, else the comparison error.
func RunCase(dir string) (skip string, err error) { return RunCaseOn(dir, cpu.NewFast()) }

// RunCaseOn is RunCase on a given backend.
func RunCaseOn(dir string, be nn.Backend) (skip string, err error) {
	b, err := os.ReadFile(filepath.Join(dir, "model.onnx"))
	if err != nil {
		return "", err
	}
	m, err := DecodeModel(b)
	if err != nil {
		return "", err
	}
	ops := OpsOf(m)
	for _, o := range ops {
		if !inScope[o] {
			return o, nil
		}
	}
	opName := strings.Join(ops, "+")
	for _, vi := range append(append([]*ValueInfo(nil), m.Graph.Inputs...), m.Graph.Outputs...) {
		if vi.ElemType != dtFloat && vi.ElemType != dtInt64 {
			return fmt.Sprintf("%s[%s]", opName, DTypeName(vi.ElemType)), nil
		}
	}
	for _, t := range m.Graph.Initializer {
		if t.DataType != dtFloat && t.DataType != dtInt64 {
			return fmt.Sprintf("%s[%s]", opName, DTypeName(t.DataType)), nil
		}
	}
	g, err := DecodeOn(b, be)
	if err != nil {
		return "", err
	}
	sets, _ := filepath.Glob(filepath.Join(dir, "test_data_set_*"))
	sort.Strings(sets)
	if len(sets) == 0 {
		return "", fmt.Errorf("no test_data_set_* folders")
	}
	names := g.InputNames()
	for _, set := range sets {
		in := map[string]*nn.Tensor{}
		// input_K.pb follows the order of the model's non-initializer inputs.
		k := 0
		for _, vi := range m.Graph.Inputs {
			if !contains(names, vi.Name) {
				continue
			}
			t, err := readPB(filepath.Join(set, fmt.Sprintf("input_%d.pb", k)))
			if err != nil {
				return "", err
			}
			in[vi.Name] = t
			k++
		}
		out, err := g.Run(in)
		if err != nil {
			return "", err
		}
		for k, name := range g.OutputNames() {
			want, err := readPB(filepath.Join(set, fmt.Sprintf("output_%d.pb", k)))
			if err != nil {
				return "", err
			}
			if err := Compare(out[name], want); err != nil {
				return "", fmt.Errorf("%s: output %q: %w", filepath.Base(set), name, err)
			}
		}
	}
	return "", nil
}

func readPB(path string) (*nn.Tensor, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	t, err := ReadTensorBytes(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}

// Compare checks got against want: same shape and type, int64 equal, float32
// within 1e-4 + 1e-3*|want| (NaN matches NaN, infinities must be equal).
func Compare(got, want *nn.Tensor) error {
	if got == nil {
		return fmt.Errorf("no output")
	}
	if !nn.SameShape(got.Shape(), want.Shape()) {
		return fmt.Errorf("shape %v, want %v", got.Shape(), want.Shape())
	}
	if got.DType() != want.DType() {
		return fmt.Errorf("type %s, want %s", got.DType(), want.DType())
	}
	if want.DType() == nn.Int64 {
		g, w := got.Contiguous().Int64s(), want.Int64s()
		for k := range w {
			if g[k] != w[k] {
				return fmt.Errorf("element %d is %d, want %d", k, g[k], w[k])
			}
		}
		return nil
	}
	g, w := got.Contiguous().Data(), want.Data()
	worst, wi := 0.0, -1
	for k := range w {
		gv, wv := float64(g[k]), float64(w[k])
		if math.IsNaN(wv) && math.IsNaN(gv) || gv == wv {
			continue
		}
		d := math.Abs(gv - wv)
		if math.IsNaN(d) || d > 1e-4+1e-3*math.Abs(wv) {
			if wi < 0 || d > worst || math.IsNaN(d) {
				worst, wi = d, k
			}
		}
	}
	if wi >= 0 {
		return fmt.Errorf("element %d is %g, want %g (worst |diff| %.3g)", wi, g[wi], w[wi], worst)
	}
	return nil
}
