package velodyne

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"testing"
	"time"
)

// synthPacket builds a valid single-return VLP-16 packet whose block b has azimuth az0+40*b
// and every channel distance dist.
func synthPacket(az0 int, ts uint32, dist uint16) []byte {
	b := make([]byte, PacketSize)
	for i := 0; i < BlocksPerPacket; i++ {
		o := i * 100
		binary.LittleEndian.PutUint16(b[o:], FlagUpper)
		binary.LittleEndian.PutUint16(b[o+2:], uint16((az0+40*i)%36000))
		for c := 0; c < 32; c++ {
			binary.LittleEndian.PutUint16(b[o+4+3*c:], dist)
			b[o+6+3*c] = byte(c)
		}
	}
	binary.LittleEndian.PutUint32(b[1200:], ts)
	b[1204], b[1205] = byte(ReturnStrongest), byte(ProductVLP16)
	return b
}

func TestParseRejects(t *testing.T) {
	good := synthPacket(100, 1000, 500)
	mod := func(f func(b []byte)) []byte { b := append([]byte(nil), good...); f(b); return b }
	cases := []struct {
		name string
		b    []byte
		want error
	}{
		{"good", good, nil},
		{"truncated", good[:1205], ErrSize},
		{"empty", nil, ErrSize},
		{"too long", append(append([]byte(nil), good...), 0), ErrSize},
		{"wrong flag block 5", mod(func(b []byte) { b[500] = 0xDD }), ErrFlag},
		{"HDL-64 lower bank flag", mod(func(b []byte) { binary.LittleEndian.PutUint16(b[0:], 0xDDFF) }), ErrFlag},
		{"azimuth 36000", mod(func(b []byte) { binary.LittleEndian.PutUint16(b[202:], 36000) }), ErrAzimuth},
		{"timestamp past hour", mod(func(b []byte) { binary.LittleEndian.PutUint32(b[1200:], 3600e6) }), ErrTimestamp},
		{"mode byte", mod(func(b []byte) { b[1204] = 0x40 }), ErrMode},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var p Packet
			err := Parse(c.b, &p)
			if !errors.Is(err, c.want) {
				t.Fatalf("Parse: %v, want %v", err, c.want)
			}
		})
	}
}

func TestPacketTimeHour(t *testing.T) {
	const h = int64(3600e9)
	cases := []struct {
		name string
		ts   uint32
		host int64
		want int64
	}{
		{"same hour", 1e6, 100*h + 2e9, 100*h + 1e9},
		{"packet from end of previous hour", 3599.9e6, 100*h + 0.1e9, 99*h + 3599.9e9},
		{"host late, packet wrapped into next hour", 0.1e6, 100*h + 3599.95e9, 101*h + 0.1e9},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := PacketTime(c.ts, c.host); got != c.want {
				t.Fatalf("PacketTime = %d, want %d", got, c.want)
			}
		})
	}
}

func TestDualReturns(t *testing.T) {
	b := synthPacket(0, 0, 500)
	b[1204] = byte(ReturnDual)
	for i := 0; i < 12; i++ { // pairs share an azimuth
		binary.LittleEndian.PutUint16(b[i*100+2:], uint16(40*(i/2)))
		for c := 0; c < 32; c++ {
			if i%2 == 1 {
				binary.LittleEndian.PutUint16(b[i*100+4+3*c:], 400) // strongest nearer
				b[i*100+6+3*c] = 200
			}
		}
	}
	var p Packet
	if err := Parse(b, &p); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		returns string
		n       int
		rng     float32
	}{
		{"dual", 384, 0}, {"last", 192, 1.0}, {"strongest", 192, 0.8},
	}
	for _, c := range cases {
		t.Run(c.returns, func(t *testing.T) {
			d := Decoder{Model: VLP16, Returns: c.returns}
			pts := d.Decode(&p, 0, nil)
			if len(pts) != c.n {
				t.Fatalf("%d points, want %d", len(pts), c.n)
			}
			for _, q := range pts {
				if c.rng != 0 && q.Range != c.rng {
					t.Fatalf("range %v, want %v", q.Range, c.rng)
				}
			}
			// Pair (2,3) fires at sequences 2,3: laser 0 of block 2 is 2*55.296 us after the packet.
			for _, q := range pts {
				if q.Laser == 0 && q.Azimuth == 40 && q.Return == 1 {
					if q.TimeNs != int64(math.Round(2*55296)) {
						t.Fatalf("block 2 laser 0 time %d ns, want 110592", q.TimeNs)
					}
				}
			}
		})
	}
}

