package inspect

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/dynamicpb"

	"github.com/avstack/avstack/bus"
	"github.com/avstack/avstack/replay/mcapio"
)

// Info writes the summary of a recording, as text or as one JSON object.
func Info(w io.Writer, r *mcapio.Reader, asJSON bool) error {
	s := r.Summary()
	if asJSON {
		out := struct {
			*mcapio.Summary
			DurationS float64 `json:"duration_s"`
		}{s, float64(s.Duration()) / 1e9}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	fmt.Fprintf(w, "file:         %s (%s)\n", s.Path, bytesStr(uint64(s.Size)))
	fmt.Fprintf(w, "library:      %s\n", s.Library)
	if s.Profile != "" {
		fmt.Fprintf(w, "profile:      %s\n", s.Profile)
	}
	if s.Recovered {
		state := "complete data section"
		if s.Truncated {
			state = fmt.Sprintf("TRUNCATED: read up to byte %d, %s after it lost (incomplete chunk or record)", s.TruncatedAt, bytesStr(uint64(s.LostBytes)))
		}
		fmt.Fprintf(w, "recovered:    scanned without the summary; %s\n", state)
		if s.BadChunks > 0 {
			fmt.Fprintf(w, "bad chunks:   %d skipped (CRC mismatch or undecompressable)\n", s.BadChunks)
		}
	}
	fmt.Fprintf(w, "messages:     %d\n", s.Messages)
	fmt.Fprintf(w, "start:        %s\n", timeStr(s.Start))
	fmt.Fprintf(w, "end:          %s\n", timeStr(s.End))
	fmt.Fprintf(w, "duration:     %.3f s\n", float64(s.Duration())/1e9)
	var comps []string
	for c, n := range s.Compression {
		if c == "" {
			c = "none"
		}
		comps = append(comps, fmt.Sprintf("%s: %d", c, n))
	}
	sort.Strings(comps)
	fmt.Fprintf(w, "chunks:       %d (%s), %s compressed, %s uncompressed\n", s.Chunks, strings.Join(comps, ", "), bytesStr(s.CompressedBytes), bytesStr(s.UncompressedBytes))
	if len(s.Metadata) > 0 {
		var keys []string
		for k := range s.Metadata {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(w, "metadata:     %s = %s\n", k, s.Metadata[k])
		}
	}
	fmt.Fprintf(w, "channels:     %d\n", len(s.Channels))
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "  SUBJECT\tTYPE\tENCODING\tMESSAGES\tRATE\n")
	for _, c := range s.Channels {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%d\t%.2f Hz\n", c.Subject, c.Type, c.Encoding, c.Messages, c.RateHz)
	}
	tw.Flush()
	fmt.Fprintf(w, "schemas:      %d\n", len(s.Schemas))
	for _, sc := range s.Schemas {
		fmt.Fprintf(w, "  %-36s %s, %d bytes\n", sc.Name, sc.Encoding, sc.Bytes)
	}
	return nil
}

