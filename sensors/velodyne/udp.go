//go:build unix

package velodyne

import (
	"errors"
	"fmt"
	"net"
	"syscall"
)

// UDPReceiver receives data packets on a UDP socket without blocking, so a node core can
// drain it from its Step (see sensors/doc.go): Poll never waits.
type UDPReceiver struct {
	conn *net.UDPConn
	raw  syscall.RawConn
	buf  []byte
	// Counters: datagrams received, of which the wrong size (not 1206 bytes).
	Received, WrongSize int
}

// ListenUDP binds addr ("host:port"; ":2368" for all interfaces). A 4 MiB receive buffer
// holds about 3 s of VLP-16 packets.
func ListenUDP(addr string) (*UDPReceiver, error) {
	ua, err := net.ResolveUDPAddr("udp", addr)
	if err != nil {
		return nil, fmt.Errorf("velodyne: udp address %q: %w", addr, err)
	}
	c, err := net.ListenUDP("udp", ua)
	if err != nil {
		return nil, fmt.Errorf("velodyne: listen udp %s: %w", addr, err)
	}
	_ = c.SetReadBuffer(4 << 20)
	raw, err := c.SyscallConn()
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("velodyne: udp %s: %w", addr, err)
	}
	return &UDPReceiver{conn: c, raw: raw, buf: make([]byte, 65536)}, nil
}

// Addr is the bound address (useful with port 0).
func (u *UDPReceiver) Addr() *net.UDPAddr { return u.conn.LocalAddr().(*net.UDPAddr) }

// Poll returns the next datagram's payload if one is waiting (valid until the next call),
// or ok = false when none is.
func (u *UDPReceiver) Poll() (payload []byte, ok bool, err error) {
	var n int
	var rerr error
	cerr := u.raw.Read(func(fd uintptr) bool {
		n, _, rerr = syscall.Recvfrom(int(fd), u.buf, syscall.MSG_DONTWAIT)
		return true
	})
	if cerr != nil {
		return nil, false, fmt.Errorf("velodyne: udp %s: %w", u.Addr(), cerr)
	}
	if rerr != nil {
		if errors.Is(rerr, syscall.EAGAIN) || errors.Is(rerr, syscall.EWOULDBLOCK) || errors.Is(rerr, syscall.EINTR) {
			return nil, false, nil
		}
		return nil, false, fmt.Errorf("velodyne: udp %s: %w", u.Addr(), rerr)
	}
	u.Received++
	if n != PacketSize {
		u.WrongSize++
	}
	return u.buf[:n], true, nil
}

// Close closes the socket.
func (u *UDPReceiver) Close() error { return u.conn.Close() }
