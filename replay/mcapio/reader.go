package mcapio

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sort"

	"github.com/foxglove/mcap/go/mcap"

	"github.com/avstack/avstack/msg"
)

// ErrBadFile marks a file that is not MCAP, or is truncated or corrupt. Commands exit 2 on it.
var ErrBadFile = errors.New("bad recording")

// badFile wraps err as ErrBadFile, naming the file.
func badFile(path string, format string, args ...any) error {
	return fmt.Errorf("mcapio: %s: %w: %s", path, ErrBadFile, fmt.Sprintf(format, args...))
}

// Message is one recorded message.
type Message struct {
	Subject string
	// Type is the schema name: the full protobuf name of the message.
	Type string
	// Encoding is the channel's message encoding ("protobuf" for avstack recordings).
	Encoding string
	// Data is the encoded message. It is valid only until the callback returns.
	Data        []byte
	LogTime     int64
	PublishTime int64
	Sequence    uint32
}

// Channel summarises one channel of a recording.
type Channel struct {
	ID       uint16 `json:"id"`
	Subject  string `json:"subject"`
	Type     string `json:"type"`
	Encoding string `json:"encoding"`
	// SchemaEncoding is "protobuf" for avstack recordings.
	SchemaEncoding string `json:"schema_encoding"`
	Messages       uint64 `json:"messages"`
	// RateHz is (messages - 1) over the recording's span: the rate of a channel that runs the
	// whole recording (0 with fewer than two messages).
	RateHz float64 `json:"rate_hz"`
}

// Schema summarises one schema.
type Schema struct {
	Name     string `json:"name"`
	Encoding string `json:"encoding"`
	Bytes    int    `json:"bytes"`
}

// Summary describes a recording.
type Summary struct {
	Path     string `json:"path"`
	Size     int64  `json:"size_bytes"`
	Profile  string `json:"profile"`
	Library  string `json:"library"`
	Messages uint64 `json:"messages"`
	// Start and End are the first and last log times (ns).
	Start    int64     `json:"start_ns"`
	End      int64     `json:"end_ns"`
	Channels []Channel `json:"channels"`
	Schemas  []Schema  `json:"schemas"`
	Chunks   int       `json:"chunks"`
	// Compression counts chunks per compression format ("" = none).
	Compression       map[string]int    `json:"compression"`
	CompressedBytes   uint64            `json:"compressed_bytes"`
	UncompressedBytes uint64            `json:"uncompressed_bytes"`
	Metadata          map[string]string `json:"metadata,omitempty"`
	// Recovered: read by scanning (OpenRecover) rather than from the summary section.
	Recovered bool `json:"recovered"`
	// Truncated: the file ends without a footer (a killed writer); TruncatedAt is the offset
	// where the last complete record ends, LostBytes what follows it.
	Truncated   bool  `json:"truncated"`
	TruncatedAt int64 `json:"truncated_at,omitempty"`
	LostBytes   int64 `json:"lost_bytes,omitempty"`
	// BadChunks failed their CRC or did not decompress and were skipped (recover only).
	BadChunks int `json:"bad_chunks,omitempty"`
}

// Duration is End - Start in ns.
func (s *Summary) Duration() int64 { return s.End - s.Start }

// Filter selects messages.
type Filter struct {
	// Subjects are NATS patterns ("av.sensor.>", "av.sensor.camera.*"); empty = all.
	Subjects []string
	// Start: only messages with log time >= Start (absolute ns; 0 = from the beginning).
	Start int64
}

func (f Filter) match(subject string) bool {
	if len(f.Subjects) == 0 {
		return true
	}
	for _, p := range f.Subjects {
		if p == subject || msg.Match(p, subject) {
			return true
		}
	}
	return false
}

// Reader reads a recording. It is not safe for concurrent use: one walk at a time.
type Reader struct {
	path    string
	f       *os.File
	recover bool
	sum     Summary
}

