package play

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"runtime"
	"sort"
	"sync"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/avstack/avstack/bus"
	"github.com/avstack/avstack/msg"
	"github.com/avstack/avstack/msg/av"
	"github.com/avstack/avstack/replay/mcapio"
	"github.com/avstack/avstack/replay/record"
)

// DefaultClockPeriod is the synthesized av.sim.clock period.
const DefaultClockPeriod = 10 * time.Millisecond

// SpinWindow is how long before a deadline the player stops sleeping and yield-spins.
const SpinWindow = 1200 * time.Microsecond

// Options configure playback.
type Options struct {
	// Rate scales the recorded pace: 1 = real time, 2 = twice as fast, 0 = as fast as possible.
	Rate float64
	// Start skips this much of the recording (from its first log time).
	Start time.Duration
	// Loop plays the recording again and again until the context ends.
	Loop bool
	// Subjects are NATS patterns of what to publish (empty = everything).
	Subjects []string
	// Exclude are patterns never published (lockstep: the nodes' own outputs).
	Exclude []string
	// ClockPeriod of the synthesized av.sim.clock (default DefaultClockPeriod; negative = no
	// synthesized clock).
	ClockPeriod time.Duration
	// Lockstep, when set, replaces timed playback by waiting for the nodes' outputs.
	Lockstep *Lockstep
	// Progress, if set, is called after each loop with the stats so far.
	Progress func(Stats)
}

// Stats describe a playback.
type Stats struct {
	Messages uint64        `json:"messages"`
	Bytes    uint64        `json:"bytes"`
	Clock    uint64        `json:"clock_ticks_synthesized"`
	Loops    int           `json:"loops"`
	Elapsed  time.Duration `json:"elapsed_ns"`
	// MsgsPerSec and MBPerSec are over Elapsed (MB = 1e6 bytes of message payload).
	MsgsPerSec float64 `json:"msgs_per_s"`
	MBPerSec   float64 `json:"mb_per_s"`
	// Lateness of publishes behind their schedule (timed playback at a rate > 0).
	LateP50 time.Duration `json:"late_p50_ns"`
	LateP99 time.Duration `json:"late_p99_ns"`
	LateMax time.Duration `json:"late_max_ns"`
	// Error of the gaps between consecutive publishes against the recorded gaps (the change
	// in lateness from one message to the next), p99 and max.
	GapErrP99 time.Duration `json:"gap_err_p99_ns"`
	GapErrMax time.Duration `json:"gap_err_max_ns"`
	// Steps waited for in lockstep.
	Steps uint64 `json:"lockstep_steps"`
}

// Play publishes the recording on conn until it ends (or, with Loop, until ctx ends).
func Play(ctx context.Context, conn *bus.Conn, r *mcapio.Reader, o Options) (Stats, error) {
	if o.Rate < 0 {
		return Stats{}, fmt.Errorf("play: rate %v must not be negative", o.Rate)
	}
	if o.ClockPeriod == 0 {
		o.ClockPeriod = DefaultClockPeriod
	}
	sum := r.Summary()
	if o.Start < 0 || (sum.Messages > 0 && int64(o.Start) > sum.Duration()) {
		return Stats{}, fmt.Errorf("play: %s: start offset %v outside the recording (0 .. %v)", r.Path(), o.Start, time.Duration(sum.Duration()))
	}
	subjects, err := r.Subjects(o.Subjects)
	if err != nil {
		return Stats{}, fmt.Errorf("play: %w", err)
	}
	var selected []string
	hasClock := false
	for _, s := range subjects {
		if matchAny(o.Exclude, s) {
			continue
		}
		selected = append(selected, s)
		if s == msg.SubjectSimClock {
			hasClock = true
		}
	}
	if len(selected) == 0 {
		return Stats{}, fmt.Errorf("play: %s: nothing to play: every subject of %v is excluded (%v)", r.Path(), subjects, o.Exclude)
	}
	for _, c := range sum.Channels {
		if contains(selected, c.Subject) && c.Encoding != mcapio.Encoding {
			return Stats{}, fmt.Errorf("play: %s: %w: channel %s has message encoding %q; avstack plays protobuf only", r.Path(), mcapio.ErrBadFile, c.Subject, c.Encoding)
		}
	}
	if hasClock && o.Loop && o.ClockPeriod > 0 {
		// Recorded ticks would go back in time on the second loop; use a synthesized clock.
		selected = remove(selected, msg.SubjectSimClock)
		hasClock = false
	}
	p := &player{ctx: ctx, conn: conn, o: o, synth: !hasClock && o.ClockPeriod > 0}
	if o.Lockstep != nil {
		if err := p.startLockstep(); err != nil {
			return Stats{}, err
		}
		defer p.ls.close()
	}
	first := sum.Start + int64(o.Start)
	span := sum.Duration() - int64(o.Start) + int64(o.ClockPeriod)
	t0 := time.Now()
	for loop := 0; ; loop++ {
		p.origin = time.Now()
		p.first = first
		p.clockOffset = int64(loop) * span
		err := p.run(r, mcapio.Filter{Subjects: selected, Start: first})
		if err != nil {
			if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
				break
			}
			return p.stats(t0), err
		}
		p.st.Loops++
		if o.Progress != nil {
			o.Progress(p.stats(t0))
		}
		if !o.Loop || ctx.Err() != nil {
			break
		}
	}
	if err := conn.Flush(); err != nil {
		return p.stats(t0), fmt.Errorf("play: %w", err)
	}
	return p.stats(t0), nil
}