func TestHDL32EGeometry(t *testing.T) {
	b := synthPacket(9000, 0, 5000) // azimuth 90 deg: Velodyne x (right) -> our -y
	var p Packet
	if err := Parse(b, &p); err != nil {
		t.Fatal(err)
	}
	d := Decoder{Model: HDL32E}
	pts := d.Decode(&p, 0, nil)
	if len(pts) != 384 {
		t.Fatalf("%d points", len(pts))
	}
	q := pts[15] // block 0 laser 15: elevation 0
	// Laser 15 fires 15*1.152 us into the 46.08 us block: azimuth 90 + 0.40*15/40 = 90.15 deg.
	if q.Azimuth != 9015 {
		t.Errorf("azimuth %v, want 9015", q.Azimuth)
	}
	wx, wy := 10*math.Cos(90.15*math.Pi/180), -10*math.Sin(90.15*math.Pi/180)
	if math.Abs(float64(q.Y)-wy) > 1e-5 || math.Abs(float64(q.X)-wx) > 1e-5 || math.Abs(float64(q.Z)) > 1e-6 {
		t.Errorf("laser 15 at az 90.15: %+v, want (%.5f,%.5f,0)", q, wx, wy)
	}
	if q.Ring != 23 { // 23 lasers point below 0 degrees
		t.Errorf("ring of the 0-degree laser = %d, want 23", q.Ring)
	}
	if q.TimeNs != int64(math.Round(15*1152)) {
		t.Errorf("time %d", q.TimeNs)
	}
	q = pts[32+0] // block 1 laser 0
	if q.TimeNs != 46080 {
		t.Errorf("block 1 time %d, want 46080", q.TimeNs)
	}
}

// TestRevolutions assembles the einride recording and checks each full revolution covers
// 360 degrees once, in time order, with the expected size.
func TestRevolutions(t *testing.T) {
	pl, _ := payloads(t, testdata(t, "lidar/vlp16/einride-recording.bin"))
	for _, cut := range []float64{0, 18000} {
		revs := assembleAll(t, pl, cut)
		full := 0
		for i, r := range revs {
			if r.Partial {
				continue
			}
			full++
			// Each revolution starts just past the cut and ends just before it.
			a := Assembler{Cut: cut}
			first, last := a.dist(r.Points[0].Azimuth), a.dist(r.Points[len(r.Points)-1].Azimuth)
			if first > 100 || last < 35900 {
				t.Errorf("cut %v rev %d spans %.0f..%.0f centideg past the cut", cut, i, first, last)
			}
			for j := 1; j < len(r.Points); j++ {
				if r.Points[j].TimeNs < r.Points[j-1].TimeNs {
					t.Fatalf("rev %d: time goes back at point %d", i, j)
				}
			}
			if d := r.Points[len(r.Points)-1].TimeNs - r.StampNs; d < 95e6 || d > 105e6 {
				t.Errorf("rev %d lasts %d ns, want about 100 ms at 10 Hz", i, d)
			}
		}
		t.Logf("cut %.0f: %d revolutions (%d full)", cut/100, len(revs), full)
		if full < 11 {
			t.Errorf("cut %v: %d full revolutions in 1000 packets (1.33 s at 10 Hz), want >= 11", cut, full)
		}
	}
}