// Open opens a complete recording: it needs the MCAP magic, header, footer and summary. A
// truncated file (a killed recorder) is an ErrBadFile that points at OpenRecover.
func Open(path string) (*Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("mcapio: %w", err)
	}
	r := &Reader{path: path, f: f}
	if err := r.readSummary(); err != nil {
		f.Close()
		return nil, err
	}
	return r, nil
}

// OpenRecover opens a recording by scanning its data section, without needing the summary:
// every complete chunk is read, and reading stops where the file was cut. Corrupt chunks (CRC
// mismatch) are skipped and counted. It works on complete files too.
func OpenRecover(path string) (*Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("mcapio: %w", err)
	}
	r := &Reader{path: path, f: f, recover: true}
	counts := map[uint16]uint64{}
	r.sum = Summary{Path: path, Recovered: true, Compression: map[string]int{}, Start: math.MaxInt64}
	chans := map[uint16]*mcap.Channel{}
	schemas := map[uint16]*mcap.Schema{}
	err = r.scan(Filter{}, &scanHooks{
		schema:  func(s *mcap.Schema) { schemas[s.ID] = s },
		channel: func(c *mcap.Channel) { chans[c.ID] = c },
		message: func(c *mcap.Channel, _ *mcap.Schema, m *mcap.Message) error {
			counts[c.ID]++
			r.sum.Messages++
			if int64(m.LogTime) < r.sum.Start {
				r.sum.Start = int64(m.LogTime)
			}
			if int64(m.LogTime) > r.sum.End {
				r.sum.End = int64(m.LogTime)
			}
			return nil
		},
	})
	if err != nil {
		f.Close()
		return nil, err
	}
	if r.sum.Messages == 0 {
		r.sum.Start = 0
	}
	r.fillSummary(chans, schemas, counts)
	return r, nil
}

// Close closes the file.
func (r *Reader) Close() error { return r.f.Close() }

// Path is the file's path.
func (r *Reader) Path() string { return r.path }

// Summary describes the recording.
func (r *Reader) Summary() *Summary { return &r.sum }

func (r *Reader) readSummary() error {
	st, err := r.f.Stat()
	if err != nil {
		return fmt.Errorf("mcapio: %w", err)
	}
	if _, err := r.f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("mcapio: %w", err)
	}
	mr, err := mcap.NewReader(r.f)
	if err != nil {
		var bm *mcap.ErrBadMagic
		if errors.As(err, &bm) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return badFile(r.path, "not an MCAP file (%d bytes, no MCAP magic and header at the start)", st.Size())
		}
		return badFile(r.path, "cannot read the MCAP header: %v", err)
	}
	defer mr.Close()
	info, err := mr.Info()
	if err != nil {
		return badFile(r.path, "incomplete MCAP (no valid footer and summary at the end: %v); the file was cut short, e.g. a killed recorder; --recover reads its complete chunks", err)
	}
	if info.Statistics == nil {
		return badFile(r.path, "MCAP without a statistics record in its summary; --recover scans it")
	}
	r.sum = Summary{
		Path:        r.path,
		Size:        st.Size(),
		Profile:     info.Header.Profile,
		Library:     info.Header.Library,
		Messages:    info.Statistics.MessageCount,
		Start:       int64(info.Statistics.MessageStartTime),
		End:         int64(info.Statistics.MessageEndTime),
		Chunks:      len(info.ChunkIndexes),
		Compression: map[string]int{},
	}
	for _, ci := range info.ChunkIndexes {
		r.sum.Compression[string(ci.Compression)]++
		r.sum.CompressedBytes += ci.CompressedSize
		r.sum.UncompressedBytes += ci.UncompressedSize
	}
	for _, mi := range info.MetadataIndexes {
		if mi.Name != "avstack" {
			continue
		}
		md, err := mr.GetMetadata(mi.Offset)
		if err != nil {
			return badFile(r.path, "metadata record at %d: %v", mi.Offset, err)
		}
		r.sum.Metadata = md.Metadata
	}
	r.fillSummary(info.Channels, info.Schemas, info.Statistics.ChannelMessageCounts)
	return nil
}

