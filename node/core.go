package node

import (
	"fmt"
	"sort"
	"sync"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/avstack/avstack/config"
	"github.com/avstack/avstack/msg"
	"github.com/avstack/avstack/msg/av"
)

// Input is one subject a node listens to.
type Input struct {
	Subject string
	// Trigger: the arrival of a message on this subject runs Step.
	Trigger bool
	// Delivery overrides the catalogue's delivery mode when set.
	Delivery *msg.Delivery
	// Type is the expected message type; empty means the catalogue's first type for the subject.
	Type protoreflect.FullName
}

// Spec declares a node's inputs, outputs and timer.
type Spec struct {
	Inputs []Input
	// Outputs are the subjects the node publishes. Outputs[0] is its primary output: every
	// successful Step publishes exactly one message on it (an empty list is still a message),
	// carrying the step's source_stamp. The lockstep scheduler of the simulator and the replay
	// harness wait for it to know the node has finished a step.
	Outputs []string
	// Period runs Step on a timer (on the runner's clock); 0 = only on trigger inputs.
	Period time.Duration
}

// Message is a decoded input.
type Message struct {
	Subject string
	Value   proto.Message
	// Stamp is the message's own stamp (header or foxglove timestamp), 0 if it has none.
	Stamp int64
}

// Output is a message a Step wants published.
type Output struct {
	Subject string
	Value   proto.Message
}

// Core is a node's algorithm. Implementations are not safe for concurrent use; the runner
// serialises calls.
type Core interface {
	Spec() Spec
	Step(in []Message, now int64) ([]Output, error)
}

// Healther may be implemented by a Core to report degraded health (e.g. a camera that is
// retrying) in its status.
type Healther interface {
	Health() (av.NodeStatus_Health, string)
}

// Counterer may be implemented by a Core to publish its own counters (stage latencies, stale
// inputs...) in every status message and as Prometheus gauges (avstack_node_counter{name=...}).
// A counter whose name ends in "_ms" is a wall-clock timing: on a sim clock it goes to the
// metrics only, so that status messages of a lockstep run are reproducible.
type Counterer interface {
	Counters() []*av.Counter
}

// Context is what a factory gets to construct a node.
type Context struct {
	// Name of the node instance (nodes[i].name).
	Name string
	// Config of this node, and the vehicle file it came from.
	Node    config.NodeConfig
	Vehicle *config.Vehicle
}

// Settings decodes the node's settings strictly into v (a pointer to the node's own settings
// struct holding its defaults) and validates it; errors name the file and field.
func (c Context) Settings(v any) error {
	file := ""
	if c.Vehicle != nil {
		file = c.Vehicle.File
	}
	idx := c.Name
	if c.Vehicle != nil {
		for i, n := range c.Vehicle.Nodes {
			if n.Name == c.Name {
				idx = fmt.Sprintf("nodes[%d]", i)
			}
		}
	}
	return config.DecodeStrict(&c.Node.Settings, file, idx+".settings", v)
}

// Factory constructs a node.
type Factory func(ctx Context) (Core, error)

var (
	regMu    sync.RWMutex
	registry = map[string]Factory{}
)

// Register adds a node kind. It panics on a duplicate name (a programming error).
func Register(kind string, f Factory) {
	regMu.Lock()
	defer regMu.Unlock()
	if _, dup := registry[kind]; dup {
		panic("node: kind registered twice: " + kind)
	}
	registry[kind] = f
}

// Kinds lists the registered node kinds, sorted.
func Kinds() []string {
	regMu.RLock()
	defer regMu.RUnlock()
	out := make([]string, 0, len(registry))
	for k := range registry {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// New constructs the named node of a vehicle config.
func New(v *config.Vehicle, name string) (Core, error) {
	nc, ok := v.Node(name)
	if !ok {
		return nil, fmt.Errorf("node: %s: no node named %q (have %v)", v.File, name, nodeNames(v))
	}
	regMu.RLock()
	f, ok := registry[nc.KindName()]
	regMu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("node: %s: node %q has kind %q, which is not registered (known: %v)", v.File, name, nc.KindName(), Kinds())
	}
	core, err := f(Context{Name: name, Node: nc, Vehicle: v})
	if err != nil {
		return nil, fmt.Errorf("node: %s: %w", name, err)
	}
	return core, nil
}

func nodeNames(v *config.Vehicle) []string {
	var out []string
	for _, n := range v.Nodes {
		out = append(out, n.Name)
	}
	return out
}

// Stamp returns a message's own time in ns: avstack header.stamp_ns, or a foxglove timestamp
// field, or 0.
func Stamp(m proto.Message) int64 {
	r := m.ProtoReflect()
	fields := r.Descriptor().Fields()
	if f := fields.ByName("header"); f != nil && f.Message() != nil && f.Message().FullName() == "avstack.v1.Header" {
		if !r.Has(f) {
			return 0
		}
		h := r.Get(f).Message()
		return h.Get(h.Descriptor().Fields().ByName("stamp_ns")).Int()
	}
	if f := fields.ByName("timestamp"); f != nil && f.Message() != nil && f.Message().FullName() == "google.protobuf.Timestamp" {
		if !r.Has(f) {
			return 0
		}
		ts := r.Get(f).Message()
		sec := ts.Get(ts.Descriptor().Fields().ByName("seconds")).Int()
		nsec := ts.Get(ts.Descriptor().Fields().ByName("nanos")).Int()
		return sec*1e9 + nsec
	}
	return 0
}

// Headers fills the headers of a node's outputs: the one rule the runner, the simulator and the
// replay harness share, so that replaying a node gives back the bytes it published. For each
// output with an avstack Header, seq counts per subject from 1, a zero stamp becomes now and a
// zero source stamp becomes source. The zero value is ready to use; it is not safe for
// concurrent use.
type Headers struct {
	seq map[string]uint64
}

// Fill stamps one output's header (if its type has one) and returns it, or nil.
func (hs *Headers) Fill(o Output, now, source int64) *av.Header {
	h := header(o.Value)
	if h == nil {
		return nil
	}
	if hs.seq == nil {
		hs.seq = map[string]uint64{}
	}
	hs.seq[o.Subject]++
	h.Seq = hs.seq[o.Subject]
	if h.StampNs == 0 {
		h.StampNs = now
	}
	if h.SourceStampNs == 0 {
		h.SourceStampNs = source
	}
	return h
}

// header returns the avstack Header of a message, creating it if absent, or nil when the
// message type has none.
func header(m proto.Message) *av.Header {
	r := m.ProtoReflect()
	f := r.Descriptor().Fields().ByName("header")
	if f == nil || f.Message() == nil || f.Message().FullName() != "avstack.v1.Header" {
		return nil
	}
	if !r.Has(f) {
		r.Set(f, protoreflect.ValueOfMessage((&av.Header{}).ProtoReflect()))
	}
	h, ok := r.Get(f).Message().Interface().(*av.Header)
	if !ok {
		return nil
	}
	return h
}

// Timestamp converts ns to a protobuf Timestamp (for foxglove messages).
func Timestamp(ns int64) *timestamppb.Timestamp {
	return &timestamppb.Timestamp{Seconds: ns / 1e9, Nanos: int32(ns % 1e9)}
}
