package velodyne

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"os"
)

// Classic libpcap link types handled by PcapReader.
const (
	linkNull     = 0
	linkEthernet = 1
	linkRaw      = 101
	linkLinuxSLL = 113
)

// maxRecord bounds a record's captured length; anything larger is garbage and ends the file
// (record boundaries cannot be recovered once a length is wrong).
const maxRecord = 256 << 10

// PcapStats counts what a PcapReader saw.
type PcapStats struct {
	Records int // records read
	UDP     int // UDP datagrams returned (after the port filter)
	// Skipped records, by reason.
	NotIP, NotUDP, Fragment, Truncated, OtherPort int
}

// Skipped is the number of records not returned.
func (s PcapStats) Skipped() int { return s.NotIP + s.NotUDP + s.Fragment + s.Truncated + s.OtherPort }

// Datagram is one UDP payload of a capture.
type Datagram struct {
	// TimeNs is the record's capture time (Unix ns).
	TimeNs           int64
	SrcPort, DstPort uint16
	Payload          []byte
}

// PcapReader reads UDP datagrams from a classic libpcap file (microsecond or nanosecond
// magic, either byte order; Ethernet with optional 802.1Q tags, raw IP, Linux SLL, BSD null).
// Records that are not IPv4/UDP, are fragments, are truncated or go to another port are
// counted in Stats and skipped.
type PcapReader struct {
	name  string
	r     *bufio.Reader
	c     io.Closer
	order binary.ByteOrder
	nano  bool
	link  uint32
	snap  uint32
	// Port keeps only datagrams to this destination port; 0 keeps all.
	Port  uint16
	Stats PcapStats
	off   int64
	buf   []byte
}

// OpenPcap opens a capture file.
func OpenPcap(path string) (*PcapReader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("velodyne: pcap: %w", err)
	}
	r, err := NewPcapReader(path, f)
	if err != nil {
		f.Close()
		return nil, err
	}
	r.c = f
	return r, nil
}

// NewPcapReader reads a capture from r; name is used in errors.
func NewPcapReader(name string, r io.Reader) (*PcapReader, error) {
	p := &PcapReader{name: name, r: bufio.NewReaderSize(r, 1<<16), Port: DataPort}
	var h [24]byte
	if _, err := io.ReadFull(p.r, h[:]); err != nil {
		return nil, fmt.Errorf("velodyne: %s: pcap header: %w", name, err)
	}
	switch {
	case binary.LittleEndian.Uint32(h[:]) == 0xa1b2c3d4:
		p.order = binary.LittleEndian
	case binary.BigEndian.Uint32(h[:]) == 0xa1b2c3d4:
		p.order = binary.BigEndian
	case binary.LittleEndian.Uint32(h[:]) == 0xa1b23c4d:
		p.order, p.nano = binary.LittleEndian, true
	case binary.BigEndian.Uint32(h[:]) == 0xa1b23c4d:
		p.order, p.nano = binary.BigEndian, true
	default:
		return nil, fmt.Errorf("velodyne: %s: not a classic pcap file (magic % x; pcapng is not supported)", name, h[:4])
	}
	if major := p.order.Uint16(h[4:]); major != 2 {
		return nil, fmt.Errorf("velodyne: %s: pcap version %d.%d, want 2.x", name, major, p.order.Uint16(h[6:]))
	}
	p.snap = p.order.Uint32(h[16:])
	p.link = p.order.Uint32(h[20:]) & 0x0fffffff
	switch p.link {
	case linkNull, linkEthernet, linkRaw, linkLinuxSLL:
	default:
		return nil, fmt.Errorf("velodyne: %s: pcap link type %d not supported (want Ethernet, raw IP, Linux SLL or null)", name, p.link)
	}
	p.off = 24
	return p, nil
}

// Close closes the file (if OpenPcap opened it).
func (p *PcapReader) Close() error {
	if p.c != nil {
		err := p.c.Close()
		p.c = nil
		return err
	}
	return nil
}

