package bus

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// DefaultMaxPayload is the embedded server's message size limit: room for raw camera frames.
const DefaultMaxPayload = 8 << 20

// ServerOptions configure an embedded NATS server.
type ServerOptions struct {
	// Listen enables TCP. Without it the server accepts in-process connections only.
	Listen bool
	// Host to bind when listening (default 127.0.0.1).
	Host string
	// Port to bind when listening; 0 or -1 picks a free port.
	Port int
	// MaxPayload in bytes (default DefaultMaxPayload; NATS caps it at 64 MiB).
	MaxPayload int
	// JetStream enables persistence, off unless asked; StoreDir is where it keeps data.
	JetStream bool
	StoreDir  string
	// ReadyTimeout bounds the wait for the server to accept connections (default 5 s).
	ReadyTimeout time.Duration
	// Debug logs the server's own messages to stderr.
	Debug bool
}

// Server is an embedded nats-server.
type Server struct {
	ns   *server.Server
	opts ServerOptions
}

// StartServer starts an embedded server and waits until it accepts connections.
func StartServer(o ServerOptions) (*Server, error) {
	if o.MaxPayload == 0 {
		o.MaxPayload = DefaultMaxPayload
	}
	if o.MaxPayload < 0 || o.MaxPayload > 64<<20 {
		return nil, fmt.Errorf("bus: max_payload %d out of range (1 B .. 64 MiB)", o.MaxPayload)
	}
	if o.ReadyTimeout == 0 {
		o.ReadyTimeout = 5 * time.Second
	}
	if o.Host == "" {
		o.Host = "127.0.0.1"
	}
	opts := &server.Options{
		ServerName: "avstack",
		Host:       o.Host,
		MaxPayload: int32(o.MaxPayload),
		NoSigs:     true,
		NoLog:      !o.Debug,
		JetStream:  o.JetStream,
		StoreDir:   o.StoreDir,
		// Raw frames queue up quickly; give slow clients room before the server cuts them off.
		MaxPending: 256 << 20,
	}
	if o.Listen {
		opts.Port = o.Port
		if opts.Port == 0 {
			opts.Port = server.RANDOM_PORT
		}
	} else {
		opts.DontListen = true
	}
	ns, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("bus: embedded server: %w", err)
	}
	if o.Debug {
		ns.ConfigureLogger()
	}
	go ns.Start()
	if !ns.ReadyForConnections(o.ReadyTimeout) {
		ns.Shutdown()
		return nil, errors.New("bus: embedded server not ready within " + o.ReadyTimeout.String())
	}
	return &Server{ns: ns, opts: o}, nil
}

// URL is the client URL of a listening server ("" for an in-process-only one).
func (s *Server) URL() string {
	if !s.opts.Listen {
		return ""
	}
	addr, ok := s.ns.Addr().(*net.TCPAddr)
	if !ok {
		return ""
	}
	return "nats://" + net.JoinHostPort(s.opts.Host, strconv.Itoa(addr.Port))
}

// NATS is the underlying server, for what this package does not wrap.
func (s *Server) NATS() *server.Server { return s.ns }

// Shutdown stops the server and waits for it to finish. It is safe to call twice.
func (s *Server) Shutdown() {
	if s == nil || s.ns == nil {
		return
	}
	s.ns.Shutdown()
	s.ns.WaitForShutdown()
}
