package autograd

import (
	"bytes"
	"encoding/binary"

	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"

	"github.com/avstack/avstack/nn"
)

// Parameter file format, version 1 (all integers little-endian):
//
//	header (20 bytes):
//	  [8]byte  magic "AVSTKNNP"
//	  uint32   version (1)
//	  uint32   number of records
//	  uint32   CRC-32 (IEEE) of the 16 bytes above
//	record, repeated:
//	  uint16   name length, then the name (UTF-8)
//	  uint8    rank, then rank x uint32 dimensions
//	  float32  the values, row-major
//	  uint32   CRC-32 (IEEE) of the record's bytes before it
//	trailer:
//	  uint32   CRC-32 (IEEE) of every byte of the file before it
//
// Load checks every checksum, that the file ends right after the trailer,
// and that the records and the parameters match one to one by name and shape.
const (
	paramMagic   = "AVSTKNNP"
	paramVersion = 1
)

// WriteParams writes the parameters (by their Name, which must be unique and
// non-empty) in the format above.
func WriteParams(w io.Writer, params []*Var) error {
	var buf bytes.Buffer
	seen := map[string]bool{}
	le := binary.LittleEndian
	hdr := make([]byte, 16, 20)
	copy(hdr, paramMagic)
	le.PutUint32(hdr[8:], paramVersion)
	le.PutUint32(hdr[12:], uint32(len(params)))
	hdr = le.AppendUint32(hdr, crc32.ChecksumIEEE(hdr))
	buf.Write(hdr)
	for _, p := range params {
		if p.Name == "" || len(p.Name) > math.MaxUint16 {
			return fmt.Errorf("autograd: parameter name %q is empty or too long", p.Name)
		}
		if seen[p.Name] {
			return fmt.Errorf("autograd: parameter name %q is used twice", p.Name)
		}
		seen[p.Name] = true
		var rec []byte
		rec = le.AppendUint16(rec, uint16(len(p.Name)))
		rec = append(rec, p.Name...)
		s := p.Value.Shape()
		if len(s) > 255 {
			return fmt.Errorf("autograd: parameter %q has rank %d", p.Name, len(s))
		}
		rec = append(rec, byte(len(s)))
		for _, d := range s {
			rec = le.AppendUint32(rec, uint32(d))
		}
		for _, v := range p.Value.Contiguous().Data() {
			rec = le.AppendUint32(rec, math.Float32bits(v))
		}
		rec = le.AppendUint32(rec, crc32.ChecksumIEEE(rec))
		buf.Write(rec)
	}
	buf.Write(le.AppendUint32(nil, crc32.ChecksumIEEE(buf.Bytes())))
	_, err := w.Write(buf.Bytes())
	return err
}

// SaveParams writes the parameters to a file.
func SaveParams(path string, params []*Var) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("autograd: %w", err)
	}
	if err := WriteParams(f, params); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// LoadParams reads a parameter file into the given parameters.
func LoadParams(path string, params []*Var) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("autograd: %w", err)
	}
	if err := DecodeParams(b, params); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// DecodeParams reads parameter-file bytes into params (matched by name).
func DecodeParams(b []byte, params []*Var) error {
	le := binary.LittleEndian
	if len(b) < 8 || string(b[:8]) != paramMagic {
		return fmt.Errorf("autograd: not an avstack parameter file (magic %q, want %q)", head(b, 8), paramMagic)
	}
	if len(b) < 24 {
		return fmt.Errorf("autograd: parameter file truncated: %d bytes, header and trailer need 24", len(b))
	}
	if got, want := le.Uint32(b[16:]), crc32.ChecksumIEEE(b[:16]); got != want {
		return fmt.Errorf("autograd: parameter file header checksum %08x, computed %08x", got, want)
	}
	if v := le.Uint32(b[8:]); v != paramVersion {
		return fmt.Errorf("autograd: parameter file version %d, this build reads %d", v, paramVersion)
	}
	n := int(le.Uint32(b[12:]))
	byName := map[string]*Var{}
	for _, p := range params {
		byName[p.Name] = p
	}
	off := 20
	loaded := map[string]bool{}
	for r := 0; r < n; r++ {
		start := off
		need := func(k int) error {
			if off+k > len(b)-4 {
				return fmt.Errorf("autograd: parameter file truncated in record %d of %d", r+1, n)
			}
			return nil
		}
		if err := need(2); err != nil {
			return err
		}
		nl := int(le.Uint16(b[off:]))
		off += 2
		if err := need(nl + 1); err != nil {
			return err
		}
		name := string(b[off : off+nl])
		off += nl
		rank := int(b[off])
		off++
		if err := need(4 * rank); err != nil {
			return err
		}
		shape := make([]int, rank)
		cnt := 1
		for k := range shape {
			shape[k] = int(le.Uint32(b[off:]))
			cnt *= shape[k]
			off += 4
		}
		if cnt < 0 || cnt > (len(b)-off)/4 {
			return fmt.Errorf("autograd: parameter file truncated in record %d (%q, shape %v)", r+1, name, shape)
		}
		if err := need(4*cnt + 4); err != nil {
			return err
		}
		data := b[off : off+4*cnt]
		off += 4 * cnt
		if got, want := le.Uint32(b[off:]), crc32.ChecksumIEEE(b[start:off]); got != want {
			return fmt.Errorf("autograd: parameter %q: record checksum %08x, computed %08x (corrupt file)", name, got, want)
		}
		off += 4
		p, ok := byName[name]
		if !ok {
			return fmt.Errorf("autograd: parameter file has %q, which the model does not", name)
		}
		if !nn.SameShape(p.Value.Shape(), shape) {
			return fmt.Errorf("autograd: parameter %q has shape %v in the file, %v in the model", name, shape, p.Value.Shape())
		}
		if loaded[name] {
			return fmt.Errorf("autograd: parameter %q appears twice in the file", name)
		}
		loaded[name] = true
		d := p.Value.Data()
		for k := range d {
			d[k] = math.Float32frombits(le.Uint32(data[4*k:]))
		}
	}
	if off+4 != len(b) {
		if off+4 > len(b) {
			return fmt.Errorf("autograd: parameter file truncated before its trailer")
		}
		return fmt.Errorf("autograd: parameter file has %d unexpected bytes after its records", len(b)-off-4)
	}
	if got, want := le.Uint32(b[off:]), crc32.ChecksumIEEE(b[:off]); got != want {
		return fmt.Errorf("autograd: parameter file checksum %08x, computed %08x", got, want)
	}
	for _, p := range params {
		if !loaded[p.Name] {
			return fmt.Errorf("autograd: parameter %q is missing from the file", p.Name)
		}
	}
	return nil
}

func head(b []byte, n int) []byte {
	if len(b) < n {
		return b
	}
	return b[:n]
}
