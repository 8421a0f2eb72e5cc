package bus

import (
	"sync"
	"time"

	"github.com/avstack/avstack/msg"
	"github.com/avstack/avstack/msg/av"
)

// Clock gives the time a runner passes to its node: nanoseconds since the Unix epoch for the
// wall clock, since the start of the run for sim and log time.
type Clock interface {
	Now() int64
}

// WallClock is the host's clock.
type WallClock struct{}

// Now returns the wall time in ns.
func (WallClock) Now() int64 { return time.Now().UnixNano() }

// SimClock follows av.sim.clock: its time moves only when the simulator (or the log player)
// publishes a tick.
type SimClock struct {
	mu     sync.Mutex
	now    int64
	tick   uint64
	period int64
	subs   []func(now int64, tick uint64)
	sub    *Subscription
}

// NewSimClock returns a clock at time zero that is advanced with Set.
func NewSimClock() *SimClock { return &SimClock{} }

// FollowSimClock subscribes a clock to av.sim.clock.
func FollowSimClock(c *Conn) (*SimClock, error) {
	sc := NewSimClock()
	sub, err := Subscribe(c, msg.SubjectSimClock, func(m Msg[*av.Clock]) {
		sc.Set(m.Value.GetTimeNs(), m.Value.GetTick(), m.Value.GetPeriodNs())
	}, WithDelivery(msg.Reliable))
	if err != nil {
		return nil, err
	}
	sc.sub = sub
	return sc, nil
}

// Now returns the last published sim time.
func (s *SimClock) Now() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.now
}

// Tick returns the last tick number and its period in ns.
func (s *SimClock) Tick() (tick uint64, period int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tick, s.period
}

// Set advances the clock and calls every OnTick callback in registration order. Time never
// goes backwards: an older stamp is ignored.
func (s *SimClock) Set(now int64, tick uint64, period int64) {
	s.mu.Lock()
	if now < s.now {
		s.mu.Unlock()
		return
	}
	s.now, s.tick, s.period = now, tick, period
	subs := append([]func(int64, uint64){}, s.subs...)
	s.mu.Unlock()
	for _, f := range subs {
		f(now, tick)
	}
}

// OnTick registers a callback run after every Set, on the setter's goroutine.
func (s *SimClock) OnTick(f func(now int64, tick uint64)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.subs = append(s.subs, f)
}

// Close stops following av.sim.clock.
func (s *SimClock) Close() error {
	if s.sub == nil {
		return nil
	}
	return s.sub.Close()
}
