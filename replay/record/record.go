package record

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/avstack/avstack/bus"
	"github.com/avstack/avstack/msg"
	"github.com/avstack/avstack/node"
	"github.com/avstack/avstack/replay/mcapio"
)

// DefaultQueueLen is the depth of each subscription's queue: seconds of camera and lidar
// traffic, so a slow disk does not lose messages at once.
const DefaultQueueLen = 1 << 16

// Options configure a Recorder.
type Options struct {
	// Subjects are NATS patterns to subscribe to (default "av.>").
	Subjects []string
	// All records every message of a known type, also on subjects outside the catalogue or not
	// marked Recorded.
	All bool
	// QueueLen bounds each subscription's queue (default DefaultQueueLen).
	QueueLen int
	// OnError receives messages that could not be recorded (default: dropped silently, counted).
	OnError func(error)
}

// Stats count what a Recorder saw.
type Stats struct {
	Messages uint64
	Bytes    uint64
	// PerSubject counts recorded messages by subject.
	PerSubject map[string]uint64
	// Skipped counts messages not recorded, by reason.
	Skipped map[string]uint64
	// Lost counts messages the subscriptions dropped because the queue was full.
	Lost uint64
}

// Recorder writes bus traffic to a Writer.
type Recorder struct {
	w    *mcapio.Writer
	opts Options
	subs []*bus.Subscription

	mu    sync.Mutex
	stats Stats
}

// Start subscribes to the subjects and writes what arrives until Stop.
func Start(conn *bus.Conn, w *mcapio.Writer, o Options) (*Recorder, error) {
	if len(o.Subjects) == 0 {
		o.Subjects = []string{"av.>"}
	}
	if o.QueueLen == 0 {
		o.QueueLen = DefaultQueueLen
	}
	r := &Recorder{w: w, opts: o, stats: Stats{PerSubject: map[string]uint64{}, Skipped: map[string]uint64{}}}
	for _, s := range o.Subjects {
		if err := validPattern(s); err != nil {
			r.Stop(0)
			return nil, err
		}
		sub, err := conn.SubscribeRaw(s, r.handle, bus.WithDelivery(msg.Reliable), bus.WithQueueLen(o.QueueLen))
		if err != nil {
			r.Stop(0)
			return nil, fmt.Errorf("record: %w", err)
		}
		r.subs = append(r.subs, sub)
	}
	// The subscriptions are live on the server once the connection has flushed.
	if err := conn.Flush(); err != nil {
		r.Stop(0)
		return nil, fmt.Errorf("record: %w", err)
	}
	return r, nil
}

func validPattern(s string) error {
	if s == "" {
		return errors.New("record: empty subject pattern")
	}
	toks := strings.Split(s, ".")
	for i, t := range toks {
		if t == "" || (t == ">" && i != len(toks)-1) || (strings.ContainsAny(t, "*>") && len(t) > 1) {
			return fmt.Errorf("record: bad subject pattern %q (tokens separated by '.', '*' for one token, '>' last)", s)
		}
	}
	return nil
}

func (r *Recorder) skip(reason string, err error) {
	r.mu.Lock()
	r.stats.Skipped[reason]++
	r.mu.Unlock()
	if err != nil && r.opts.OnError != nil {
		r.opts.OnError(err)
	}
}

func (r *Recorder) handle(m bus.RawMsg) {
	typ := m.Type
	e, inCat := msg.Lookup(m.Subject)
	if !r.opts.All && (!inCat || !e.Recorded) {
		r.skip("not recorded by the catalogue", nil)
		return
	}
	if typ == "" {
		if !inCat || len(e.Types) != 1 {
			r.skip("no type header", fmt.Errorf("record: %s: message without an %s header", m.Subject, bus.TypeHeader))
			return
		}
		typ = string(e.Types[0])
	}
	stamp, err := Stamp(typ, m.Data)
	if err != nil {
		r.skip("undecodable", fmt.Errorf("record: %s: %w", m.Subject, err))
		return
	}
	logTime := m.Received.UnixNano()
	if stamp <= 0 {
		stamp = logTime
	}
	if err := r.w.Write(m.Subject, typ, m.Data, logTime, stamp); err != nil {
		r.skip("write failed", err)
		return
	}
	r.mu.Lock()
	r.stats.Messages++
	r.stats.Bytes += uint64(len(m.Data))
	r.stats.PerSubject[m.Subject]++
	r.mu.Unlock()
}

// Stats returns a copy of the counters.
func (r *Recorder) Stats() Stats {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.stats
	out.PerSubject = map[string]uint64{}
	out.Skipped = map[string]uint64{}
	for k, v := range r.stats.PerSubject {
		out.PerSubject[k] = v
	}
	for k, v := range r.stats.Skipped {
		out.Skipped[k] = v
	}
	for _, s := range r.subs {
		out.Lost += s.Stats().Overflows
	}
	return out
}

// Stop waits up to drain for queued messages to be written, then unsubscribes. It does not
// close the Writer.
func (r *Recorder) Stop(drain time.Duration) Stats {
	deadline := time.Now().Add(drain)
	for _, s := range r.subs {
		s.Drain(time.Until(deadline))
	}
	st := r.Stats()
	for _, s := range r.subs {
		_ = s.Close()
	}
	return st
}

// WriteProto writes a message the caller holds (an in-process producer such as the
// simulator): deterministic protobuf bytes, publish time = its stamp (logTime when it has none).
func WriteProto(w *mcapio.Writer, subject string, m proto.Message, logTime int64) error {
	data, err := proto.MarshalOptions{Deterministic: true}.Marshal(m)
	if err != nil {
		return fmt.Errorf("record: %s: %w", subject, err)
	}
	stamp := node.Stamp(m)
	if stamp <= 0 {
		stamp = logTime
	}
	return w.Write(subject, string(m.ProtoReflect().Descriptor().FullName()), data, logTime, stamp)
}

// ParseSize reads a byte count such as 500000, 64KiB, 100MB or 2GiB (KB/MB/GB are powers of
// 1000, KiB/MiB/GiB of 1024).
func ParseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	mult := int64(1)
	units := []struct {
		suf string
		m   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"B", 1}}
	for _, u := range units {
		if strings.HasSuffix(t, u.suf) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suf)), u.m
			break
		}
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("record: size %q: want a non-negative number with an optional unit (KB, MB, GB, KiB, MiB, GiB)", s)
	}
	return n * mult, nil
}

// SortedSubjects returns the keys of a per-subject count, sorted.
func SortedSubjects(m map[string]uint64) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Observer adapts a Writer to in-process producers that hand over every message they
// publish (the simulator's sim.Options.Observer): publish time = the message's stamp (log time
// when it has none). The hook cannot return errors, so the first one is kept for Err.
type Observer struct {
	w *mcapio.Writer

	mu  sync.Mutex
	err error
	n   uint64
}

// NewObserver returns an Observer writing to w.
func NewObserver(w *mcapio.Writer) *Observer { return &Observer{w: w} }

// Observe writes one message; its signature is sim.Observer's.
func (o *Observer) Observe(subject, typeName string, data []byte, logTime int64) {
	stamp, err := Stamp(typeName, data)
	if err == nil {
		if stamp <= 0 {
			stamp = logTime
		}
		err = o.w.Write(subject, typeName, data, logTime, stamp)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if err != nil {
		if o.err == nil {
			o.err = fmt.Errorf("record: %s: %w", subject, err)
		}
		return
	}
	o.n++
}

// Err is the first error Observe met (nil when every message was written).
func (o *Observer) Err() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.err
}

// Messages counts the messages written.
func (o *Observer) Messages() uint64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.n
}
