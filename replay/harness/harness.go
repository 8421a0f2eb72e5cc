package harness

import (
	"errors"
	"fmt"
	"os"
	"sort"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/avstack/avstack/config"
	"github.com/avstack/avstack/msg"
	"github.com/avstack/avstack/msg/av"
	"github.com/avstack/avstack/node"
	"github.com/avstack/avstack/replay/mcapio"
)

// ErrBadInput marks errors that are the input's fault (exit 2), as opposed to a regression.
var ErrBadInput = errors.New("bad input")

func badInput(format string, args ...any) error {
	return fmt.Errorf("harness: %w: %s", ErrBadInput, fmt.Sprintf(format, args...))
}

// Options configure a Run.
type Options struct {
	Vehicle *config.Vehicle
	// Node is the name of the node in Vehicle.Nodes.
	Node string
	// Tolerance overrides the node kind's entry of KindTolerances.
	Tolerance *Tolerance
	// MaxDiffs is how many differences are reported (default 10); all are counted.
	MaxDiffs int
}

// Output is one message a node produced (or a reference message).
type Output struct {
	Subject string
	Type    string
	Data    []byte
	// LogTime is the log time of the message that caused it (the trigger or clock tick).
	LogTime int64
	Stamp   int64
}

// SubjectResult compares one output subject.
type SubjectResult struct {
	Subject string `json:"subject"`
	Got     int    `json:"got"`
	Want    int    `json:"want"`
	// Identical counts byte-identical pairs; Within pairs equal within tolerance; Differ the rest.
	Identical int `json:"identical"`
	Within    int `json:"within_tolerance"`
	Differ    int `json:"differ"`
}

// Diff is one field that differs.
type Diff struct {
	Subject string `json:"subject"`
	// Index of the message on its subject (0-based), Stamp its header stamp.
	Index int    `json:"index"`
	Stamp int64  `json:"stamp_ns"`
	Path  string `json:"path"`
	Got   string `json:"got"`
	Want  string `json:"want"`
}

// Result is the outcome of a Run.
type Result struct {
	Node      string          `json:"node"`
	Kind      string          `json:"kind"`
	Recording string          `json:"recording"`
	Reference string          `json:"reference"`
	Inputs    int             `json:"inputs"`
	Steps     int             `json:"steps"`
	Errors    []string        `json:"step_errors,omitempty"`
	Subjects  []SubjectResult `json:"subjects"`
	Diffs     []Diff          `json:"diffs,omitempty"`
	// DiffCount is the number of differing fields found (Diffs holds the first MaxDiffs).
	DiffCount int       `json:"diff_count"`
	Tolerance Tolerance `json:"tolerance"`
	Equal     bool      `json:"equal"`
	// Outputs are the node's new outputs (what Update writes).
	Outputs []Output `json:"-"`
}

type inputSpec struct {
	node.Input
	typ protoreflect.FullName
}

// Replay feeds the recorded inputs to the node and returns its outputs, without comparing.
func Replay(rec *mcapio.Reader, v *config.Vehicle, name string) (outs []Output, inputs, steps int, stepErrs []string, err error) {
	core, err := node.New(v, name)
	if err != nil {
		return nil, 0, 0, nil, badInput("%v", err)
	}
	if c, ok := core.(interface{ Close() error }); ok {
		defer c.Close()
	}
	return replayCore(rec, core, name)
}

