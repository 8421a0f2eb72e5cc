package bus

import (
	"errors"
	"fmt"
	"log"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"google.golang.org/protobuf/proto"

	"github.com/avstack/avstack/msg"
)

// TypeHeader carries the protobuf full name of every message the bus publishes.
const TypeHeader = "Av-Type"

// ConnectOptions configure a client connection. The YAML of configs/vehicle.yaml maps onto it.
type ConnectOptions struct {
	URL  string `yaml:"url"`
	Name string `yaml:"name"`
	// CredsFile is a NATS .creds file (JWT + nkey seed).
	CredsFile string `yaml:"creds_file"`
	// TLS: CA to trust, and a client certificate and key for mutual TLS.
	TLSCAFile   string `yaml:"tls_ca_file"`
	TLSCertFile string `yaml:"tls_cert_file"`
	TLSKeyFile  string `yaml:"tls_key_file"`
	// Reconnect with exponential backoff from ReconnectWait up to MaxReconnectWait; MaxReconnects
	// < 0 retries for ever (the default for a vehicle: the server may restart).
	ReconnectWait    time.Duration `yaml:"reconnect_wait"`
	MaxReconnectWait time.Duration `yaml:"max_reconnect_wait"`
	MaxReconnects    int           `yaml:"max_reconnects"`
	// Timeout of the first connection attempt.
	Timeout time.Duration `yaml:"timeout"`
	// OnError receives asynchronous errors (bad messages, queue overflows, slow consumers).
	// The default logs them.
	OnError func(error) `yaml:"-"`
}

// Conn is a connection to the bus.
type Conn struct {
	nc      *nats.Conn
	onError func(error)
	closeMu sync.Mutex
	closed  bool
}

func (o *ConnectOptions) natsOptions() []nats.Option {
	wait := o.ReconnectWait
	if wait <= 0 {
		wait = 100 * time.Millisecond
	}
	maxWait := o.MaxReconnectWait
	if maxWait <= 0 {
		maxWait = 5 * time.Second
	}
	maxRe := o.MaxReconnects
	if maxRe == 0 {
		maxRe = -1
	}
	timeout := o.Timeout
	if timeout <= 0 {
		timeout = 2 * time.Second
	}
	opts := []nats.Option{
		nats.Name(o.Name),
		nats.Timeout(timeout),
		nats.MaxReconnects(maxRe),
		nats.CustomReconnectDelay(func(attempts int) time.Duration {
			d := wait
			for i := 1; i < attempts && d < maxWait; i++ {
				d *= 2
			}
			if d > maxWait {
				d = maxWait
			}
			return d
		}),
		// Large frames: let the client buffer generously before it declares itself slow.
		nats.SyncQueueLen(1024),
		nats.WriteBufferSize(16 << 20),
	}
	if o.CredsFile != "" {
		opts = append(opts, nats.UserCredentials(o.CredsFile))
	}
	if o.TLSCAFile != "" {
		opts = append(opts, nats.RootCAs(o.TLSCAFile))
	}
	if o.TLSCertFile != "" || o.TLSKeyFile != "" {
		opts = append(opts, nats.ClientCert(o.TLSCertFile, o.TLSKeyFile))
	}
	return opts
}

func newConn(nc *nats.Conn, onError func(error)) *Conn {
	if onError == nil {
		onError = func(err error) { log.Print(err) }
	}
	c := &Conn{nc: nc, onError: onError}
	nc.SetErrorHandler(func(_ *nats.Conn, s *nats.Subscription, err error) {
		if s != nil {
			err = fmt.Errorf("bus: subject %s: %w", s.Subject, err)
		} else {
			err = fmt.Errorf("bus: %w", err)
		}
		c.onError(err)
	})
	return c
}

// Connect dials a NATS server. An unreachable server is a clear error naming the URL.
func Connect(o ConnectOptions) (*Conn, error) {
	if o.URL == "" {
		o.URL = nats.DefaultURL
	}
	nc, err := nats.Connect(o.URL, o.natsOptions()...)
	if err != nil {
		if errors.Is(err, nats.ErrNoServers) {
			return nil, fmt.Errorf("bus: no NATS server reachable at %s (is nats-server or `avstack run` up?): %w", o.URL, err)
		}
		return nil, fmt.Errorf("bus: connect %s: %w", o.URL, err)
	}
	return newConn(nc, o.OnError), nil
}

// ConnectInProcess connects to an embedded server without a socket.
func ConnectInProcess(s *Server, name string, onError ...func(error)) (*Conn, error) {
	o := ConnectOptions{Name: name}
	if len(onError) > 0 {
		o.OnError = onError[0]
	}
	nc, err := nats.Connect("", append(o.natsOptions(), nats.InProcessServer(s.ns))...)
	if err != nil {
		return nil, fmt.Errorf("bus: in-process connect: %w", err)
	}
	return newConn(nc, o.OnError), nil
}

// NATS returns the underlying connection, for what this package does not wrap.
func (c *Conn) NATS() *nats.Conn { return c.nc }

// Close drains nothing and closes the connection; safe to call twice.
func (c *Conn) Close() {
	c.closeMu.Lock()
	defer c.closeMu.Unlock()
	if c.closed {
		return
	}
	c.closed = true
	c.nc.Close()
}

// Flush waits until the server has processed everything published so far.
func (c *Conn) Flush() error { return c.nc.Flush() }

// MaxPayload is the server's message size limit.
func (c *Conn) MaxPayload() int64 { return c.nc.MaxPayload() }

// Publish sends a protobuf message. Subjects in the catalogue must get one of their types.
func (c *Conn) Publish(subject string, m proto.Message) error {
	name := m.ProtoReflect().Descriptor().FullName()
	if e, ok := msg.Lookup(subject); ok && !e.Allows(name) {
		return fmt.Errorf("bus: publish %s: type %s not allowed (catalogue: %v)", subject, name, e.Types)
	}
	data, err := proto.MarshalOptions{Deterministic: true}.Marshal(m)
	if err != nil {
		return fmt.Errorf("bus: publish %s: marshal %s: %w", subject, name, err)
	}
	return c.PublishRaw(subject, string(name), data)
}

// PublishRaw sends already-encoded bytes of the named type (the player uses it).
func (c *Conn) PublishRaw(subject, typeName string, data []byte) error {
	if max := c.nc.MaxPayload(); max > 0 && int64(len(data)) > max {
		return fmt.Errorf("bus: publish %s: %d bytes exceeds the server's max_payload %d", subject, len(data), max)
	}
	nm := &nats.Msg{Subject: subject, Data: data, Header: nats.Header{TypeHeader: []string{typeName}}}
	if err := c.nc.PublishMsg(nm); err != nil {
		return fmt.Errorf("bus: publish %s: %w", subject, err)
	}
	return nil
}
