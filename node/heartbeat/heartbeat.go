// Package heartbeat is the smallest node: it steps on a timer and publishes a Clock with its
// step count. It stands in for real nodes in supervisor tests and shows the node pattern.
package heartbeat

import (
	"fmt"
	"time"

	"github.com/avstack/avstack/config"
	"github.com/avstack/avstack/msg/av"
	"github.com/avstack/avstack/node"
)

// Settings of a heartbeat node.
type Settings struct {
	Period time.Duration `yaml:"period"`
	// Subject to publish on (default av.system.heartbeat.<name>).
	Subject string `yaml:"subject"`
}

// Validate checks the settings.
func (s *Settings) Validate() error {
	if s.Period < time.Millisecond {
		return config.Errorf("period", s.Period, "must be at least 1ms")
	}
	return nil
}

// Core counts its steps.
type Core struct {
	s     Settings
	steps uint64
}

// New makes a heartbeat core.
func New(s Settings) (*Core, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return &Core{s: s}, nil
}

// Spec implements node.Core.
func (c *Core) Spec() node.Spec {
	return node.Spec{Outputs: []string{c.s.Subject}, Period: c.s.Period}
}

// Step implements node.Core.
func (c *Core) Step(_ []node.Message, now int64) ([]node.Output, error) {
	c.steps++
	return []node.Output{{Subject: c.s.Subject, Value: &av.Clock{TimeNs: now, Tick: c.steps, PeriodNs: int64(c.s.Period)}}}, nil
}

func init() {
	node.Register("heartbeat", func(ctx node.Context) (node.Core, error) {
		s := Settings{Period: time.Second, Subject: "av.system.heartbeat." + ctx.Name}
		if err := ctx.Settings(&s); err != nil {
			return nil, err
		}
		c, err := New(s)
		if err != nil {
			return nil, fmt.Errorf("heartbeat: %w", err)
		}
		return c, nil
	})
}