func assembleAll(t testing.TB, pl [][]byte, cut float64) []Revolution {
	dec := Decoder{Model: VLP16}
	asm := Assembler{Cut: cut}
	var revs []Revolution
	var p Packet
	var pts []Point
	for _, b := range pl {
		if err := Parse(b, &p); err != nil {
			t.Fatal(err)
		}
		pts = dec.Decode(&p, 0, pts[:0])
		revs = append(revs, asm.Add(pts)...)
	}
	if r, ok := asm.Flush(); ok {
		revs = append(revs, r)
	}
	return revs
}

// pcapFile builds a classic pcap in memory from records (link type Ethernet).
func pcapFile(records ...[]byte) []byte {
	var buf bytes.Buffer
	h := make([]byte, 24)
	binary.LittleEndian.PutUint32(h[0:], 0xa1b2c3d4)
	binary.LittleEndian.PutUint16(h[4:], 2)
	binary.LittleEndian.PutUint16(h[6:], 4)
	binary.LittleEndian.PutUint32(h[16:], 65535)
	binary.LittleEndian.PutUint32(h[20:], 1)
	buf.Write(h)
	for i, r := range records {
		rh := make([]byte, 16)
		binary.LittleEndian.PutUint32(rh[0:], uint32(1000+i))
		binary.LittleEndian.PutUint32(rh[8:], uint32(len(r)))
		binary.LittleEndian.PutUint32(rh[12:], uint32(len(r)))
		buf.Write(rh)
		buf.Write(r)
	}
	return buf.Bytes()
}

func ethUDP(port uint16, payload []byte, proto byte) []byte {
	b := make([]byte, 14+20+8+len(payload))
	binary.BigEndian.PutUint16(b[12:], 0x0800)
	ip := b[14:]
	ip[0] = 0x45
	binary.BigEndian.PutUint16(ip[2:], uint16(20+8+len(payload)))
	ip[9] = proto
	u := ip[20:]
	binary.BigEndian.PutUint16(u[0:], 2368)
	binary.BigEndian.PutUint16(u[2:], port)
	binary.BigEndian.PutUint16(u[4:], uint16(8+len(payload)))
	copy(u[8:], payload)
	return b
}

func TestPcapSkipsGarbage(t *testing.T) {
	pkt := synthPacket(0, 5, 100)
	arp := make([]byte, 42)
	binary.BigEndian.PutUint16(arp[12:], 0x0806)
	frag := ethUDP(2368, pkt, 17)
	binary.BigEndian.PutUint16(frag[14+6:], 0x2000) // more fragments
	torn := ethUDP(2368, pkt, 17)[:600]
	file := pcapFile(ethUDP(2368, pkt, 17), arp, ethUDP(8308, make([]byte, 512), 17), ethUDP(2368, pkt, 6), frag, torn, []byte{1, 2, 3}, ethUDP(2368, pkt[:100], 17), ethUDP(2368, pkt, 17))
	r, err := NewPcapReader("mem.pcap", bytes.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	var got []Datagram
	for {
		d, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, Datagram{TimeNs: d.TimeNs, Payload: append([]byte(nil), d.Payload...)})
	}
	want := PcapStats{Records: 9, UDP: 3, NotIP: 1, NotUDP: 1, Fragment: 1, Truncated: 2, OtherPort: 1}
	if r.Stats != want {
		t.Errorf("stats %+v, want %+v", r.Stats, want)
	}
	if len(got) != 3 || got[0].TimeNs != 1000e9 || !bytes.Equal(got[0].Payload, pkt) || len(got[1].Payload) != 100 {
		t.Errorf("got %d datagrams", len(got))
	}
	// The short payload is a datagram but not a packet: Parse rejects it.
	var p Packet
	if err := Parse(got[1].Payload, &p); !errors.Is(err, ErrSize) {
		t.Errorf("short payload: %v", err)
	}

	// A record length that cannot be right ends the file with an error naming the offset.
	bad := pcapFile(ethUDP(2368, pkt, 17))
	bad = append(bad, make([]byte, 16)...)
	binary.LittleEndian.PutUint32(bad[len(bad)-8:], 1<<30)
	r, _ = NewPcapReader("bad.pcap", bytes.NewReader(bad))
	if _, err := r.Next(); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Next(); err == nil || !bytes.Contains([]byte(err.Error()), []byte("bad.pcap: pcap record 2 at offset 1288")) {
		t.Errorf("impossible length: %v", err)
	}
	// Not a pcap at all.
	if _, err := NewPcapReader("x.pcapng", bytes.NewReader([]byte("\x0a\x0d\x0d\x0a0123456789abcdefghijkl"))); err == nil {
		t.Error("pcapng accepted")
	}
}

