package lidar

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/avstack/avstack/sensors/velodyne"
)

type udpSource struct{ u *velodyne.UDPReceiver }

func (s *udpSource) next() ([]byte, int64, error) {
	b, ok, err := s.u.Poll()
	if err != nil {
		return nil, 0, err
	}
	if !ok {
		return nil, 0, errNone
	}
	return b, 0, nil
}
func (s *udpSource) rewind() error { return errors.New("lidar: a socket cannot rewind") }
func (s *udpSource) close() error  { return s.u.Close() }
func (s *udpSource) stats() string {
	return fmt.Sprintf("udp %s: %d datagrams, %d not 1206 bytes", s.u.Addr(), s.u.Received, s.u.WrongSize)
}

type pcapSource struct {
	path string
	port uint16
	r    *velodyne.PcapReader
	// lastErr is a framing error that ended the file (reported in stats).
	lastErr error
}

func openPcap(path string, port uint16) (*pcapSource, error) {
	s := &pcapSource{path: path, port: port}
	return s, s.rewind()
}

func (s *pcapSource) next() ([]byte, int64, error) {
	d, err := s.r.Next()
	if err != nil && !errors.Is(err, io.EOF) {
		// Framing is lost: the rest of the file cannot be read; count it and end.
		s.lastErr = err
		return nil, 0, io.EOF
	}
	if err != nil {
		return nil, 0, err
	}
	return d.Payload, d.TimeNs, nil
}

func (s *pcapSource) rewind() error {
	if s.r != nil {
		s.r.Close()
	}
	r, err := velodyne.OpenPcap(s.path)
	if err != nil {
		return err
	}
	r.Port = s.port
	s.r = r
	return nil
}
func (s *pcapSource) close() error { return s.r.Close() }
func (s *pcapSource) stats() string {
	st := fmt.Sprintf("pcap %s: %+v", s.path, s.r.Stats)
	if s.lastErr != nil {
		st += "; " + s.lastErr.Error()
	}
	return st
}

// rawSource reads back-to-back payloads; a packet's host time is its own timestamp,
// unwrapped across hours (a raw file has no capture clock).
type rawSource struct {
	path   string
	r      *velodyne.RawReader
	t      int64
	lastTs uint32
	first  bool
}

func openRaw(path string) (*rawSource, error) {
	r, err := velodyne.OpenRaw(path)
	if err != nil {
		return nil, err
	}
	return &rawSource{path: path, r: r, first: true}, nil
}

func (s *rawSource) next() ([]byte, int64, error) {
	b, err := s.r.Next()
	if err != nil {
		return nil, 0, err
	}
	ts := binary.LittleEndian.Uint32(b[1200:])
	if ts >= 3600e6 { // not a valid packet; Parse will count it
		return b, s.t + 1, nil
	}
	if s.first {
		s.t, s.first = int64(ts)*1000+1, false // +1: never 0, which means "now"
	} else {
		d := (int64(ts) - int64(s.lastTs) + 3600e6) % 3600e6
		s.t += d * 1000
	}
	s.lastTs = ts
	return b, s.t, nil
}

func (s *rawSource) rewind() error { s.first = true; return s.r.Rewind() }
func (s *rawSource) close() error  { return s.r.Close() }
func (s *rawSource) stats() string {
	return fmt.Sprintf("raw %s: %d packets, %d torn", s.path, s.r.Packets, s.r.Truncated)
}
