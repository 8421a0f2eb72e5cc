package velodyne

import (
	"fmt"
	"io"
	"os"
)

// RawReader reads a file of back-to-back 1206-byte payloads (no framing). A torn last
// payload is counted in Truncated.
type RawReader struct {
	name      string
	f         *os.File
	buf       [PacketSize]byte
	Packets   int
	Truncated int
}

// OpenRaw opens a raw payload file.
func OpenRaw(path string) (*RawReader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("velodyne: raw: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("velodyne: raw: %w", err)
	}
	if st.Size() < PacketSize {
		f.Close()
		return nil, fmt.Errorf("velodyne: %s: %d bytes is less than one %d-byte packet", path, st.Size(), PacketSize)
	}
	return &RawReader{name: path, f: f}, nil
}

// Next returns the next payload (valid until the next call) or io.EOF.
func (r *RawReader) Next() ([]byte, error) {
	n, err := io.ReadFull(r.f, r.buf[:])
	if err == io.EOF {
		return nil, io.EOF
	}
	if err == io.ErrUnexpectedEOF {
		r.Truncated++
		_ = n
		return nil, io.EOF
	}
	if err != nil {
		return nil, fmt.Errorf("velodyne: %s: %w", r.name, err)
	}
	r.Packets++
	return r.buf[:], nil
}

// Rewind starts again at the first packet.
func (r *RawReader) Rewind() error {
	if _, err := r.f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("velodyne: %s: %w", r.name, err)
	}
	return nil
}

// Close closes the file.
func (r *RawReader) Close() error { return r.f.Close() }