// TestUDPLoopback sends the einride recording to a loopback port and checks the receiver
// assembles the same revolutions as the file.
func TestUDPLoopback(t *testing.T) {
	pl, _ := payloads(t, testdata(t, "lidar/vlp16/einride-recording.bin"))
	want := assembleAll(t, pl, 0)
	rx, err := ListenUDP("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer rx.Close()
	tx, err := net_dial(rx.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Close()
	dec := Decoder{Model: VLP16}
	asm := Assembler{Cut: 0}
	var got []Revolution
	var p Packet
	var pts []Point
	recv := 0
	drain := func() {
		for {
			b, ok, err := rx.Poll()
			if err != nil {
				t.Fatal(err)
			}
			if !ok {
				return
			}
			recv++
			if err := Parse(b, &p); err != nil {
				t.Fatal(err)
			}
			pts = dec.Decode(&p, 0, pts[:0])
			got = append(got, asm.Add(pts)...)
		}
	}
	for i, b := range pl {
		if _, err := tx.Write(b); err != nil {
			t.Fatal(err)
		}
		if i%50 == 49 { // let the receiver keep up so the socket buffer never overflows
			deadline := time.Now().Add(5 * time.Second)
			for recv < i+1 && time.Now().Before(deadline) {
				drain()
				time.Sleep(time.Millisecond)
			}
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for recv < len(pl) && time.Now().Before(deadline) {
		drain()
		time.Sleep(time.Millisecond)
	}
	if r, ok := asm.Flush(); ok {
		got = append(got, r)
	}
	if recv != len(pl) {
		t.Fatalf("received %d of %d packets", recv, len(pl))
	}
	if len(got) != len(want) {
		t.Fatalf("%d revolutions over UDP, %d from the file", len(got), len(want))
	}
	for i := range want {
		if len(got[i].Points) != len(want[i].Points) || got[i].StampNs != want[i].StampNs {
			t.Fatalf("revolution %d: %d points at %d over UDP, %d at %d from file", i, len(got[i].Points), got[i].StampNs, len(want[i].Points), want[i].StampNs)
		}
		for j := range want[i].Points {
			if got[i].Points[j] != want[i].Points[j] {
				t.Fatalf("revolution %d point %d differs", i, j)
			}
		}
	}
	t.Logf("UDP loopback: %d packets, %d revolutions identical to the file's", recv, len(got))
}

func TestPointCloudLayout(t *testing.T) {
	r := Revolution{StampNs: 1_000_000_123, Points: []Point{{X: 1, Y: -2, Z: 3, Intensity: 7, Ring: 5, TimeNs: 1_000_000_123}, {X: 4, Ring: 15, TimeNs: 1_050_000_123}}}
	c := ToPointCloud(r, "lidar_top")
	if c.PointStride != PointStride || len(c.Data) != 2*PointStride || c.Timestamp.Seconds != 1 || c.Timestamp.Nanos != 123 {
		t.Fatalf("cloud header %v", c)
	}
	f := func(i, off int) float32 {
		return math.Float32frombits(binary.LittleEndian.Uint32(c.Data[i*PointStride+off:]))
	}
	if f(0, 0) != 1 || f(0, 4) != -2 || f(0, 8) != 3 || f(0, 12) != 7 || binary.LittleEndian.Uint16(c.Data[16:]) != 5 {
		t.Errorf("point 0 bytes wrong")
	}
	if f(1, 0) != 4 || binary.LittleEndian.Uint16(c.Data[PointStride+16:]) != 15 || math.Abs(float64(f(1, 20))-0.05) > 1e-6 {
		t.Errorf("point 1: time %v", f(1, 20))
	}
}
