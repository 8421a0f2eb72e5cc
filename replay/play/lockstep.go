package play

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/avstack/avstack/bus"
	"github.com/avstack/avstack/msg"
	"github.com/avstack/avstack/node"
	"github.com/avstack/avstack/replay/mcapio"
)

// DefaultStepTimeout bounds the wait for one node step in lockstep.
const DefaultStepTimeout = 10 * time.Second

// Lockstep lists the nodes the player waits for.
type Lockstep struct {
	Nodes []NodeSpec
	// Timeout per step (default DefaultStepTimeout); a node that does not answer in time
	// stops playback with an error naming it.
	Timeout time.Duration
}

// NodeSpec is what the player needs to know of a node: its name and Spec.
type NodeSpec struct {
	Name string
	Spec node.Spec
}

// Outputs lists every output subject of the nodes (what lockstep playback must not replay).
func (l *Lockstep) Outputs() []string {
	var out []string
	for _, n := range l.Nodes {
		out = append(out, n.Spec.Outputs...)
	}
	return out
}

type lsNode struct {
	NodeSpec
	nextDue int64
}

type lockstep struct {
	conn    *bus.Conn
	timeout time.Duration
	nodes   []*lsNode
	subs    []*bus.Subscription
	steps   uint64

	mu   sync.Mutex
	cond *sync.Cond
	seen map[string]map[int64]int // primary output subject -> source stamp -> count
}

func (p *player) startLockstep() error {
	l := p.o.Lockstep
	ls := &lockstep{conn: p.conn, timeout: l.Timeout, seen: map[string]map[int64]int{}}
	if ls.timeout <= 0 {
		ls.timeout = DefaultStepTimeout
	}
	ls.cond = sync.NewCond(&ls.mu)
	subscribed := map[string]bool{}
	for _, n := range l.Nodes {
		if len(n.Spec.Outputs) == 0 {
			return fmt.Errorf("play: lockstep: node %s has no outputs to wait for", n.Name)
		}
		ls.nodes = append(ls.nodes, &lsNode{NodeSpec: n})
		primary := n.Spec.Outputs[0]
		if subscribed[primary] {
			continue
		}
		subscribed[primary] = true
		sub, err := p.conn.SubscribeRaw(primary, func(rm bus.RawMsg) {
			v, err := bus.Decode(rm)
			if err != nil {
				return
			}
			src, ok := sourceStamp(v)
			if !ok {
				src = node.Stamp(v)
			}
			ls.mu.Lock()
			if ls.seen[rm.Subject] == nil {
				ls.seen[rm.Subject] = map[int64]int{}
			}
			ls.seen[rm.Subject][src]++
			ls.cond.Broadcast()
			ls.mu.Unlock()
		}, bus.WithDelivery(msg.Reliable), bus.WithQueueLen(1<<16))
		if err != nil {
			ls.close()
			return fmt.Errorf("play: lockstep: %w", err)
		}
		ls.subs = append(ls.subs, sub)
	}
	if err := p.conn.Flush(); err != nil {
		ls.close()
		return fmt.Errorf("play: lockstep: %w", err)
	}
	p.ls = ls
	return nil
}

func (ls *lockstep) close() {
	for _, s := range ls.subs {
		_ = s.Close()
	}
}

// wait blocks until the node's primary output with this source stamp has been seen.
func (ls *lockstep) wait(ctx context.Context, n *lsNode, stamp int64, why string) error {
	if err := ls.conn.Flush(); err != nil {
		return fmt.Errorf("play: lockstep: %w", err)
	}
	primary := n.Spec.Outputs[0]
	deadline := time.Now().Add(ls.timeout)
	stop := context.AfterFunc(ctx, func() { ls.mu.Lock(); ls.cond.Broadcast(); ls.mu.Unlock() })
	defer stop()
	timer := time.AfterFunc(ls.timeout, func() { ls.mu.Lock(); ls.cond.Broadcast(); ls.mu.Unlock() })
	defer timer.Stop()
	ls.mu.Lock()
	defer ls.mu.Unlock()
	for ls.seen[primary][stamp] == 0 {
		if err := ctx.Err(); err != nil {
			return err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("play: lockstep: node %s did not publish %s with source stamp %d within %v after %s (is it running, with --clock sim? a node that already followed a later av.sim.clock ignores earlier time: restart it before replaying again)", n.Name, primary, stamp, ls.timeout, why)
		}
		ls.cond.Wait()
	}
	ls.seen[primary][stamp]--
	if ls.seen[primary][stamp] == 0 {
		delete(ls.seen[primary], stamp)
	}
	ls.steps++
	return nil
}

// triggers reports whether a message on subject triggers the node.
func (n *lsNode) triggers(subject string) bool {
	for _, in := range n.Spec.Inputs {
		if in.Trigger && (in.Subject == subject || msg.Match(in.Subject, subject)) {
			return true
		}
	}
	return false
}

// cascade waits for the nodes triggered by messages on subjects with this stamp, and then,
// transitively, for the nodes their outputs trigger (node.Runner stamps outputs with the
// trigger's stamp, so the stamp carries down the chain), as the simulator's lockstep does.
func (ls *lockstep) cascade(ctx context.Context, subjects []string, stamp int64, why string, done map[*lsNode]bool) error {
	for len(subjects) > 0 {
		s := subjects[0]
		subjects = subjects[1:]
		for _, n := range ls.nodes {
			if done[n] || !n.triggers(s) {
				continue
			}
			done[n] = true
			if err := ls.wait(ctx, n, stamp, why+" via "+s); err != nil {
				return err
			}
			subjects = append(subjects, n.Spec.Outputs...)
		}
	}
	return nil
}

// after waits for every node that the message triggers, directly or through other nodes.
func (ls *lockstep) after(ctx context.Context, m mcapio.Message) error {
	input := false
	for _, n := range ls.nodes {
		if n.triggers(m.Subject) {
			return ls.cascade(ctx, []string{m.Subject}, stampOf(m), "input "+m.Subject, map[*lsNode]bool{})
		}
		input = input || n.reads(m.Subject)
	}
	if input {
		// A non-trigger input: let it reach the node before the next one on the same subject
		// can replace it in a latest-only queue (a round trip; it narrows the window, it does
		// not close it: see docs/replay.md).
		if err := ls.conn.Flush(); err != nil {
			return fmt.Errorf("play: lockstep: %w", err)
		}
	}
	return nil
}

// reads reports whether the node listens to subject at all.
func (n *lsNode) reads(subject string) bool {
	for _, in := range n.Spec.Inputs {
		if in.Subject == subject || msg.Match(in.Subject, subject) {
			return true
		}
	}
	return false
}

// afterClock waits for the timer nodes due at clock time now (node.Runner's rule: due when
// now >= next due time, then missed periods are skipped) and for what their outputs trigger.
func (ls *lockstep) afterClock(ctx context.Context, now int64) error {
	done := map[*lsNode]bool{}
	var outs []string
	for _, n := range ls.nodes {
		p := int64(n.Spec.Period)
		if p <= 0 {
			continue
		}
		if n.nextDue == 0 {
			n.nextDue = now
		}
		if now < n.nextDue {
			continue
		}
		for n.nextDue <= now {
			n.nextDue += p
		}
		done[n] = true
		if err := ls.wait(ctx, n, now, fmt.Sprintf("clock tick at %d", now)); err != nil {
			return err
		}
		outs = append(outs, n.Spec.Outputs...)
	}
	return ls.cascade(ctx, outs, now, fmt.Sprintf("clock tick at %d", now), done)
}
