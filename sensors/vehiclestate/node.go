package vehiclestate

import (
	"fmt"
	"time"

	"github.com/avstack/avstack/config"
	"github.com/avstack/avstack/msg"
	"github.com/avstack/avstack/node"
)

// Settings of the "vehicle-state" node.
type Settings struct {
	// Source: "sim" (Simulated along Profile) or "oxts" (a KITTI raw oxts/ folder).
	Source string  `yaml:"source"`
	RateHz float64 `yaml:"rate_hz"`
	// sim
	InitialSpeed float64   `yaml:"initial_speed"`
	Profile      []Segment `yaml:"profile"`
	// oxts
	Path string `yaml:"path"`
	Loop bool   `yaml:"loop"`
}

// Validate names the first bad field.
func (s *Settings) Validate() error {
	switch s.Source {
	case "sim":
		for i, g := range s.Profile {
			if !(g.Duration > 0) {
				return config.Errorf(fmt.Sprintf("profile[%d].duration", i), g.Duration, "must be positive")
			}
			if g.Steer <= -1.5 || g.Steer >= 1.5 {
				return config.Errorf(fmt.Sprintf("profile[%d].steer", i), g.Steer, "must be within +-1.5 rad")
			}
		}
		if s.InitialSpeed < 0 {
			return config.Errorf("initial_speed", s.InitialSpeed, "must not be negative")
		}
	case "oxts":
		if s.Path == "" {
			return config.Errorf("path", s.Path, "source oxts needs the oxts/ folder of a KITTI raw drive")
		}
	default:
		return config.Errorf("source", s.Source, "must be sim or oxts")
	}
	if !(s.RateHz > 0) || s.RateHz > 1000 {
		return config.Errorf("rate_hz", s.RateHz, "must be in (0, 1000]")
	}
	return nil
}

// Node publishes a Source's state on av.vehicle.state at a fixed rate.
type Node struct {
	src    Source
	period time.Duration
}

// NewNode wraps a source.
func NewNode(src Source, rateHz float64) *Node {
	return &Node{src: src, period: time.Duration(float64(time.Second) / rateHz)}
}

// Spec: a timer, the state out.
func (n *Node) Spec() node.Spec {
	return node.Spec{Outputs: []string{msg.SubjectVehicleState}, Period: n.period}
}

// Step publishes the state at now (nothing when the source has none for that time).
func (n *Node) Step(_ []node.Message, now int64) ([]node.Output, error) {
	st, ok, err := n.src.State(now)
	if err != nil || !ok {
		return nil, err
	}
	return []node.Output{{Subject: msg.SubjectVehicleState, Value: st}}, nil
}

func init() {
	node.Register("vehicle-state", func(ctx node.Context) (node.Core, error) {
		s := Settings{Source: "sim", RateHz: 50}
		if err := ctx.Settings(&s); err != nil {
			return nil, err
		}
		switch s.Source {
		case "oxts":
			states, err := ReadOXTS(s.Path)
			if err != nil {
				return nil, err
			}
			r, err := NewReplayed(states, true, s.Loop)
			if err != nil {
				return nil, err
			}
			return NewNode(r, s.RateHz), nil
		default:
			sim := &Simulated{Wheelbase: ctx.Vehicle.Dynamics.Wheelbase, V: s.InitialSpeed, Profile: s.Profile}
			if err := sim.Validate(); err != nil {
				return nil, err
			}
			return NewNode(sim, s.RateHz), nil
		}
	})
}
