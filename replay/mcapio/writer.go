package mcapio

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/foxglove/mcap/go/mcap"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/avstack/avstack/msg"
)

// Encoding is the message and schema encoding of every avstack channel.
const Encoding = "protobuf"

// Profile is the MCAP header profile avstack writes. MCAP's well-known profiles are ros1 and
// ros2; protobuf files conventionally leave the profile empty (Foxglove's own SDK does), and the
// encoding lives on each channel and schema instead.
const Profile = ""

// Library names the writer in the MCAP header (after the mcap library's own name).
const Library = "avstack replay/mcapio"

// DefaultChunkSize is the uncompressed size at which a chunk is closed and written. A killed
// writer loses at most the chunk it was filling.
const DefaultChunkSize = 1 << 20

// WriterOptions configure a Writer. The zero value writes zstd chunks of DefaultChunkSize into
// one file.
type WriterOptions struct {
	// ChunkSize in bytes of uncompressed records (default DefaultChunkSize).
	ChunkSize int64
	// Compression of chunks: "zstd" (default), "lz4" or "none".
	Compression string
	// SplitSize starts a new file once the current one holds this many bytes (0 = never).
	SplitSize int64
	// SplitDuration starts a new file once the current one spans this much log time (0 = never).
	SplitDuration time.Duration
	// Metadata is written as an MCAP metadata record named "avstack" at the start of each file
	// (scenario, seed, vehicle...); nil writes none.
	Metadata map[string]string
}

// Writer writes messages to MCAP. It is safe for concurrent use.
type Writer struct {
	opts WriterOptions
	path string // as given to Create

	mu       sync.Mutex
	f        *os.File
	w        *mcap.Writer
	part     int
	files    []string
	schemas  map[string]uint16 // type name -> schema id, per file
	channels map[chanKey]uint16
	seq      map[uint16]uint32
	schemaBy map[string][]byte // cache of schema bytes across files
	start    int64             // first log time of the current file
	started  bool
	lastLog  int64
	messages uint64
	bytes    uint64
	err      error // sticky: a failed write ends the recording
	closed   bool
}

type chanKey struct{ subject, typ string }

// Create opens path for writing (truncating it) and writes the MCAP header. With splitting
// enabled the files are NAME_000.mcap, NAME_001.mcap... beside path.
func Create(path string, o WriterOptions) (*Writer, error) {
	if o.ChunkSize == 0 {
		o.ChunkSize = DefaultChunkSize
	}
	if o.ChunkSize < 0 {
		return nil, fmt.Errorf("mcapio: %s: chunk size %d must be positive", path, o.ChunkSize)
	}
	switch o.Compression {
	case "":
		o.Compression = string(mcap.CompressionZSTD)
	case string(mcap.CompressionZSTD), string(mcap.CompressionLZ4):
	case "none":
	default:
		return nil, fmt.Errorf("mcapio: %s: compression %q: want zstd, lz4 or none", path, o.Compression)
	}
	if o.SplitSize < 0 || o.SplitDuration < 0 {
		return nil, fmt.Errorf("mcapio: %s: split size %d and duration %v must not be negative", path, o.SplitSize, o.SplitDuration)
	}
	w := &Writer{opts: o, path: path, schemaBy: map[string][]byte{}}
	if err := w.openPart(); err != nil {
		return nil, err
	}
	return w, nil
}

func (w *Writer) splitting() bool { return w.opts.SplitSize > 0 || w.opts.SplitDuration > 0 }

// partPath names the n-th file of a split recording.
func (w *Writer) partPath(n int) string {
	if !w.splitting() {
		return w.path
	}
	ext := filepath.Ext(w.path)
	return fmt.Sprintf("%s_%03d%s", strings.TrimSuffix(w.path, ext), n, ext)
}

func (w *Writer) openPart() error {
	p := w.partPath(w.part)
	f, err := os.Create(p)
	if err != nil {
		return fmt.Errorf("mcapio: %w", err)
	}
	comp := mcap.CompressionFormat(w.opts.Compression)
	if w.opts.Compression == "none" {
		comp = mcap.CompressionNone
	}
	mw, err := mcap.NewWriter(f, &mcap.WriterOptions{
		Chunked:     true,
		ChunkSize:   w.opts.ChunkSize,
		Compression: comp,
		IncludeCRC:  true,
	})
	if err != nil {
		f.Close()
		return fmt.Errorf("mcapio: %s: %w", p, err)
	}
	if err := mw.WriteHeader(&mcap.Header{Profile: Profile, Library: Library}); err != nil {
		f.Close()
		return fmt.Errorf("mcapio: %s: header: %w", p, err)
	}
	if w.opts.Metadata != nil {
		if err := mw.WriteMetadata(&mcap.Metadata{Name: "avstack", Metadata: w.opts.Metadata}); err != nil {
			f.Close()
			return fmt.Errorf("mcapio: %s: metadata: %w", p, err)
		}
	}
	w.f, w.w = f, mw
	w.files = append(w.files, p)
	w.schemas = map[string]uint16{}
	w.channels = map[chanKey]uint16{}
	w.seq = map[uint16]uint32{}
	w.started = false
	return nil
}