func replayCore(rec *mcapio.Reader, core node.Core, name string) (outs []Output, inputs, steps int, stepErrs []string, err error) {
	spec := core.Spec()
	if len(spec.Outputs) == 0 {
		return nil, 0, 0, nil, badInput("node %s declares no outputs", name)
	}
	if spec.Period > 0 {
		hasClock := false
		for _, c := range rec.Summary().Channels {
			hasClock = hasClock || c.Subject == msg.SubjectSimClock
		}
		if !hasClock {
			return nil, 0, 0, nil, badInput("node %s steps every %v on its clock, but %s has no %s to replay that clock from (record a simulator run, or replay with the clock included)", name, spec.Period, rec.Path(), msg.SubjectSimClock)
		}
	}
	var ins []inputSpec
	for _, in := range spec.Inputs {
		typ := in.Type
		if typ == "" {
			e, ok := msg.Lookup(in.Subject)
			if !ok {
				return nil, 0, 0, nil, badInput("node %s: input %s is not in the catalogue and has no Type", name, in.Subject)
			}
			typ = e.Types[0]
		}
		ins = append(ins, inputSpec{in, typ})
	}
	s := &stepper{core: core, spec: spec}
	err = rec.Each(mcapio.Filter{}, func(m mcapio.Message) error {
		if m.Subject == msg.SubjectSimClock {
			var c av.Clock
			if err := proto.Unmarshal(m.Data, &c); err != nil {
				return badInput("%s: %s at log time %d: %v", rec.Path(), m.Subject, m.LogTime, err)
			}
			s.clock(c.GetTimeNs(), m.LogTime)
		}
		for _, in := range ins {
			if in.Subject != m.Subject && !msg.Match(in.Subject, m.Subject) {
				continue
			}
			if m.Type != string(in.typ) {
				return badInput("%s: subject %s carries %s, node %s wants %s", rec.Path(), m.Subject, m.Type, name, in.typ)
			}
			v, err := msg.NewMessage(in.typ)
			if err == nil {
				err = proto.Unmarshal(m.Data, v)
			}
			if err != nil {
				return badInput("%s: subject %s at log time %d: undecodable %s: %v", rec.Path(), m.Subject, m.LogTime, in.typ, err)
			}
			inputs++
			s.input(node.Message{Subject: m.Subject, Value: v, Stamp: node.Stamp(v)}, in.Trigger, m.LogTime)
			break
		}
		return nil
	})
	if err != nil {
		if errors.Is(err, mcapio.ErrBadFile) {
			return nil, 0, 0, nil, fmt.Errorf("harness: %w: %w", ErrBadInput, err)
		}
		return nil, 0, 0, nil, err
	}
	if inputs == 0 {
		var subs []string
		for _, in := range ins {
			subs = append(subs, in.Subject)
		}
		return nil, 0, 0, nil, badInput("%s has no messages on the inputs of node %s (%v)", rec.Path(), name, subs)
	}
	return s.outs, inputs, s.steps, s.errs, nil
}

// stepper reproduces node.Runner's step rule on recorded input.
type stepper struct {
	core    node.Core
	spec    node.Spec
	pending []node.Message
	headers node.Headers
	now     int64 // clock time
	nextDue int64
	steps   int
	errs    []string
	outs    []Output
}

func (s *stepper) input(m node.Message, trigger bool, logTime int64) {
	s.pending = append(s.pending, m)
	if trigger {
		now := m.Stamp
		if now == 0 {
			now = s.now
		}
		s.step(now, m.Stamp, logTime)
	}
}

func (s *stepper) clock(now, logTime int64) {
	if now < s.now {
		return // the runner's SimClock never goes back
	}
	s.now = now
	p := int64(s.spec.Period)
	if p <= 0 {
		return
	}
	if s.nextDue == 0 {
		s.nextDue = now
	}
	if now >= s.nextDue {
		s.step(now, now, logTime)
		for s.nextDue <= now {
			s.nextDue += p
		}
	}
}

func (s *stepper) step(now, source, logTime int64) {
	in := s.pending
	s.pending = nil
	outs, err := s.core.Step(in, now)
	s.steps++
	if err != nil {
		s.errs = append(s.errs, fmt.Sprintf("step at %d: %v", now, err))
		return
	}
	for _, o := range outs {
		if o.Value == nil {
			s.errs = append(s.errs, fmt.Sprintf("step at %d: nil output on %s", now, o.Subject))
			continue
		}
		stamp := now
		if h := s.headers.Fill(o, now, source); h != nil {
			stamp = h.StampNs
		} else if st := node.Stamp(o.Value); st != 0 {
			stamp = st
		}
		name := o.Value.ProtoReflect().Descriptor().FullName()
		if e, ok := msg.Lookup(o.Subject); ok && !e.Allows(name) {
			s.errs = append(s.errs, fmt.Sprintf("step at %d: type %s not allowed on %s (catalogue: %v)", now, name, o.Subject, e.Types))
			continue
		}
		data, err := proto.MarshalOptions{Deterministic: true}.Marshal(o.Value)
		if err != nil {
			s.errs = append(s.errs, fmt.Sprintf("step at %d: marshal %s: %v", now, o.Subject, err))
			continue
		}
		s.outs = append(s.outs, Output{Subject: o.Subject, Type: string(name), Data: data, LogTime: logTime, Stamp: stamp})
	}
}