func (r *Reader) fillSummary(chans map[uint16]*mcap.Channel, schemas map[uint16]*mcap.Schema, counts map[uint16]uint64) {
	if r.sum.Size == 0 {
		if st, err := r.f.Stat(); err == nil {
			r.sum.Size = st.Size()
		}
	}
	dur := float64(r.sum.End-r.sum.Start) / 1e9
	for id, c := range chans {
		ch := Channel{ID: id, Subject: c.Topic, Encoding: c.MessageEncoding, Messages: counts[id]}
		if s := schemas[c.SchemaID]; s != nil {
			ch.Type, ch.SchemaEncoding = s.Name, s.Encoding
		}
		if dur > 0 && ch.Messages > 1 {
			ch.RateHz = float64(ch.Messages-1) / dur
		}
		r.sum.Channels = append(r.sum.Channels, ch)
	}
	sort.Slice(r.sum.Channels, func(i, j int) bool {
		a, b := r.sum.Channels[i], r.sum.Channels[j]
		if a.Subject != b.Subject {
			return a.Subject < b.Subject
		}
		return a.ID < b.ID
	})
	for _, s := range schemas {
		r.sum.Schemas = append(r.sum.Schemas, Schema{Name: s.Name, Encoding: s.Encoding, Bytes: len(s.Data)})
	}
	sort.Slice(r.sum.Schemas, func(i, j int) bool { return r.sum.Schemas[i].Name < r.sum.Schemas[j].Name })
}

// SchemaData returns the schema bytes of the named type (a FileDescriptorSet for protobuf), for
// decoding types this binary does not know.
func (r *Reader) SchemaData(name string) ([]byte, bool, error) {
	var out []byte
	found := false
	hooks := &scanHooks{schema: func(s *mcap.Schema) {
		if s.Name == name && !found {
			out, found = append([]byte(nil), s.Data...), true
		}
	}}
	if r.recover {
		if err := r.scan(Filter{}, hooks); err != nil {
			return nil, false, err
		}
		return out, found, nil
	}
	if _, err := r.f.Seek(0, io.SeekStart); err != nil {
		return nil, false, fmt.Errorf("mcapio: %w", err)
	}
	mr, err := mcap.NewReader(r.f)
	if err != nil {
		return nil, false, badFile(r.path, "%v", err)
	}
	defer mr.Close()
	info, err := mr.Info()
	if err != nil {
		return nil, false, badFile(r.path, "%v", err)
	}
	for _, s := range info.Schemas {
		if s.Name == name {
			return s.Data, true, nil
		}
	}
	return nil, false, nil
}

// Subjects lists the distinct subjects of the recording that match the patterns (all when
// none), sorted. A pattern that matches nothing is an error naming it.
func (r *Reader) Subjects(patterns []string) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	for _, p := range patterns {
		n := 0
		for _, c := range r.sum.Channels {
			if c.Subject == p || msg.Match(p, c.Subject) {
				n++
				if !seen[c.Subject] {
					seen[c.Subject] = true
					out = append(out, c.Subject)
				}
			}
		}
		if n == 0 {
			return nil, fmt.Errorf("mcapio: %s: no subject matches %q (the file has %v)", r.path, p, r.allSubjects())
		}
	}
	if len(patterns) == 0 {
		out = r.allSubjects()
	}
	sort.Strings(out)
	return out, nil
}

func (r *Reader) allSubjects() []string {
	seen := map[string]bool{}
	var out []string
	for _, c := range r.sum.Channels {
		if !seen[c.Subject] {
			seen[c.Subject] = true
			out = append(out, c.Subject)
		}
	}
	sort.Strings(out)
	return out
}

