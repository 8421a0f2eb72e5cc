package perceive

import (
	"fmt"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/avstack/avstack/msg"
	"github.com/avstack/avstack/node"
)

// Offline drives a core from a stream of encoded messages without a bus, the way node.Runner
// does: messages on the core's inputs are decoded and queued, and a message on a trigger input
// runs Step with everything queued since the last step, at the trigger's stamp. Evaluation
// (`avstack eval tracking`) feeds it a simulator run; it is deterministic.
type Offline struct {
	core    node.Core
	types   map[string]protoreflect.FullName
	trigger map[string]bool
	pending []node.Message
}

// NewOffline reads the core's Spec.
func NewOffline(core node.Core) (*Offline, error) {
	o := &Offline{core: core, types: map[string]protoreflect.FullName{}, trigger: map[string]bool{}}
	for _, in := range core.Spec().Inputs {
		t := in.Type
		if t == "" {
			e, ok := msg.Lookup(in.Subject)
			if !ok {
				return nil, fmt.Errorf("perceive: offline: input %s is not in the catalogue", in.Subject)
			}
			t = e.Types[0]
		}
		o.types[in.Subject] = t
		o.trigger[in.Subject] = o.trigger[in.Subject] || in.Trigger
	}
	return o, nil
}

// Push offers one message. Messages on other subjects are ignored (nil, false, nil). On a
// trigger it returns the step's outputs and true.
func (o *Offline) Push(subject, typeName string, data []byte) ([]node.Output, bool, error) {
	t, ok := o.types[subject]
	if !ok {
		return nil, false, nil
	}
	if typeName != "" && typeName != string(t) {
		return nil, false, fmt.Errorf("perceive: offline: %s carries %s, want %s", subject, typeName, t)
	}
	v, err := msg.NewMessage(t)
	if err != nil {
		return nil, false, err
	}
	if err := proto.Unmarshal(data, v); err != nil {
		return nil, false, fmt.Errorf("perceive: offline: %s: undecodable %s: %w", subject, t, err)
	}
	m := node.Message{Subject: subject, Value: v, Stamp: node.Stamp(v)}
	o.pending = append(o.pending, m)
	if !o.trigger[subject] {
		return nil, false, nil
	}
	in := o.pending
	o.pending = nil
	outs, err := o.core.Step(in, m.Stamp)
	return outs, true, err
}