// ReadOutputs reads the messages on the given subjects from a recording or reference file.
func ReadOutputs(r *mcapio.Reader, subjects []string) ([]Output, error) {
	var out []Output
	want := map[string]bool{}
	for _, s := range subjects {
		want[s] = true
	}
	err := r.Each(mcapio.Filter{}, func(m mcapio.Message) error {
		if !want[m.Subject] {
			return nil
		}
		out = append(out, Output{Subject: m.Subject, Type: m.Type, Data: append([]byte(nil), m.Data...), LogTime: m.LogTime, Stamp: m.PublishTime})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("harness: %w: %w", ErrBadInput, err)
	}
	return out, nil
}

// Run replays the node on rec and compares its outputs with ref (rec itself when ref is nil).
func Run(rec, ref *mcapio.Reader, o Options) (*Result, error) {
	if o.Vehicle == nil {
		return nil, badInput("no vehicle configuration")
	}
	nc, ok := o.Vehicle.Node(o.Node)
	if !ok {
		var names []string
		for _, n := range o.Vehicle.Nodes {
			names = append(names, n.Name)
		}
		return nil, badInput("%s: no node named %q (have %v)", o.Vehicle.File, o.Node, names)
	}
	tol := ToleranceFor(nc.KindName())
	if o.Tolerance != nil {
		tol = *o.Tolerance
	}
	if o.MaxDiffs <= 0 {
		o.MaxDiffs = 10
	}
	core, err := node.New(o.Vehicle, o.Node)
	if err != nil {
		return nil, badInput("%v", err)
	}
	if c, ok := core.(interface{ Close() error }); ok {
		defer c.Close()
	}
	subjects := core.Spec().Outputs
	outs, inputs, steps, errs, err := replayCore(rec, core, o.Node)
	if err != nil {
		return nil, err
	}
	if ref == nil {
		ref = rec
	}
	want, err := ReadOutputs(ref, subjects)
	if err != nil {
		return nil, err
	}
	res := &Result{Node: o.Node, Kind: nc.KindName(), Recording: rec.Path(), Reference: ref.Path(), Inputs: inputs, Steps: steps, Errors: errs, Tolerance: tol, Outputs: outs}
	res.compare(subjects, outs, want, tol, o.MaxDiffs)
	return res, nil
}

func bySubject(l []Output) map[string][]Output {
	m := map[string][]Output{}
	for _, o := range l {
		m[o.Subject] = append(m[o.Subject], o)
	}
	return m
}

func (res *Result) compare(subjects []string, got, want []Output, tol Tolerance, maxDiffs int) {
	g, w := bySubject(got), bySubject(want)
	res.Equal = true
	seen := map[string]bool{}
	for _, s := range subjects {
		if seen[s] {
			continue
		}
		seen[s] = true
		sr := SubjectResult{Subject: s, Got: len(g[s]), Want: len(w[s])}
		if sr.Got != sr.Want {
			res.Equal = false
		}
		for i := 0; i < min(sr.Got, sr.Want); i++ {
			a, b := g[s][i], w[s][i]
			if string(a.Data) == string(b.Data) && a.Type == b.Type {
				sr.Identical++
				continue
			}
			diffs := compareMessages(a, b, tol)
			for j := range diffs {
				diffs[j].Subject, diffs[j].Index, diffs[j].Stamp = s, i, b.Stamp
			}
			if len(diffs) == 0 {
				sr.Within++
				continue
			}
			sr.Differ++
			res.Equal = false
			res.DiffCount += len(diffs)
			for _, d := range diffs {
				if len(res.Diffs) < maxDiffs {
					res.Diffs = append(res.Diffs, d)
				}
			}
		}
		res.Subjects = append(res.Subjects, sr)
	}
	sort.SliceStable(res.Subjects, func(i, j int) bool { return res.Subjects[i].Subject < res.Subjects[j].Subject })
}

// WriteReference writes outputs as a reference recording.
func WriteReference(path string, res *Result) error {
	w, err := mcapio.Create(path, mcapio.WriterOptions{Metadata: map[string]string{
		"harness.node": res.Node, "harness.kind": res.Kind, "harness.recording": res.Recording,
	}})
	if err != nil {
		return fmt.Errorf("harness: %w", err)
	}
	for _, o := range res.Outputs {
		if err := w.Write(o.Subject, o.Type, o.Data, o.LogTime, max(o.Stamp, 0)); err != nil {
			w.Close()
			os.Remove(path)
			return fmt.Errorf("harness: %w", err)
		}
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("harness: %w", err)
	}
	return nil
}

// ExitCode maps a Run's outcome to the command's exit status: 0 equal, 1 regression, 2 bad
// input (or any error).
func ExitCode(res *Result, err error) int {
	switch {
	case err != nil:
		return 2
	case res == nil || !res.Equal:
		return 1
	}
	return 0
}
