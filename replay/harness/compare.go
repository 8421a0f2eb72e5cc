package harness

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/avstack/avstack/msg"
)

// Tolerance says how closely outputs must match.
type Tolerance struct {
	// Abs and Rel bound float differences: |got - want| <= Abs + Rel*|want|.
	Abs float64 `json:"abs" yaml:"abs"`
	Rel float64 `json:"rel" yaml:"rel"`
	// Ignore lists field paths not compared, without indices ("header.seq", "objects.age");
	// a path also covers the fields under it.
	Ignore []string `json:"ignore,omitempty" yaml:"ignore"`
}

// DefaultTolerance applies to node kinds without an entry in KindTolerances: deterministic
// cores are expected to reproduce their outputs to the last bits, but float noise of a
// different CPU (FMA, vector width) is allowed.
var DefaultTolerance = Tolerance{Abs: 1e-9, Rel: 1e-9}

// KindTolerances are the per-node-kind tolerances and ignore lists. Add a node kind here when
// its outputs carry fields that legitimately differ between runs (timings, host names).
var KindTolerances = map[string]Tolerance{
	// Network outputs go through float32 kernels whose summation order depends on the CPU's
	// vector width (avx512 vs avx2 vs pure Go).
	"perception": {Abs: 1e-4, Rel: 1e-4},
	// Status heartbeats carry step latencies and uptimes measured on the wall clock.
	"status": {Abs: 1e-9, Rel: 1e-9, Ignore: []string{"latency_ms_mean", "latency_ms_max", "uptime_s"}},
}

// ToleranceFor returns the tolerance of a node kind.
func ToleranceFor(kind string) Tolerance {
	if t, ok := KindTolerances[kind]; ok {
		return t
	}
	return DefaultTolerance
}

func (t Tolerance) ignored(path string) bool {
	if len(t.Ignore) == 0 {
		return false
	}
	p := stripIndices(path)
	for _, ig := range t.Ignore {
		if p == ig || strings.HasPrefix(p, ig+".") {
			return true
		}
	}
	return false
}

