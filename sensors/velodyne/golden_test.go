package velodyne

import (
	"errors"
	"io"
	"math"
	"path/filepath"
	"testing"

	td "github.com/avstack/avstack/internal/realdata"
)

func testdata(t testing.TB, rel string) string {
	t.Helper()
	return td.Path(t, rel)
}

// payloads reads every data payload of a capture (raw file or pcap).
func payloads(t testing.TB, path string) ([][]byte, []int64) {
	t.Helper()
	var out [][]byte
	var times []int64
	if filepath.Ext(path) == ".pcap" {
		r, err := OpenPcap(path)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		for {
			d, err := r.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, append([]byte(nil), d.Payload...))
			times = append(times, d.TimeNs)
		}
		t.Logf("%s: pcap stats %+v", filepath.Base(path), r.Stats)
		return out, times
	}
	r, err := OpenRaw(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for {
		b, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, append([]byte(nil), b...))
		times = append(times, 0)
	}
	return out, times
}

// TestGolden checks velodyne-format.md section 6: packet counts, non-zero returns, mean range,
// first-packet timestamp and block azimuths.
func TestGolden(t *testing.T) {
	cases := []struct {
		file              string
		packets           int
		nonzero, channels int
		meanRange         float64
		firstTs           uint32
		firstAz, lastAz   uint16
		leading           []uint16 // block azimuths the reference lists after the first
	}{
		{"lidar/vlp16/einride-recording.bin", 1000, 203034, 384000, 2.5673, 2666163099, 10342, 10781, []uint16{10382, 10422, 10462}},
		{"lidar/vlp16/velodyne_example.pcap", 84, 31630, 32256, 4.6683, 596380001, 23424, 23861, nil},
	}
	for _, c := range cases {
		t.Run(filepath.Base(c.file), func(t *testing.T) {
			pl, _ := payloads(t, testdata(t, c.file))
			dec := Decoder{Model: VLP16}
			var p Packet
			good, nonzero, channels := 0, 0, 0
			var sum float64
			var pts []Point
			for i, b := range pl {
				if err := Parse(b, &p); err != nil {
					t.Errorf("packet %d: %v", i, err)
					continue
				}
				good++
				if i == 0 {
					if p.Timestamp != c.firstTs {
						t.Errorf("first timestamp %d, want %d", p.Timestamp, c.firstTs)
					}
					if p.Blocks[0].Azimuth != c.firstAz || p.Blocks[11].Azimuth != c.lastAz {
						t.Errorf("first packet azimuths %d..%d, want %d..%d", p.Blocks[0].Azimuth, p.Blocks[11].Azimuth, c.firstAz, c.lastAz)
					}
					for j, az := range c.leading {
						if p.Blocks[j+1].Azimuth != az {
							t.Errorf("first packet block %d azimuth %d, want %d", j+1, p.Blocks[j+1].Azimuth, az)
						}
					}
				}
				channels += BlocksPerPacket * ChannelsPerBlock
				pts = dec.Decode(&p, 0, pts[:0])
				nonzero += len(pts)
				for _, q := range pts {
					sum += float64(q.Range)
				}
			}
			mean := sum / float64(nonzero)
			t.Logf("%s: %d packets, %d / %d non-zero returns, mean range %.4f m", filepath.Base(c.file), good, nonzero, channels, mean)
			if good != c.packets || nonzero != c.nonzero || channels != c.channels {
				t.Errorf("packets %d, non-zero %d / %d; want %d, %d / %d", good, nonzero, channels, c.packets, c.nonzero, c.channels)
			}
			if math.Abs(mean-c.meanRange) > 0.00005 {
				t.Errorf("mean range %.5f, want %.4f", mean, c.meanRange)
			}
		})
	}
}

// TestWorkedExample is velodyne-format.md section 6's example: einride first packet, block 0
// channel 1.
func TestWorkedExample(t *testing.T) {
	pl, _ := payloads(t, testdata(t, "lidar/vlp16/einride-recording.bin"))
	var p Packet
	if err := Parse(pl[0], &p); err != nil {
		t.Fatal(err)
	}
	if p.Blocks[0].Distance[1] != 767 || p.Blocks[0].Reflect[1] != 3 {
		t.Fatalf("raw distance %d refl %d, want 767, 3", p.Blocks[0].Distance[1], p.Blocks[0].Reflect[1])
	}
	for _, offsets := range []bool{false, true} {
		dec := Decoder{Model: VLP16, VertOffsets: offsets}
		// Host clock at the top of an hour: the packet lands in that hour.
		const hour = int64(3600e9) * 493000
		pts := dec.Decode(&p, hour+int64(p.Timestamp)*1000, nil)
		var q *Point
		for i := range pts {
			if pts[i].Laser == 1 && pts[i].Return == 0 && pts[i].Azimuth < 10343 {
				q = &pts[i]
				break
			}
		}
		if q == nil {
			t.Fatal("no point for block 0 channel 1")
		}
		// Velodyne frame (x right, y forward) from ours (x forward, y left): vx = -y, vy = x.
		vx, vy, vz := -float64(q.Y), float64(q.X), float64(q.Z)
		t.Logf("offsets=%v: range %.4f azimuth %.4f deg t=%d ns past hour; velodyne xyz %.4f %.4f %.4f", offsets, q.Range, q.Azimuth/100, q.TimeNs-hour, vx, vy, vz)
		if math.Abs(float64(q.Range)-1.534) > 1e-6 || math.Abs(q.Azimuth/100-103.4283) > 0.00005 {
			t.Errorf("range %.4f azimuth %.5f, want 1.534, 103.4283", q.Range, q.Azimuth/100)
		}
		if got, want := q.TimeNs-hour, int64(2666163101304); got != want {
			t.Errorf("time %d ns past the hour, want %d", got, want)
		}
		for i, c := range [][2]float64{{vx, 1.4918}, {vy, -0.3562}, {vz, 0.0268}} {
			if math.Abs(c[0]-c[1]) > 0.001 {
				t.Errorf("coordinate %d = %.4f, want %.4f within 1 mm", i, c[0], c[1])
			}
		}
		if q.Ring != 8 {
			t.Errorf("ring of laser 1 (+1 deg) = %d, want 8", q.Ring)
		}
	}
}
