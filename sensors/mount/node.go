package mount

import (
	"time"

	"github.com/avstack/avstack/config"
	"github.com/avstack/avstack/msg"
	"github.com/avstack/avstack/node"
)

// Settings of the "tf" node.
type Settings struct {
	// Period between re-publications of the frame tree (av.tf is reliable but not latched, so
	// late joiners need a repeat).
	Period time.Duration `yaml:"period"`
}

// Validate checks the period.
func (s *Settings) Validate() error {
	if s.Period <= 0 {
		return config.Errorf("period", s.Period, "must be positive")
	}
	return nil
}

// Node publishes the vehicle's sensor frame tree on av.tf.
type Node struct {
	v *config.Vehicle
	s Settings
}

// NewNode builds the tf node of a vehicle config.
func NewNode(v *config.Vehicle, s Settings) *Node { return &Node{v: v, s: s} }

// Spec: a timer; av.tf out.
func (n *Node) Spec() node.Spec {
	return node.Spec{Outputs: []string{msg.SubjectTF}, Period: n.s.Period}
}

// Step publishes the transforms stamped now.
func (n *Node) Step(_ []node.Message, now int64) ([]node.Output, error) {
	tf, err := Transforms(n.v, now)
	if err != nil {
		return nil, err
	}
	return []node.Output{{Subject: msg.SubjectTF, Value: tf}}, nil
}

func init() {
	node.Register("tf", func(ctx node.Context) (node.Core, error) {
		s := Settings{Period: time.Second}
		if err := ctx.Settings(&s); err != nil {
			return nil, err
		}
		return NewNode(ctx.Vehicle, s), nil
	})
}