func stripIndices(path string) string {
	var b strings.Builder
	depth := 0
	for _, r := range path {
		switch {
		case r == '[':
			depth++
		case r == ']':
			depth--
		case depth == 0:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func (t Tolerance) close(got, want float64) bool {
	if got == want || (math.IsNaN(got) && math.IsNaN(want)) {
		return true
	}
	return math.Abs(got-want) <= t.Abs+t.Rel*math.Abs(want)
}

// compareMessages decodes two outputs and compares them field by field.
func compareMessages(got, want Output, tol Tolerance) []Diff {
	if got.Type != want.Type {
		return []Diff{{Path: "(type)", Got: got.Type, Want: want.Type}}
	}
	a, err := msg.NewMessage(protoreflect.FullName(got.Type))
	if err != nil {
		return []Diff{{Path: "(type)", Got: got.Type, Want: "a type this binary knows"}}
	}
	b := a.ProtoReflect().New().Interface()
	if err := proto.Unmarshal(got.Data, a); err != nil {
		return []Diff{{Path: "(bytes)", Got: "undecodable: " + err.Error(), Want: fmt.Sprintf("%d bytes", len(want.Data))}}
	}
	if err := proto.Unmarshal(want.Data, b); err != nil {
		return []Diff{{Path: "(bytes)", Got: fmt.Sprintf("%d bytes", len(got.Data)), Want: "undecodable: " + err.Error()}}
	}
	var out []Diff
	diffMessage("", a.ProtoReflect(), b.ProtoReflect(), tol, &out)
	return out
}

// DiffMessages compares two messages of one type field by field.
func DiffMessages(got, want proto.Message, tol Tolerance) []Diff {
	var out []Diff
	diffMessage("", got.ProtoReflect(), want.ProtoReflect(), tol, &out)
	return out
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func diffMessage(path string, a, b protoreflect.Message, tol Tolerance, out *[]Diff) {
	fields := a.Descriptor().Fields()
	for i := 0; i < fields.Len(); i++ {
		fd := fields.Get(i)
		p := join(path, string(fd.Name()))
		if tol.ignored(p) {
			continue
		}
		switch {
		case fd.IsList():
			la, lb := a.Get(fd).List(), b.Get(fd).List()
			if la.Len() != lb.Len() {
				*out = append(*out, Diff{Path: p + ".length", Got: strconv.Itoa(la.Len()), Want: strconv.Itoa(lb.Len())})
			}
			for j := 0; j < min(la.Len(), lb.Len()); j++ {
				diffValue(fmt.Sprintf("%s[%d]", p, j), fd, la.Get(j), lb.Get(j), tol, out)
			}
		case fd.IsMap():
			ma, mb := a.Get(fd).Map(), b.Get(fd).Map()
			keys := map[string]protoreflect.MapKey{}
			ma.Range(func(k protoreflect.MapKey, _ protoreflect.Value) bool { keys[k.String()] = k; return true })
			mb.Range(func(k protoreflect.MapKey, _ protoreflect.Value) bool { keys[k.String()] = k; return true })
			names := make([]string, 0, len(keys))
			for k := range keys {
				names = append(names, k)
			}
			sort.Strings(names)
			for _, ks := range names {
				k := keys[ks]
				kp := fmt.Sprintf("%s[%s]", p, ks)
				switch {
				case !ma.Has(k):
					*out = append(*out, Diff{Path: kp, Got: "(absent)", Want: "(present)"})
				case !mb.Has(k):
					*out = append(*out, Diff{Path: kp, Got: "(present)", Want: "(absent)"})
				default:
					diffValue(kp, fd.MapValue(), ma.Get(k), mb.Get(k), tol, out)
				}
			}
		default:
			if fd.Message() != nil && a.Has(fd) != b.Has(fd) {
				*out = append(*out, Diff{Path: p, Got: presence(a.Has(fd)), Want: presence(b.Has(fd))})
				continue
			}
			diffValue(p, fd, a.Get(fd), b.Get(fd), tol, out)
		}
	}
	if ua, ub := a.GetUnknown(), b.GetUnknown(); string(ua) != string(ub) {
		*out = append(*out, Diff{Path: join(path, "(unknown fields)"), Got: fmt.Sprintf("%d bytes", len(ua)), Want: fmt.Sprintf("%d bytes", len(ub))})
	}
}

func presence(has bool) string {
	if has {
		return "(set)"
	}
	return "(unset)"
}

func diffValue(p string, fd protoreflect.FieldDescriptor, a, b protoreflect.Value, tol Tolerance, out *[]Diff) {
	switch fd.Kind() {
	case protoreflect.MessageKind, protoreflect.GroupKind:
		diffMessage(p, a.Message(), b.Message(), tol, out)
	case protoreflect.FloatKind, protoreflect.DoubleKind:
		if !tol.close(a.Float(), b.Float()) {
			*out = append(*out, Diff{Path: p, Got: fmtFloat(a.Float()), Want: fmtFloat(b.Float())})
		}
	case protoreflect.BytesKind:
		x, y := a.Bytes(), b.Bytes()
		if string(x) != string(y) {
			i := 0
			for i < len(x) && i < len(y) && x[i] == y[i] {
				i++
			}
			*out = append(*out, Diff{Path: p, Got: fmt.Sprintf("%d bytes, first difference at byte %d", len(x), i), Want: fmt.Sprintf("%d bytes", len(y))})
		}
	case protoreflect.EnumKind:
		if a.Enum() != b.Enum() {
			*out = append(*out, Diff{Path: p, Got: enumName(fd, a.Enum()), Want: enumName(fd, b.Enum())})
		}
	default:
		if !a.Equal(b) {
			*out = append(*out, Diff{Path: p, Got: fmt.Sprint(a.Interface()), Want: fmt.Sprint(b.Interface())})
		}
	}
}

func fmtFloat(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

func enumName(fd protoreflect.FieldDescriptor, n protoreflect.EnumNumber) string {
	if v := fd.Enum().Values().ByNumber(n); v != nil {
		return string(v.Name())
	}
	return strconv.Itoa(int(n))
}
