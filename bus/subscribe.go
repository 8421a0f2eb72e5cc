package bus

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/avstack/avstack/msg"
)

// DefaultQueueLen bounds a reliable subscription's queue.
const DefaultQueueLen = 1024

// RawMsg is a received message before decoding.
type RawMsg struct {
	Subject string
	// Type is the Av-Type header ("" when the publisher set none).
	Type     string
	Data     []byte
	Received time.Time
}

// Msg is a decoded message.
type Msg[T proto.Message] struct {
	Subject  string
	Value    T
	Received time.Time
	// Size of the encoded message in bytes.
	Size int
}

// Stats count what a subscription saw. All fields are totals since it started.
type Stats struct {
	Received  uint64 // messages the subscription got from NATS
	Delivered uint64 // messages passed to the handler
	Dropped   uint64 // latest-only: older messages replaced by newer ones before delivery
	Overflows uint64 // reliable: messages lost because the bounded queue was full
	Bad       uint64 // wrong type or undecodable
}

// SubOption configures a subscription.
type SubOption func(*subOptions)

type subOptions struct {
	delivery    msg.Delivery
	deliverySet bool
	queueLen    int
	queue       string
}

// WithDelivery picks latest-only or reliable; the default is the catalogue's for the subject
// (reliable for subjects outside it).
func WithDelivery(d msg.Delivery) SubOption {
	return func(o *subOptions) { o.delivery, o.deliverySet = d, true }
}

// WithQueueLen bounds a reliable subscription's queue (default DefaultQueueLen).
func WithQueueLen(n int) SubOption { return func(o *subOptions) { o.queueLen = n } }

// WithQueueGroup makes the subscription part of a NATS queue group (load sharing).
func WithQueueGroup(g string) SubOption { return func(o *subOptions) { o.queue = g } }

// Subscription delivers messages of one subject pattern to a handler on its own goroutine,
// one at a time, in arrival order.
type Subscription struct {
	conn     *Conn
	sub      *nats.Subscription
	subject  string
	delivery msg.Delivery
	queueLen int
	deliver  func(RawMsg) bool // false = bad message (already reported)

	mu      sync.Mutex
	cond    *sync.Cond
	pending []RawMsg
	closed  bool
	idle    bool
	done    chan struct{}

	received, delivered, dropped, overflows, bad atomic.Uint64
}

// Subject is the pattern the subscription listens on.
func (s *Subscription) Subject() string { return s.subject }

// Delivery is the subscription's delivery mode.
func (s *Subscription) Delivery() msg.Delivery { return s.delivery }

// Stats returns the counters.
func (s *Subscription) Stats() Stats {
	return Stats{
		Received:  s.received.Load(),
		Delivered: s.delivered.Load(),
		Dropped:   s.dropped.Load(),
		Overflows: s.overflows.Load(),
		Bad:       s.bad.Load(),
	}
}

// Close stops delivery; a handler that is running finishes first. Safe to call twice.
func (s *Subscription) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.cond.Broadcast()
	s.mu.Unlock()
	err := s.sub.Unsubscribe()
	<-s.done
	if err != nil && err != nats.ErrConnectionClosed {
		return fmt.Errorf("bus: unsubscribe %s: %w", s.subject, err)
	}
	return nil
}

// Drain waits until every message received so far has been handled, or the timeout passes.
func (s *Subscription) Drain(timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		s.mu.Lock()
		empty := len(s.pending) == 0 && s.idle
		s.mu.Unlock()
		if empty {
			return true
		}
		time.Sleep(200 * time.Microsecond)
	}
	return false
}