func bytesStr(n uint64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.2f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.2f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// timeStr shows a log time; Unix-epoch times (after 1973) also as UTC dates, sim times
// (counted from the start of a run) as seconds.
func timeStr(ns int64) string {
	if ns > 1e17 {
		return fmt.Sprintf("%d ns (%s)", ns, time.Unix(0, ns).UTC().Format("2006-01-02T15:04:05.000000000Z"))
	}
	return fmt.Sprintf("%d ns (%.3f s)", ns, float64(ns)/1e9)
}

// CatOptions select what Cat prints.
type CatOptions struct {
	// Subjects are NATS patterns (at least one).
	Subjects []string
	JSON     bool
	// Limit stops after this many messages (0 = all).
	Limit int
}

// Decoder turns recorded bytes into messages: registered types first, the recording's own
// schemas for the rest.
type Decoder struct {
	r       *mcapio.Reader
	dynamic map[string]protoreflect.MessageType
}

// NewDecoder makes a decoder for a recording.
func NewDecoder(r *mcapio.Reader) *Decoder {
	return &Decoder{r: r, dynamic: map[string]protoreflect.MessageType{}}
}

// Decode decodes one recorded message.
func (d *Decoder) Decode(m mcapio.Message) (proto.Message, error) {
	if m.Encoding != mcapio.Encoding {
		return nil, fmt.Errorf("inspect: %s: %s: message encoding %q is not protobuf", d.r.Path(), m.Subject, m.Encoding)
	}
	v, err := bus.Decode(bus.RawMsg{Subject: m.Subject, Type: m.Type, Data: m.Data})
	if err == nil {
		return v, nil
	}
	mt, ok := d.dynamic[m.Type]
	if !ok {
		mt, err = d.fromSchema(m.Type)
		if err != nil {
			return nil, fmt.Errorf("inspect: %s: %s: %w", d.r.Path(), m.Subject, err)
		}
		d.dynamic[m.Type] = mt
	}
	if mt == nil {
		return nil, fmt.Errorf("inspect: %s: %s: type %q is neither registered nor described by a schema in the file", d.r.Path(), m.Subject, m.Type)
	}
	dv := mt.New().Interface()
	if err := proto.Unmarshal(m.Data, dv); err != nil {
		return nil, fmt.Errorf("inspect: %s: %s: undecodable %s: %w", d.r.Path(), m.Subject, m.Type, err)
	}
	return dv, nil
}

func (d *Decoder) fromSchema(name string) (protoreflect.MessageType, error) {
	data, ok, err := d.r.SchemaData(name)
	if err != nil || !ok {
		return nil, err
	}
	var set descriptorpb.FileDescriptorSet
	if err := proto.Unmarshal(data, &set); err != nil {
		return nil, fmt.Errorf("schema %s: not a FileDescriptorSet: %w", name, err)
	}
	files, err := protodesc.NewFiles(&set)
	if err != nil {
		return nil, fmt.Errorf("schema %s: %w", name, err)
	}
	desc, err := files.FindDescriptorByName(protoreflect.FullName(name))
	if err != nil {
		return nil, fmt.Errorf("schema %s: %w", name, err)
	}
	md, ok := desc.(protoreflect.MessageDescriptor)
	if !ok {
		return nil, fmt.Errorf("schema %s names no message", name)
	}
	return dynamicpb.NewMessageType(md), nil
}

// Cat prints the decoded messages of the chosen subjects in recorded order. JSON lines carry
// subject, type, log_time_ns, publish_time_ns, sequence and the message as protobuf JSON. The
// text form shows times relative to the start and elides long bytes fields.
func Cat(w io.Writer, r *mcapio.Reader, o CatOptions) error {
	if len(o.Subjects) == 0 {
		return fmt.Errorf("inspect: %s: name a subject to print (--subject)", r.Path())
	}
	subjects, err := r.Subjects(o.Subjects)
	if err != nil {
		return err
	}
	dec := NewDecoder(r)
	start := r.Summary().Start
	pj := protojson.MarshalOptions{UseProtoNames: true}
	n := 0
	errStop := fmt.Errorf("limit")
	err = r.Each(mcapio.Filter{Subjects: subjects}, func(m mcapio.Message) error {
		v, err := dec.Decode(m)
		if err != nil {
			return err
		}
		if o.JSON {
			body, err := pj.Marshal(v)
			if err != nil {
				return fmt.Errorf("inspect: %s: %w", m.Subject, err)
			}
			line, err := json.Marshal(struct {
				Subject     string          `json:"subject"`
				Type        string          `json:"type"`
				LogTime     int64           `json:"log_time_ns"`
				PublishTime int64           `json:"publish_time_ns"`
				Sequence    uint32          `json:"sequence"`
				Message     json.RawMessage `json:"message"`
			}{m.Subject, m.Type, m.LogTime, m.PublishTime, m.Sequence, compact(body)})
			if err != nil {
				return err
			}
			if _, err := fmt.Fprintf(w, "%s\n", line); err != nil {
				return err
			}
		} else {
			elideBytes(v.ProtoReflect(), 16)
			body, err := pj.Marshal(v)
			if err != nil {
				return fmt.Errorf("inspect: %s: %w", m.Subject, err)
			}
			if _, err := fmt.Fprintf(w, "%12.6f  %s  %s  %d B  %s\n", float64(m.LogTime-start)/1e9, m.Subject, m.Type, len(m.Data), compact(body)); err != nil {
				return err
			}
		}
		n++
		if o.Limit > 0 && n >= o.Limit {
			return errStop
		}
		return nil
	})
	if err == errStop {
		return nil
	}
	return err
}

// compact removes the random spaces protojson inserts, so lines are stable.
func compact(b []byte) json.RawMessage {
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		return b
	}
	return json.RawMessage(buf.Bytes())
}

// elideBytes shortens bytes fields longer than n (images, clouds) for display.
func elideBytes(m protoreflect.Message, n int) {
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		switch {
		case fd.IsList() && fd.Message() != nil:
			l := v.List()
			for i := 0; i < l.Len(); i++ {
				elideBytes(l.Get(i).Message(), n)
			}
		case fd.IsMap():
		case fd.Message() != nil:
			elideBytes(v.Message(), n)
		case fd.Kind() == protoreflect.BytesKind && !fd.IsList() && len(v.Bytes()) > n:
			m.Set(fd, protoreflect.ValueOfBytes(v.Bytes()[:n:n]))
		}
		return true
	})
}
