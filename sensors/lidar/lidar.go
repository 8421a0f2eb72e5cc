package lidar

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/avstack/avstack/config"
	"github.com/avstack/avstack/msg"
	"github.com/avstack/avstack/msg/av"
	"github.com/avstack/avstack/node"
	"github.com/avstack/avstack/sensors/mount"
	"github.com/avstack/avstack/sensors/velodyne"
)

// packetSource yields Velodyne payloads with the time the host saw them (a pcap record's
// time, or a raw file's unwrapped packet time); recvNs = 0 means "now" (a live socket).
type packetSource interface {
	next() (payload []byte, recvNs int64, err error) // io.EOF at the end; errNone: nothing waiting
	rewind() error
	close() error
	stats() string
}

var errNone = errors.New("lidar: nothing waiting")

// Counters of a lidar node.
type Counters struct {
	Packets, BadPackets, Revolutions, Partial int
	LastBad                                   string
}

// Core is the lidar node: a source driven by the runner's timer (Spec.Period = poll_period,
// or the scan rate for KITTI folders). Each Step drains what is due — the packets waiting
// on the socket, or the file's packets up to `now` at recorded pace — decodes and assembles
// them, and returns every completed revolution as a foxglove.PointCloud. No goroutine, no
// clock: a live packet's hour comes from `now`, and file times are shifted onto `now`'s
// timeline at the first step (relative timing exact).
type Core struct {
	name  string
	s     Settings
	src   packetSource
	kitti *kittiSource
	dec   velodyne.Decoder
	asm   velodyne.Assembler
	frame string

	pkt     velodyne.Packet
	pts     []velodyne.Point
	pending []byte
	pendT   int64
	havePnd bool

	shift    int64 // file time -> runner time
	shiftSet bool
	lastRecv int64 // runner time of the last packet
	lastNow  int64 // time of the last step
	ended    bool
	fatal    error
	c        Counters
	period   time.Duration
}

// New builds a lidar core. Files are opened here (a missing or malformed one is a start-up
// error naming the path); a UDP socket is bound here (a busy port is a start-up error).
func New(name string, s Settings, l config.Lidar) (*Core, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	c := &Core{name: l.Name, s: s, frame: mount.LidarFrame(l.Name), period: s.PollPeriod}
	if s.Source == "kitti" {
		rate := s.RateHz
		if rate == 0 {
			rate = l.RateHz
		}
		if rate == 0 {
			rate = 10
		}
		k, err := openKitti(s.Path, rate)
		if err != nil {
			return nil, err
		}
		c.kitti = k
		c.period = time.Duration(float64(time.Second) / rate)
		return c, nil
	}
	model := s.Model
	if model == "" {
		model = l.Model
	}
	m, err := velodyne.ModelByName(model)
	if err != nil {
		return nil, fmt.Errorf("lidar %s: %w", l.Name, err)
	}
	c.dec = velodyne.Decoder{Model: m, VertOffsets: s.VertOffsets, MinRange: s.MinRange, Returns: s.Returns}
	c.asm = velodyne.Assembler{Cut: s.CutAzimuthDeg * 100}
	switch s.Source {
	case "udp":
		u, err := velodyne.ListenUDP(s.Address)
		if err != nil {
			return nil, fmt.Errorf("lidar %s: %w", l.Name, err)
		}
		c.src = &udpSource{u: u}
	case "pcap":
		p, err := openPcap(s.Path, uint16(s.Port))
		if err != nil {
			return nil, fmt.Errorf("lidar %s: %w", l.Name, err)
		}
		c.src = p
	case "raw":
		r, err := openRaw(s.Path)
		if err != nil {
			return nil, fmt.Errorf("lidar %s: %w", l.Name, err)
		}
		c.src = r
	}
	return c, nil
}

// Spec: no inputs, the point cloud out, a polling timer.
func (c *Core) Spec() node.Spec {
	return node.Spec{Outputs: []string{msg.Lidar(c.name)}, Period: c.period}
}

// Counters so far.
func (c *Core) Counters() Counters { return c.c }