func (w *Writer) closePart() error {
	p := w.f.Name()
	err := w.w.Close()
	if err == nil {
		err = w.f.Sync()
	}
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("mcapio: %s: close: %w", p, err)
	}
	return nil
}

func (w *Writer) schemaID(typ string) (uint16, error) {
	if id, ok := w.schemas[typ]; ok {
		return id, nil
	}
	data, ok := w.schemaBy[typ]
	if !ok {
		var err error
		data, err = msg.SchemaBytes(protoreflect.FullName(typ))
		if err != nil {
			return 0, err
		}
		w.schemaBy[typ] = data
	}
	id := uint16(len(w.schemas) + 1)
	if err := w.w.WriteSchema(&mcap.Schema{ID: id, Name: typ, Encoding: Encoding, Data: data}); err != nil {
		return 0, err
	}
	w.schemas[typ] = id
	return id, nil
}

func (w *Writer) channelID(subject, typ string) (uint16, error) {
	k := chanKey{subject, typ}
	if id, ok := w.channels[k]; ok {
		return id, nil
	}
	sid, err := w.schemaID(typ)
	if err != nil {
		return 0, err
	}
	if len(w.channels) >= 65535 {
		return 0, errors.New("more than 65535 channels")
	}
	id := uint16(len(w.channels) + 1)
	md := map[string]string{}
	if e, ok := msg.Lookup(subject); ok {
		md["delivery"] = e.Delivery.String()
	}
	if err := w.w.WriteChannel(&mcap.Channel{ID: id, SchemaID: sid, Topic: subject, MessageEncoding: Encoding, Metadata: md}); err != nil {
		return 0, err
	}
	w.channels[k] = id
	return id, nil
}

// Write appends one message: data is the protobuf encoding of typeName (a registered full
// name such as foxglove.PointCloud), logTime is when it was received (or sim time), publishTime
// its own stamp (header.stamp_ns or the foxglove timestamp), both in ns. A log time earlier than
// the previous one is written as the previous one, so file order is log-time order. Data is
// copied before Write returns.
func (w *Writer) Write(subject, typeName string, data []byte, logTime, publishTime int64) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return fmt.Errorf("mcapio: %s: write %s after close", w.path, subject)
	}
	if w.err != nil {
		return w.err
	}
	if subject == "" || typeName == "" {
		return fmt.Errorf("mcapio: %s: message needs a subject (%q) and a type (%q)", w.path, subject, typeName)
	}
	if logTime < 0 || publishTime < 0 {
		return fmt.Errorf("mcapio: %s: subject %s: negative time (log %d, publish %d)", w.path, subject, logTime, publishTime)
	}
	if logTime < w.lastLog {
		logTime = w.lastLog
	}
	if w.started && w.splitting() &&
		((w.opts.SplitSize > 0 && int64(w.w.Offset()) >= w.opts.SplitSize) ||
			(w.opts.SplitDuration > 0 && logTime-w.start >= int64(w.opts.SplitDuration))) {
		if err := w.closePart(); err != nil {
			w.err = err
			return err
		}
		w.part++
		if err := w.openPart(); err != nil {
			w.err = err
			return err
		}
	}
	id, err := w.channelID(subject, typeName)
	if err != nil {
		// An unknown type is the caller's error, not the file's: the recording goes on.
		return fmt.Errorf("mcapio: %s: subject %s: %w", w.path, subject, err)
	}
	if !w.started {
		w.start, w.started = logTime, true
	}
	w.seq[id]++
	if err := w.w.WriteMessage(&mcap.Message{ChannelID: id, Sequence: w.seq[id], LogTime: uint64(logTime), PublishTime: uint64(publishTime), Data: data}); err != nil {
		w.err = fmt.Errorf("mcapio: %s: write %s: %w", w.f.Name(), subject, err)
		return w.err
	}
	w.lastLog = logTime
	w.messages++
	w.bytes += uint64(len(data))
	return nil
}

// Stats returns the messages and payload bytes written so far.
func (w *Writer) Stats() (messages, bytes uint64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.messages, w.bytes
}

// Files lists the files written so far (one unless splitting).
func (w *Writer) Files() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.files...)
}

// Close writes the last chunk, the summary and the footer. Safe to call twice.
func (w *Writer) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return nil
	}
	w.closed = true
	err := w.closePart()
	if w.err != nil {
		return w.err
	}
	return err
}