// Next returns the next UDP datagram. The payload is valid until the next call. It returns
// io.EOF at the end; a torn last record is counted as Truncated and ends the file cleanly; a
// record header with an impossible length is an error naming the offset.
func (p *PcapReader) Next() (Datagram, error) {
	for {
		var h [16]byte
		_, err := io.ReadFull(p.r, h[:])
		if err == io.EOF {
			return Datagram{}, io.EOF
		}
		if err != nil {
			p.Stats.Records++
			p.Stats.Truncated++
			return Datagram{}, io.EOF
		}
		incl := p.order.Uint32(h[8:])
		if incl > maxRecord || (p.snap > 0 && incl > p.snap && incl > 65535) {
			return Datagram{}, fmt.Errorf("velodyne: %s: pcap record %d at offset %d: captured length %d is impossible (snaplen %d)", p.name, p.Stats.Records+1, p.off, incl, p.snap)
		}
		if cap(p.buf) < int(incl) {
			p.buf = make([]byte, incl)
		}
		p.buf = p.buf[:incl]
		p.Stats.Records++
		if _, err := io.ReadFull(p.r, p.buf); err != nil {
			p.Stats.Truncated++
			return Datagram{}, io.EOF
		}
		p.off += 16 + int64(incl)
		sec := int64(p.order.Uint32(h[0:]))
		frac := int64(p.order.Uint32(h[4:]))
		if !p.nano {
			frac *= 1000
		}
		d, ok := p.udp(p.buf)
		if !ok {
			continue
		}
		d.TimeNs = sec*1e9 + frac
		return d, nil
	}
}

// udp extracts the UDP payload of one record, counting why it was skipped when it is not one.
func (p *PcapReader) udp(b []byte) (Datagram, bool) {
	var ip []byte
	switch p.link {
	case linkEthernet:
		if len(b) < 14 {
			p.Stats.Truncated++
			return Datagram{}, false
		}
		et := binary.BigEndian.Uint16(b[12:])
		b = b[14:]
		for et == 0x8100 || et == 0x88a8 { // VLAN tags
			if len(b) < 4 {
				p.Stats.Truncated++
				return Datagram{}, false
			}
			et = binary.BigEndian.Uint16(b[2:])
			b = b[4:]
		}
		if et != 0x0800 {
			p.Stats.NotIP++
			return Datagram{}, false
		}
		ip = b
	case linkLinuxSLL:
		if len(b) < 16 {
			p.Stats.Truncated++
			return Datagram{}, false
		}
		if binary.BigEndian.Uint16(b[14:]) != 0x0800 {
			p.Stats.NotIP++
			return Datagram{}, false
		}
		ip = b[16:]
	case linkNull:
		if len(b) < 4 {
			p.Stats.Truncated++
			return Datagram{}, false
		}
		ip = b[4:]
	default:
		ip = b
	}
	if len(ip) < 20 {
		p.Stats.Truncated++
		return Datagram{}, false
	}
	if ip[0]>>4 != 4 {
		p.Stats.NotIP++
		return Datagram{}, false
	}
	ihl := int(ip[0]&0x0f) * 4
	total := int(binary.BigEndian.Uint16(ip[2:]))
	if ihl < 20 || total < ihl {
		p.Stats.NotIP++
		return Datagram{}, false
	}
	if ip[9] != 17 {
		p.Stats.NotUDP++
		return Datagram{}, false
	}
	if fl := binary.BigEndian.Uint16(ip[6:]); fl&0x3fff != 0 { // MF set or offset != 0
		p.Stats.Fragment++
		return Datagram{}, false
	}
	if len(ip) < total || total < ihl+8 {
		p.Stats.Truncated++
		return Datagram{}, false
	}
	u := ip[ihl:total]
	ulen := int(binary.BigEndian.Uint16(u[4:]))
	if ulen < 8 || ulen > len(u) {
		p.Stats.Truncated++
		return Datagram{}, false
	}
	d := Datagram{SrcPort: binary.BigEndian.Uint16(u[0:]), DstPort: binary.BigEndian.Uint16(u[2:]), Payload: u[8:ulen]}
	if p.Port != 0 && d.DstPort != p.Port {
		p.Stats.OtherPort++
		return Datagram{}, false
	}
	p.Stats.UDP++
	return d, true
}