// Ended is true when a file source reached its end (without loop).
func (c *Core) Ended() bool { return c.ended }

// Health: degraded on a silent socket, bad packets in the last status period are reported.
func (c *Core) Health() (av.NodeStatus_Health, string) {
	switch {
	case c.fatal != nil:
		return av.NodeStatus_HEALTH_ERROR, c.fatal.Error()
	case c.ended:
		return av.NodeStatus_HEALTH_DEGRADED, fmt.Sprintf("%s ended: %d packets, %d revolutions", c.s.Path, c.c.Packets, c.c.Revolutions)
	case c.s.Source == "udp" && c.lastRecv == 0:
		return av.NodeStatus_HEALTH_DEGRADED, fmt.Sprintf("no packets yet on udp %s", c.s.Address)
	case c.s.Source == "udp" && c.lastNow-c.lastRecv > int64(c.s.SilenceTimeout):
		return av.NodeStatus_HEALTH_DEGRADED, fmt.Sprintf("no packets on udp %s for %v", c.s.Address, time.Duration(c.lastNow-c.lastRecv).Round(time.Millisecond))
	case c.c.BadPackets > 0:
		return av.NodeStatus_HEALTH_OK, fmt.Sprintf("%d bad packets skipped (last: %s); %s", c.c.BadPackets, c.c.LastBad, c.srcStats())
	}
	return av.NodeStatus_HEALTH_OK, ""
}

func (c *Core) srcStats() string {
	if c.src == nil {
		return ""
	}
	return c.src.stats()
}

// Step drains what is due at now and returns completed revolutions.
func (c *Core) Step(_ []node.Message, now int64) ([]node.Output, error) {
	c.lastNow = now
	if c.kitti != nil {
		return c.stepKitti(now)
	}
	if c.ended || c.fatal != nil {
		return nil, nil
	}
	var outs []node.Output
	// A bound on the work of one step keeps the runner responsive (about 1.3 s of VLP-16).
	for n := 0; n < 1000; n++ {
		if !c.havePnd {
			b, t, err := c.src.next()
			if errors.Is(err, errNone) {
				break
			}
			if errors.Is(err, io.EOF) {
				if c.s.Loop && c.c.Packets > 0 {
					if err := c.src.rewind(); err != nil {
						c.fatal = err
						return outs, err
					}
					c.asm.Flush()
					c.shiftSet = false
					continue
				}
				c.ended = true
				if r, ok := c.asm.Flush(); ok && c.s.PublishPartial {
					outs = append(outs, c.output(r))
				}
				break
			}
			if err != nil {
				c.fatal = err
				return outs, err
			}
			c.pending = append(c.pending[:0], b...)
			c.pendT, c.havePnd = t, true
		}
		if c.pendT == 0 { // live: the packet is due now
			c.pendT = now
			c.shift, c.shiftSet = 0, true
		} else if !c.shiftSet {
			c.shift, c.shiftSet = now-c.pendT, true
		}
		if c.s.Pace == "recorded" && c.pendT+c.shift > now {
			break
		}
		c.havePnd = false
		c.lastRecv = now
		c.c.Packets++
		if err := velodyne.Parse(c.pending, &c.pkt); err != nil {
			c.c.BadPackets++
			c.c.LastBad = err.Error()
			continue
		}
		c.pts = c.dec.Decode(&c.pkt, c.pendT, c.pts[:0])
		for i := range c.pts {
			c.pts[i].TimeNs += c.shift
		}
		for _, r := range c.asm.Add(c.pts) {
			if r.Partial {
				c.c.Partial++
				if !c.s.PublishPartial {
					continue
				}
			}
			outs = append(outs, c.output(r))
		}
		if c.s.Pace == "fast" && len(outs) > 0 {
			break
		}
	}
	return outs, nil
}

func (c *Core) output(r velodyne.Revolution) node.Output {
	c.c.Revolutions++
	return node.Output{Subject: msg.Lidar(c.name), Value: velodyne.ToPointCloud(r, c.frame)}
}

// Close releases the socket or file.
func (c *Core) Close() error {
	if c.src != nil {
		return c.src.close()
	}
	return nil
}
