package velodyne

import (
	"math"
)

// Point is one decoded return, in the vehicle-style sensor frame (x forward, y left, z up;
// metres), i.e. REP-103: x = Velodyne y, y = -Velodyne x.
type Point struct {
	X, Y, Z float32
	// Intensity is the calibrated reflectivity 0..255.
	Intensity float32
	// Ring is the spatial ring (0 = lowest laser); Laser the firing-order id.
	Ring  uint16
	Laser uint8
	// Return: 0 = single-return packet; in dual packets 1 = last (even block), 2 = strongest
	// or second strongest (odd block).
	Return uint8
	// Azimuth is the interpolated azimuth in centidegrees [0, 36000).
	Azimuth float64
	// Range in metres.
	Range float32
	// TimeNs is the absolute time of the firing (Unix ns).
	TimeNs int64
}

// Decoder turns packets into points.
type Decoder struct {
	Model *Model
	// VertOffsets applies the model's vertical offset correction (VLP-16: up to 11.2 mm).
	// Off by default: the reference golden values are without it.
	VertOffsets bool
	// MinRange drops returns closer than this (metres); 0 keeps all non-zero returns.
	MinRange float64
	// Returns filters dual-return packets: "" or "dual" keeps both, "last" keeps the even
	// blocks, "strongest" keeps, per laser and firing, the return of higher reflectivity.
	Returns string
}

const hourNs = int64(3600e9)

// PacketTime resolves a packet timestamp (us past the hour) to Unix ns using the hour of
// hostNs, choosing the hour that puts the result closest to hostNs (so a packet stamped
// 3599.9 s read at 00:00:00.1 on the host lands in the previous hour).
func PacketTime(tsUs uint32, hostNs int64) int64 {
	base := hostNs - hostNs%hourNs
	t := base + int64(tsUs)*1000
	best := t
	for _, c := range []int64{t - hourNs, t + hourNs} {
		if abs64(c-hostNs) < abs64(best-hostNs) {
			best = c
		}
	}
	return best
}

func abs64(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

// Decode appends the non-zero returns of p to dst. hostNs supplies the hour of the packet
// timestamp (see PacketTime).
func (d *Decoder) Decode(p *Packet, hostNs int64, dst []Point) []Point {
	m := d.Model
	t0 := PacketTime(p.Timestamp, hostNs)
	dual := p.ReturnMode == ReturnDual
	lasers := m.Lasers
	// Firing sequences per block: VLP-16 has 2 (channels 0-15, 16-31), HDL-32E 1.
	seqPerBlock := ChannelsPerBlock / lasers
	step := 1
	if dual {
		step = 2 // block pairs share an azimuth
	}
	blockUs := float64(seqPerBlock) * m.FiringUs
	for b := 0; b < BlocksPerPacket; b++ {
		blk := &p.Blocks[b]
		az := float64(blk.Azimuth)
		// Azimuth advance over one block (per ROS: next block minus this, last block reuses
		// the previous difference).
		var diff float64
		if b+step < BlocksPerPacket {
			diff = float64((36000 + int(p.Blocks[b+step].Azimuth) - int(blk.Azimuth)) % 36000)
		} else if b-step >= 0 {
			diff = float64((36000 + int(blk.Azimuth) - int(p.Blocks[b-step].Azimuth)) % 36000)
		}
		if diff > 1000 { // a gap (or garbage): do not smear points over it
			diff = 0
		}
		seqBase := b
		if dual {
			seqBase = b / 2 // VLP-16: s = block - block%2 + channel/16
		}
		for c := 0; c < ChannelsPerBlock; c++ {
			raw := blk.Distance[c]
			if raw == 0 {
				continue
			}
			k := c % lasers
			fseq := c / lasers
			if dual && d.Returns != "" && d.Returns != "dual" {
				other := &p.Blocks[b^1]
				switch d.Returns {
				case "last":
					if b%2 == 1 {
						continue
					}
				case "strongest":
					if b%2 == 0 && other.Reflect[c] > blk.Reflect[c] {
						continue
					}
					if b%2 == 1 && (other.Reflect[c] >= blk.Reflect[c] && other.Distance[c] != 0) {
						continue
					}
				}
			}
			r := float64(raw) * 0.002
			if r < d.MinRange {
				continue
			}
			offUs := float64(fseq)*m.FiringUs + float64(k)*m.LaserUs
			a := az + diff*offUs/blockUs
			if a >= 36000 {
				a -= 36000
			}
			seq := seqBase*seqPerBlock + fseq
			tUs := float64(seq)*m.FiringUs + float64(k)*m.LaserUs
			sa, ca := math.Sincos(a * math.Pi / 18000)
			xy := r * m.cosE[k]
			z := r * m.sinE[k]
			if d.VertOffsets && m.VertOffset != nil {
				xy -= m.VertOffset[k] * m.sinE[k]
				z += m.VertOffset[k] * m.cosE[k]
			}
			vx, vy := xy*sa, xy*ca // Velodyne frame: y forward at azimuth 0, x right
			ret := uint8(0)
			if dual {
				ret = 1 + uint8(b%2)
			}
			dst = append(dst, Point{
				X: float32(vy), Y: float32(-vx), Z: float32(z),
				Intensity: float32(blk.Reflect[c]),
				Ring:      m.Ring[k], Laser: uint8(k), Return: ret,
				Azimuth: a, Range: float32(r),
				TimeNs: t0 + int64(math.Round(tUs*1000)),
			})
		}
	}
	return dst
}
