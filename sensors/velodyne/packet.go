package velodyne

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Packet layout constants (velodyne-format.md section 2).
const (
	PacketSize       = 1206 // UDP payload of a data packet
	BlocksPerPacket  = 12
	ChannelsPerBlock = 32
	blockSize        = 100
	// FlagUpper is the 0xFF 0xEE block flag (uint16 LE 0xEEFF) of VLP-16 and HDL-32E blocks.
	FlagUpper = 0xEEFF
	// DataPort is the UDP port data packets go to.
	DataPort = 2368
	// PositionPort is the UDP port of GPS/telemetry packets.
	PositionPort = 8308
)

// ReturnMode is factory byte 1.
type ReturnMode uint8

const (
	ReturnStrongest ReturnMode = 0x37
	ReturnLast      ReturnMode = 0x38
	ReturnDual      ReturnMode = 0x39
)

func (r ReturnMode) String() string {
	switch r {
	case ReturnStrongest:
		return "strongest"
	case ReturnLast:
		return "last"
	case ReturnDual:
		return "dual"
	}
	return fmt.Sprintf("ReturnMode(0x%02x)", uint8(r))
}

// Product is factory byte 2.
type Product uint8

const (
	ProductHDL32E    Product = 0x21
	ProductVLP16     Product = 0x22
	ProductPuckHiRes Product = 0x24
	ProductVLP32C    Product = 0x28
	ProductVelarray  Product = 0x31
	ProductVLS128    Product = 0x63
)

// Block is one firing block: flag, azimuth (centidegrees 0..35999) and 32 channels.
type Block struct {
	Flag     uint16
	Azimuth  uint16
	Distance [ChannelsPerBlock]uint16 // units of 2 mm; 0 = no return
	Reflect  [ChannelsPerBlock]uint8
}

// Packet is a parsed data packet.
type Packet struct {
	Blocks [BlocksPerPacket]Block
	// Timestamp in microseconds past the hour (of the first firing).
	Timestamp  uint32
	ReturnMode ReturnMode
	Product    Product
}

// Errors of Parse; they are counted by the sources and packets are skipped.
var (
	ErrSize      = errors.New("velodyne: packet is not 1206 bytes")
	ErrFlag      = errors.New("velodyne: block flag is not 0xFFEE")
	ErrAzimuth   = errors.New("velodyne: block azimuth out of 0..35999")
	ErrTimestamp = errors.New("velodyne: timestamp past one hour")
	ErrMode      = errors.New("velodyne: unknown return mode byte")
)

// Parse decodes a 1206-byte data packet into p. It checks the size, every block's flag and
// azimuth, the timestamp (< 3600 s) and the return mode byte; the product byte is kept as is
// (captures exist with a wrong product byte: the decoder's model is configured, not guessed).
func Parse(b []byte, p *Packet) error {
	if len(b) != PacketSize {
		return fmt.Errorf("%w (%d bytes)", ErrSize, len(b))
	}
	for i := range p.Blocks {
		o := i * blockSize
		blk := &p.Blocks[i]
		blk.Flag = binary.LittleEndian.Uint16(b[o:])
		if blk.Flag != FlagUpper {
			return fmt.Errorf("%w: block %d has 0x%04x", ErrFlag, i, blk.Flag)
		}
		blk.Azimuth = binary.LittleEndian.Uint16(b[o+2:])
		if blk.Azimuth >= 36000 {
			return fmt.Errorf("%w: block %d has %d", ErrAzimuth, i, blk.Azimuth)
		}
		for c := 0; c < ChannelsPerBlock; c++ {
			q := o + 4 + 3*c
			blk.Distance[c] = binary.LittleEndian.Uint16(b[q:])
			blk.Reflect[c] = b[q+2]
		}
	}
	p.Timestamp = binary.LittleEndian.Uint32(b[1200:])
	if p.Timestamp >= 3600e6 {
		return fmt.Errorf("%w: %d us", ErrTimestamp, p.Timestamp)
	}
	p.ReturnMode = ReturnMode(b[1204])
	switch p.ReturnMode {
	case ReturnStrongest, ReturnLast, ReturnDual:
	default:
		return fmt.Errorf("%w: 0x%02x", ErrMode, b[1204])
	}
	p.Product = Product(b[1205])
	return nil
}