// Each calls fn for every message that passes the filter, in file order (= log-time order for
// files this package wrote). An error from fn stops the walk and is returned as is.
func (r *Reader) Each(flt Filter, fn func(Message) error) error {
	if r.recover {
		return r.scan(flt, &scanHooks{message: func(c *mcap.Channel, s *mcap.Schema, m *mcap.Message) error {
			return fn(r.message(c, s, m))
		}})
	}
	if _, err := r.f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("mcapio: %w", err)
	}
	mr, err := mcap.NewReader(r.f)
	if err != nil {
		return badFile(r.path, "%v", err)
	}
	defer mr.Close()
	var topics []string
	if len(flt.Subjects) > 0 {
		for _, c := range r.sum.Channels {
			if flt.match(c.Subject) {
				topics = append(topics, c.Subject)
			}
		}
		if len(topics) == 0 {
			return nil
		}
	}
	opts := []mcap.ReadOpt{mcap.UsingIndex(true), mcap.InOrder(mcap.FileOrder), mcap.WithTopics(topics)}
	if flt.Start > 0 {
		opts = append(opts, mcap.AfterNanos(uint64(flt.Start)))
	}
	it, err := mr.Messages(opts...)
	if err != nil {
		return badFile(r.path, "%v", err)
	}
	var buf mcap.Message
	for {
		s, c, m, err := it.NextInto(&buf)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return badFile(r.path, "reading messages: %v", err)
		}
		if err := fn(r.message(c, s, m)); err != nil {
			return err
		}
	}
}

func (r *Reader) message(c *mcap.Channel, s *mcap.Schema, m *mcap.Message) Message {
	out := Message{Subject: c.Topic, Encoding: c.MessageEncoding, Data: m.Data, LogTime: int64(m.LogTime), PublishTime: int64(m.PublishTime), Sequence: m.Sequence}
	if s != nil {
		out.Type = s.Name
	}
	return out
}

type scanHooks struct {
	schema  func(*mcap.Schema)
	channel func(*mcap.Channel)
	message func(*mcap.Channel, *mcap.Schema, *mcap.Message) error
}

// countingReader counts bytes the lexer consumed.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// callbackErr carries an error of the caller's callback out of the walk untouched.
type callbackErr struct{ err error }

func (e callbackErr) Error() string { return e.err.Error() }

// chunkErr is a chunk that failed its CRC or did not decompress.
type chunkErr struct{ err error }

func (e chunkErr) Error() string { return e.err.Error() }