type player struct {
	ctx   context.Context
	conn  *bus.Conn
	o     Options
	synth bool
	ls    *lockstep

	origin      time.Time
	first       int64
	clockOffset int64
	lastClock   int64
	clockSet    bool
	tick        uint64
	late        []time.Duration
	st          Stats
}

// ReadAhead bounds how far timed playback reads ahead of the publisher: at most this many
// messages and ReadAheadBytes bytes of payload are held decoded.
const (
	ReadAhead      = 1000
	ReadAheadBytes = 64 << 20
)

// run plays one pass. Timed playback reads (and decompresses chunks) on the publishing
// goroutine, in the slack before the next message is due: a reader on its own goroutine
// competes for the CPU at the moment a publish is due (measured: p99 gap error 3-6 ms on
// two cores, against 1.6-2.3 ms when reading never overlaps publishing).
func (p *player) run(r *mcapio.Reader, flt mcapio.Filter) error {
	if p.o.Lockstep != nil || p.o.Rate == 0 {
		return r.Each(flt, p.publish)
	}
	next, stop := iter.Pull2(func(yield func(mcapio.Message, error) bool) {
		err := r.Each(flt, func(m mcapio.Message) error {
			m.Data = append(getBuf(len(m.Data)), m.Data...)
			if !yield(m, nil) {
				return errStopRead
			}
			return nil
		})
		if err != nil && !errors.Is(err, errStopRead) {
			yield(mcapio.Message{}, err)
		}
	})
	defer stop()
	var (
		queue    []mcapio.Message
		queued   int
		done     bool
		readErr  error
		slowRead = time.Millisecond // the slowest single read seen (a chunk load)
	)
	defer func() {
		for _, m := range queue {
			putBuf(m.Data)
		}
	}()
	read := func() {
		t := time.Now()
		m, err, ok := next()
		if d := time.Since(t); d > slowRead {
			slowRead = d
		}
		switch {
		case !ok:
			done = true
		case err != nil:
			done, readErr = true, err
		default:
			queue = append(queue, m)
			queued += len(m.Data)
		}
	}
	for {
		if len(queue) == 0 {
			if done {
				return readErr
			}
			read()
			continue
		}
		m := queue[0]
		due := p.due(m)
		// Read ahead while the next publish is far enough away that a chunk load cannot make it late.
		for !done && len(queue) < ReadAhead && queued < ReadAheadBytes && time.Until(due) > SpinWindow+2*slowRead {
			read()
		}
		if err := p.publish(m); err != nil {
			return err
		}
		putBuf(m.Data) // the bus copied it
		queue[0] = mcapio.Message{}
		queue = queue[1:]
		queued -= len(m.Data)
	}
}

var errStopRead = errors.New("play: stop reading")

// bufs recycles the buffers of read-ahead messages once they are published, so timed playback
// of large clouds does not make garbage (and GC pauses) at every message.
var bufs sync.Pool

func getBuf(n int) []byte {
	if b, ok := bufs.Get().(*[]byte); ok && cap(*b) >= n {
		return (*b)[:0]
	}
	return make([]byte, 0, n)
}

func putBuf(b []byte) { bufs.Put(&b) }