func (s *Subscription) enqueue(m *nats.Msg) {
	s.received.Add(1)
	rm := RawMsg{Subject: m.Subject, Data: m.Data, Received: time.Now()}
	if m.Header != nil {
		rm.Type = m.Header.Get(TypeHeader)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	if s.delivery == msg.LatestOnly {
		if len(s.pending) > 0 {
			s.dropped.Add(uint64(len(s.pending)))
			s.pending = s.pending[:0]
		}
	} else if len(s.pending) >= s.queueLen {
		s.overflows.Add(1)
		s.conn.onError(fmt.Errorf("bus: subject %s: reliable queue full (%d messages): message lost; the handler is too slow", m.Subject, s.queueLen))
		return
	}
	s.pending = append(s.pending, rm)
	s.cond.Signal()
}

func (s *Subscription) loop() {
	defer close(s.done)
	for {
		s.mu.Lock()
		for len(s.pending) == 0 && !s.closed {
			s.idle = true
			s.cond.Wait()
		}
		if s.closed {
			s.mu.Unlock()
			return
		}
		m := s.pending[0]
		s.pending[0] = RawMsg{}
		s.pending = s.pending[1:]
		if len(s.pending) == 0 {
			s.pending = s.pending[:0:0]
		}
		s.idle = false
		s.mu.Unlock()
		if s.deliver(m) {
			s.delivered.Add(1)
		} else {
			s.bad.Add(1)
		}
	}
}

func (c *Conn) subscribe(subject string, deliver func(RawMsg) bool, opts []SubOption) (*Subscription, error) {
	o := subOptions{queueLen: DefaultQueueLen, delivery: msg.Reliable}
	if e, ok := msg.Lookup(subject); ok {
		o.delivery = e.Delivery
	}
	for _, fn := range opts {
		fn(&o)
	}
	if o.queueLen <= 0 {
		return nil, fmt.Errorf("bus: subscribe %s: queue length %d must be positive", subject, o.queueLen)
	}
	s := &Subscription{conn: c, subject: subject, delivery: o.delivery, queueLen: o.queueLen, deliver: deliver, done: make(chan struct{}), idle: true}
	s.cond = sync.NewCond(&s.mu)
	var err error
	if o.queue != "" {
		s.sub, err = c.nc.QueueSubscribe(subject, o.queue, s.enqueue)
	} else {
		s.sub, err = c.nc.Subscribe(subject, s.enqueue)
	}
	if err != nil {
		return nil, fmt.Errorf("bus: subscribe %s: %w", subject, err)
	}
	// The bounded queue above is the limit that matters; keep NATS's own from firing first.
	_ = s.sub.SetPendingLimits(-1, -1)
	go s.loop()
	return s, nil
}

// SubscribeRaw delivers undecoded messages (recorder, bridges).
func (c *Conn) SubscribeRaw(subject string, handler func(RawMsg), opts ...SubOption) (*Subscription, error) {
	return c.subscribe(subject, func(m RawMsg) bool { handler(m); return true }, opts)
}

// Subscribe delivers messages of type T. Messages whose Av-Type names another type, or whose
// bytes do not decode as T, are counted as Bad and reported to the connection's error handler.
func Subscribe[T proto.Message](c *Conn, subject string, handler func(Msg[T]), opts ...SubOption) (*Subscription, error) {
	var zero T
	mt := zero.ProtoReflect().Type()
	want := mt.Descriptor().FullName()
	deliver := func(rm RawMsg) bool {
		v, err := decodeAs(mt, want, rm)
		if err != nil {
			c.onError(err)
			return false
		}
		handler(Msg[T]{Subject: rm.Subject, Value: v.(T), Received: rm.Received, Size: len(rm.Data)})
		return true
	}
	return c.subscribe(subject, deliver, opts)
}

func decodeAs(mt protoreflect.MessageType, want protoreflect.FullName, rm RawMsg) (proto.Message, error) {
	if rm.Type != "" && rm.Type != string(want) {
		return nil, fmt.Errorf("bus: subject %s: message of type %s, want %s (%d bytes dropped)", rm.Subject, rm.Type, want, len(rm.Data))
	}
	v := mt.New().Interface()
	if err := proto.Unmarshal(rm.Data, v); err != nil {
		return nil, fmt.Errorf("bus: subject %s: undecodable %s (%d bytes dropped): %w", rm.Subject, want, len(rm.Data), err)
	}
	return v, nil
}

// Decode turns a raw message into a registered protobuf message using its Av-Type header.
func Decode(rm RawMsg) (proto.Message, error) {
	if rm.Type == "" {
		return nil, fmt.Errorf("bus: subject %s: message has no %s header", rm.Subject, TypeHeader)
	}
	v, err := msg.NewMessage(protoreflect.FullName(rm.Type))
	if err != nil {
		return nil, fmt.Errorf("bus: subject %s: %w", rm.Subject, err)
	}
	if err := proto.Unmarshal(rm.Data, v); err != nil {
		return nil, fmt.Errorf("bus: subject %s: undecodable %s: %w", rm.Subject, rm.Type, err)
	}
	return v, nil
}