// scan walks the data section record by record; chunks are read whole, then CRC-checked and
// decompressed, so a chunk cut short is never half-read. It fills the truncation fields of the
// summary.
func (r *Reader) scan(flt Filter, h *scanHooks) error {
	if _, err := r.f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("mcapio: %w", err)
	}
	st, err := r.f.Stat()
	if err != nil {
		return fmt.Errorf("mcapio: %w", err)
	}
	cr := &countingReader{r: bufio.NewReaderSize(r.f, 1<<20)}
	// No record is longer than the file: a corrupt length fails here instead of allocating.
	lex, err := mcap.NewLexer(cr, &mcap.LexerOptions{EmitChunks: true, MaxRecordSize: int(st.Size()) + 1})
	if err != nil {
		return badFile(r.path, "not an MCAP file (no MCAP magic at the start)")
	}
	defer lex.Close()
	schemas := map[uint16]*mcap.Schema{}
	chans := map[uint16]*mcap.Channel{}
	r.sum.BadChunks, r.sum.Chunks = 0, 0
	r.sum.CompressedBytes, r.sum.UncompressedBytes = 0, 0
	r.sum.Compression = map[string]int{}
	r.sum.Truncated, r.sum.TruncatedAt, r.sum.LostBytes = false, 0, 0
	handle := func(tok mcap.TokenType, rec []byte) error {
		switch tok {
		case mcap.TokenSchema:
			s, err := mcap.ParseSchema(rec)
			if err != nil {
				return err
			}
			s.Data = append([]byte(nil), s.Data...)
			schemas[s.ID] = s
			if h.schema != nil {
				h.schema(s)
			}
		case mcap.TokenChannel:
			c, err := mcap.ParseChannel(rec)
			if err != nil {
				return err
			}
			chans[c.ID] = c
			if h.channel != nil {
				h.channel(c)
			}
		case mcap.TokenMessage:
			var m mcap.Message
			if err := m.PopulateFrom(rec, false); err != nil {
				return err
			}
			c := chans[m.ChannelID]
			if c == nil {
				return fmt.Errorf("message on channel %d, which no channel record declared", m.ChannelID)
			}
			if h.message == nil || !flt.match(c.Topic) || int64(m.LogTime) < flt.Start {
				return nil
			}
			if err := h.message(c, schemas[c.SchemaID], &m); err != nil {
				return callbackErr{err}
			}
		}
		return nil
	}
	tok, rec, err := lex.Next(nil)
	if err != nil || tok != mcap.TokenHeader {
		return badFile(r.path, "not an MCAP file (no header record after the magic)")
	}
	hdr, err := mcap.ParseHeader(rec)
	if err != nil {
		return badFile(r.path, "header: %v", err)
	}
	r.sum.Profile, r.sum.Library = hdr.Profile, hdr.Library
	good := cr.n
	var buf []byte
	for {
		tok, rec, err := lex.Next(buf)
		if err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, mcap.ErrRecordTooLarge) {
				r.markTruncated(good)
				return nil
			}
			return badFile(r.path, "at offset %d: %v", good, err)
		}
		if cap(rec) > cap(buf) {
			buf = rec
		}
		switch tok {
		case mcap.TokenChunk:
			err = r.scanChunk(rec, handle)
		case mcap.TokenDataEnd, mcap.TokenFooter:
			// The data section is complete; the summary only repeats what was seen.
			return nil
		case mcap.TokenMetadata:
			if md, perr := mcap.ParseMetadata(rec); perr == nil && md.Name == "avstack" {
				r.sum.Metadata = md.Metadata
			}
		default:
			err = handle(tok, rec)
		}
		if err != nil {
			var cb callbackErr
			var ce chunkErr
			switch {
			case errors.As(err, &cb):
				return cb.err
			case errors.As(err, &ce):
				r.sum.BadChunks++
			default:
				return badFile(r.path, "record at offset %d: %v", good, err)
			}
		}
		good = cr.n
	}
}

func (r *Reader) markTruncated(good int64) {
	st, err := r.f.Stat()
	if err != nil {
		return
	}
	r.sum.Truncated = true
	r.sum.TruncatedAt = good
	r.sum.LostBytes = st.Size() - good
}

// scanChunk CRC-checks and decompresses one complete chunk record and hands its records over.
func (r *Reader) scanChunk(rec []byte, handle func(mcap.TokenType, []byte) error) error {
	if len(rec) < 32 {
		return chunkErr{fmt.Errorf("chunk record of %d bytes is too short", len(rec))}
	}
	comp := ""
	if n := int(binary.LittleEndian.Uint32(rec[28:32])); len(rec) >= 32+n {
		comp = string(rec[32 : 32+n])
	}
	r.sum.Compression[comp]++
	r.sum.Chunks++
	r.sum.UncompressedBytes += binary.LittleEndian.Uint64(rec[16:24])
	r.sum.CompressedBytes += uint64(len(rec))
	framed := make([]byte, 9+len(rec))
	framed[0] = byte(mcap.OpChunk)
	binary.LittleEndian.PutUint64(framed[1:9], uint64(len(rec)))
	copy(framed[9:], rec)
	lex, err := mcap.NewLexer(bytes.NewReader(framed), &mcap.LexerOptions{SkipMagic: true, ValidateChunkCRCs: true})
	if err != nil {
		return chunkErr{err}
	}
	defer lex.Close()
	for {
		tok, data, err := lex.Next(nil)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return chunkErr{err}
		}
		if err := handle(tok, data); err != nil {
			return err
		}
	}
}