func (p *player) publish(m mcapio.Message) error {
	if err := p.ctx.Err(); err != nil {
		return err
	}
	if p.o.Lockstep == nil && p.o.Rate > 0 {
		due := p.due(m)
		if err := sleepUntil(p.ctx, due); err != nil {
			return err
		}
		p.late = append(p.late, time.Since(due))
	}
	if p.synth {
		t := m.LogTime + p.clockOffset
		if !p.clockSet || t-p.lastClock >= int64(p.o.ClockPeriod) {
			p.clockSet, p.lastClock = true, t
			p.tick++
			c := &av.Clock{Header: &av.Header{StampNs: t, Seq: p.tick}, TimeNs: t, Tick: p.tick, PeriodNs: int64(p.o.ClockPeriod)}
			if err := p.conn.Publish(msg.SubjectSimClock, c); err != nil {
				return fmt.Errorf("play: %w", err)
			}
			p.st.Clock++
			if p.ls != nil {
				if err := p.ls.afterClock(p.ctx, t); err != nil {
					return err
				}
			}
		}
	}
	if err := p.conn.PublishRaw(m.Subject, m.Type, m.Data); err != nil {
		return fmt.Errorf("play: %w", err)
	}
	p.st.Messages++
	p.st.Bytes += uint64(len(m.Data))
	if p.ls != nil {
		if m.Subject == msg.SubjectSimClock {
			var c av.Clock
			if err := proto.Unmarshal(m.Data, &c); err != nil {
				return fmt.Errorf("play: %s: recorded %s: %w", m.Subject, m.Type, err)
			}
			if err := p.ls.afterClock(p.ctx, c.GetTimeNs()); err != nil {
				return err
			}
		}
		if err := p.ls.after(p.ctx, m); err != nil {
			return err
		}
	}
	return nil
}

// due is when m should be published in timed playback.
func (p *player) due(m mcapio.Message) time.Time {
	return p.origin.Add(time.Duration(float64(m.LogTime-p.first) / p.o.Rate))
}

func (p *player) stats(t0 time.Time) Stats {
	st := p.st
	st.Elapsed = time.Since(t0)
	if s := st.Elapsed.Seconds(); s > 0 {
		st.MsgsPerSec = float64(st.Messages) / s
		st.MBPerSec = float64(st.Bytes) / 1e6 / s
	}
	if n := len(p.late); n > 0 {
		l := append([]time.Duration(nil), p.late...)
		sort.Slice(l, func(i, j int) bool { return l[i] < l[j] })
		st.LateP50 = l[n/2]
		st.LateP99 = l[min(n-1, n*99/100)]
		st.LateMax = l[n-1]
	}
	if n := len(p.late) - 1; n > 0 {
		g := make([]time.Duration, n)
		for i := range g {
			g[i] = (p.late[i+1] - p.late[i]).Abs()
		}
		sort.Slice(g, func(i, j int) bool { return g[i] < g[j] })
		st.GapErrP99 = g[min(n-1, n*99/100)]
		st.GapErrMax = g[n-1]
	}
	if p.ls != nil {
		st.Steps = p.ls.steps
	}
	return st
}

// sleepUntil waits for the deadline: a timer sleep to SpinWindow before it, then yields.
func sleepUntil(ctx context.Context, due time.Time) error {
	if d := time.Until(due) - SpinWindow; d > 0 {
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
	for time.Now().Before(due) {
		runtime.Gosched()
	}
	return nil
}

func matchAny(patterns []string, subject string) bool {
	for _, p := range patterns {
		if p == subject || msg.Match(p, subject) {
			return true
		}
	}
	return false
}

func remove(l []string, s string) []string {
	var out []string
	for _, x := range l {
		if x != s {
			out = append(out, x)
		}
	}
	return out
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// stampOf is the stamp node.Runner sees on a recorded message (0 when it has none; the
// publish time when the type is unknown to this binary).
func stampOf(m mcapio.Message) int64 {
	s, err := record.Stamp(m.Type, m.Data)
	if err != nil {
		return m.PublishTime
	}
	return s
}

// sourceStamp reads header.source_stamp_ns of an avstack message.
func sourceStamp(m proto.Message) (int64, bool) {
	r := m.ProtoReflect()
	f := r.Descriptor().Fields().ByName("header")
	if f == nil || f.Message() == nil || f.Message().FullName() != "avstack.v1.Header" || !r.Has(f) {
		return 0, false
	}
	h := r.Get(f).Message()
	return h.Get(h.Descriptor().Fields().ByName("source_stamp_ns")).Int(), true
}
