package velodyne

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

// FuzzParse: any byte string either parses or returns an error; decoding a parsed packet
// never panics and yields finite points.
func FuzzParse(f *testing.F) {
	f.Add(synthPacket(35990, 3599999999, 1))
	f.Add(make([]byte, PacketSize))
	f.Add([]byte{0xff, 0xee})
	f.Fuzz(func(t *testing.T, b []byte) {
		var p Packet
		if err := Parse(b, &p); err != nil {
			return
		}
		for _, m := range []*Model{VLP16, HDL32E} {
			for _, ret := range []string{"", "last", "strongest"} {
				d := Decoder{Model: m, Returns: ret, VertOffsets: true}
				pts := d.Decode(&p, 1<<60, nil)
				a := Assembler{Cut: 9000, MaxPoints: 100}
				a.Add(pts)
				for _, q := range pts {
					if q.Azimuth < 0 || q.Azimuth >= 36000 || q.Range <= 0 {
						t.Fatalf("bad point %+v", q)
					}
				}
			}
		}
	})
}

// FuzzPcap: any byte string read as a pcap ends with EOF or an error, never a panic, and the
// counters add up.
func FuzzPcap(f *testing.F) {
	pkt := synthPacket(0, 5, 100)
	f.Add(pcapFile(ethUDP(2368, pkt, 17), ethUDP(2368, pkt[:20], 17)))
	f.Add(pcapFile([]byte{1, 2, 3}))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := NewPcapReader("fuzz", bytes.NewReader(b))
		if err != nil {
			return
		}
		r.Port = 0
		n := 0
		for {
			d, err := r.Next()
			if errors.Is(err, io.EOF) || err != nil {
				break
			}
			n++
			var p Packet
			_ = Parse(d.Payload, &p)
		}
		if n != r.Stats.UDP || r.Stats.UDP+r.Stats.Skipped() > r.Stats.Records {
			t.Fatalf("counts: %d returned, stats %+v", n, r.Stats)
		}
	})
}
