package mcapio

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/foxglove/mcap/go/mcap"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/avstack/avstack/msg"
	"github.com/avstack/avstack/msg/av"
	"github.com/avstack/avstack/msg/foxglove"
)

type rec struct {
	subject, typ string
	data         []byte
	log, pub     int64
}

// synthetic builds n messages over three subjects with random payloads (incompressible, so
// chunks fill quickly).
func synthetic(t testing.TB, n int) []rec {
	rng := rand.New(rand.NewSource(1))
	var out []rec
	for i := 0; i < n; i++ {
		ts := int64(1_000_000_000 + i*10_000_000)
		var r rec
		switch i % 3 {
		case 0:
			img := make([]byte, 2000+rng.Intn(2000))
			rng.Read(img)
			m := &foxglove.CompressedImage{Timestamp: &timestampT{Seconds: ts / 1e9, Nanos: int32(ts % 1e9)}, Data: img, Format: "jpeg", FrameId: "cam"}
			r = rec{msg.Camera("front"), "foxglove.CompressedImage", mustMarshal(t, m), ts, ts}
		case 1:
			m := &av.VehicleState{Header: &av.Header{StampNs: ts, Seq: uint64(i)}, X: float64(i), V: 3}
			r = rec{msg.SubjectVehicleState, "avstack.v1.VehicleState", mustMarshal(t, m), ts, ts}
		case 2:
			m := &av.ObjectList{Header: &av.Header{StampNs: ts}, Objects: []*av.Object{{Id: uint64(i), Box: &av.Box3D{X: 1, Length: 4}}}}
			r = rec{msg.SubjectObjects, "avstack.v1.ObjectList", mustMarshal(t, m), ts + 1, ts}
		}
		out = append(out, r)
	}
	return out
}

func mustMarshal(t testing.TB, m proto.Message) []byte {
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func writeAll(t testing.TB, path string, o WriterOptions, recs []rec) *Writer {
	w, err := Create(path, o)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if err := w.Write(r.subject, r.typ, r.data, r.log, r.pub); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

func readAll(t testing.TB, r *Reader, f Filter) []rec {
	var out []rec
	if err := r.Each(f, func(m Message) error {
		if m.Encoding != Encoding {
			return fmt.Errorf("encoding %q", m.Encoding)
		}
		out = append(out, rec{m.Subject, m.Type, append([]byte(nil), m.Data...), m.LogTime, m.PublishTime})
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

func sameRecs(t *testing.T, got, want []rec) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d messages, want %d", len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.subject != w.subject || g.typ != w.typ || g.log != w.log || g.pub != w.pub || !bytes.Equal(g.data, w.data) {
			t.Fatalf("message %d: got %s %s log %d pub %d (%d bytes), want %s %s log %d pub %d (%d bytes)",
				i, g.subject, g.typ, g.log, g.pub, len(g.data), w.subject, w.typ, w.log, w.pub, len(w.data))
		}
	}
}

// TestRoundTrip: every message comes back with identical bytes, subject, type and times, from
// the indexed reader and from the recovering scanner, and the schemas are self-contained
// FileDescriptorSets named as Foxglove expects.
func TestRoundTrip(t *testing.T) {
	for _, comp := range []string{"zstd", "lz4", "none"} {
		t.Run(comp, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "rt.mcap")
			recs := synthetic(t, 300)
			w := writeAll(t, path, WriterOptions{ChunkSize: 64 << 10, Compression: comp, Metadata: map[string]string{"scenario": "test"}}, recs)
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			r, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			sum := r.Summary()
			if sum.Messages != 300 || sum.Chunks < 2 || sum.Metadata["scenario"] != "test" {
				t.Fatalf("summary: %d messages, %d chunks, metadata %v", sum.Messages, sum.Chunks, sum.Metadata)
			}
			wantComp := comp
			if comp == "none" {
				wantComp = ""
			}
			if sum.Compression[wantComp] != sum.Chunks {
				t.Fatalf("compression %v, want all %q", sum.Compression, wantComp)
			}
			sameRecs(t, readAll(t, r, Filter{}), recs)
			for _, name := range []string{"foxglove.CompressedImage", "avstack.v1.VehicleState", "avstack.v1.ObjectList"} {
				data, ok, err := r.SchemaData(name)
				if err != nil || !ok {
					t.Fatalf("schema %s: found %v, %v", name, ok, err)
				}
				var set descriptorpb.FileDescriptorSet
				if err := proto.Unmarshal(data, &set); err != nil {
					t.Fatalf("schema %s: %v", name, err)
				}
				files, err := protodesc.NewFiles(&set)
				if err != nil {
					t.Fatalf("schema %s is not self-contained: %v", name, err)
				}
				if _, err := files.FindDescriptorByName(protoreflectName(name)); err != nil {
					t.Fatalf("schema %s does not define its type: %v", name, err)
				}
			}
			rr, err := OpenRecover(path)
			if err != nil {
				t.Fatal(err)
			}
			defer rr.Close()
			if rr.Summary().Truncated || rr.Summary().Chunks != sum.Chunks {
				t.Fatalf("recover on a complete file: truncated %v, chunks %d want %d", rr.Summary().Truncated, rr.Summary().Chunks, sum.Chunks)
			}
			sameRecs(t, readAll(t, rr, Filter{}), recs)
		})
	}
}

func TestFilter(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f.mcap")
	recs := synthetic(t, 90)
	if err := writeAll(t, path, WriterOptions{ChunkSize: 8 << 10}, recs).Close(); err != nil {
		t.Fatal(err)
	}
	start := recs[45].log
	var want []rec
	for _, r := range recs {
		if r.subject == msg.SubjectVehicleState && r.log >= start {
			want = append(want, r)
		}
	}
	for _, open := range []func(string) (*Reader, error){Open, OpenRecover} {
		r, err := open(path)
		if err != nil {
			t.Fatal(err)
		}
		sameRecs(t, readAll(t, r, Filter{Subjects: []string{"av.vehicle.*"}, Start: start}), want)
		if _, err := r.Subjects([]string{"av.nothing.here"}); err == nil {
			t.Fatal("a pattern that matches nothing is not an error")
		}
		r.Close()
	}
}

// TestTruncatedMidChunk: a file cut in the middle of a chunk (a killed writer) is a clear
// ErrBadFile for Open, and OpenRecover returns exactly the messages of the complete chunks.
func TestTruncatedMidChunk(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "full.mcap")
	recs := synthetic(t, 600)
	w := writeAll(t, path, WriterOptions{ChunkSize: 32 << 10}, recs)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	full, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// Find the chunks from the complete file's index and cut inside the third one.
	mr, err := mcap.NewReader(bytes.NewReader(full))
	if err != nil {
		t.Fatal(err)
	}
	info, err := mr.Info()
	if err != nil {
		t.Fatal(err)
	}
	if len(info.ChunkIndexes) < 4 {
		t.Fatalf("want >= 4 chunks, got %d", len(info.ChunkIndexes))
	}
	third := info.ChunkIndexes[2]
	cut := third.ChunkStartOffset + third.ChunkLength/2
	var wantN int
	cutPath := filepath.Join(dir, "cut.mcap")
	if err := os.WriteFile(cutPath, full[:cut], 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(cutPath); !errors.Is(err, ErrBadFile) {
		t.Fatalf("Open of a truncated file: %v, want ErrBadFile", err)
	}
	r, err := OpenRecover(cutPath)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	sum := r.Summary()
	if !sum.Truncated || sum.Chunks != 2 || sum.TruncatedAt != int64(third.ChunkStartOffset) || sum.LostBytes != int64(cut-third.ChunkStartOffset) {
		t.Fatalf("summary: truncated %v chunks %d at %d lost %d; want true, 2, %d, %d", sum.Truncated, sum.Chunks, sum.TruncatedAt, sum.LostBytes, third.ChunkStartOffset, cut-third.ChunkStartOffset)
	}
	got := readAll(t, r, Filter{})
	// The first two chunks hold a prefix of the messages: every message logged up to the
	// second chunk's end time, in order.
	for _, rr := range recs {
		if uint64(rr.log) <= info.ChunkIndexes[1].MessageEndTime {
			wantN++
		}
	}
	if len(got) != wantN || wantN == 0 {
		t.Fatalf("recovered %d messages, want %d", len(got), wantN)
	}
	sameRecs(t, got, recs[:wantN])
}

func TestNotMCAP(t *testing.T) {
	dir := t.TempDir()
	cases := map[string][]byte{
		"empty":   {},
		"text":    []byte("hello, this is not a recording\n"),
		"magic":   mcap.Magic,
		"garbage": bytes.Repeat([]byte{0x42}, 4096),
	}
	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(dir, name+".mcap")
			if err := os.WriteFile(p, data, 0o644); err != nil {
				t.Fatal(err)
			}
			if _, err := Open(p); !errors.Is(err, ErrBadFile) {
				t.Fatalf("Open: %v, want ErrBadFile", err)
			}
			if _, err := OpenRecover(p); !errors.Is(err, ErrBadFile) {
				t.Fatalf("OpenRecover: %v, want ErrBadFile", err)
			}
		})
	}
}

func TestSplit(t *testing.T) {
	cases := []struct {
		name string
		opts WriterOptions
	}{
		{"size", WriterOptions{ChunkSize: 16 << 10, SplitSize: 100 << 10}},
		{"duration", WriterOptions{SplitDuration: time.Second}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "s.mcap")
			recs := synthetic(t, 400) // 4 s of log time, ~500 KB
			w := writeAll(t, path, c.opts, recs)
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			files := w.Files()
			if len(files) < 3 {
				t.Fatalf("got %d files %v, want several", len(files), files)
			}
			var got []rec
			for i, f := range files {
				if want := filepath.Join(filepath.Dir(path), fmt.Sprintf("s_%03d.mcap", i)); f != want {
					t.Fatalf("file %d is %s, want %s", i, f, want)
				}
				r, err := Open(f)
				if err != nil {
					t.Fatal(err)
				}
				if c.opts.SplitDuration > 0 && r.Summary().Duration() >= int64(c.opts.SplitDuration) {
					t.Fatalf("%s spans %d ns, more than the split duration", f, r.Summary().Duration())
				}
				got = append(got, readAll(t, r, Filter{})...)
				r.Close()
			}
			sameRecs(t, got, recs)
		})
	}
}

func TestWriteErrors(t *testing.T) {
	path := filepath.Join(t.TempDir(), "e.mcap")
	w, err := Create(path, WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write("av.x", "no.such.Type", nil, 1, 1); err == nil {
		t.Fatal("unknown type accepted")
	}
	// The recording goes on after a bad message.
	if err := w.Write(msg.SubjectVehicleState, "avstack.v1.VehicleState", nil, 5, 5); err != nil {
		t.Fatal(err)
	}
	// A log time that goes backwards is clamped so file order stays log-time order.
	if err := w.Write(msg.SubjectVehicleState, "avstack.v1.VehicleState", nil, 3, 3); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Write(msg.SubjectVehicleState, "avstack.v1.VehicleState", nil, 9, 9); err == nil {
		t.Fatal("write after close accepted")
	}
	r, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	got := readAll(t, r, Filter{})
	if len(got) != 2 || got[1].log != 5 || got[1].pub != 3 {
		t.Fatalf("got %+v", got)
	}
}

type timestampT = timestamppb.Timestamp

func protoreflectName(s string) protoreflect.FullName { return protoreflect.FullName(s) }

// TestCorruptLength: a record length pointing past the end of the file (garbage after a cut)
// is read as truncation, without allocating what the length claims.
func TestCorruptLength(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ok.mcap")
	if err := writeAll(t, path, WriterOptions{ChunkSize: 8 << 10}, synthetic(t, 60)).Close(); err != nil {
		t.Fatal(err)
	}
	full, _ := os.ReadFile(path)
	mr, _ := mcap.NewReader(bytes.NewReader(full))
	info, err := mr.Info()
	if err != nil {
		t.Fatal(err)
	}
	second := info.ChunkIndexes[1].ChunkStartOffset
	bad := append([]byte(nil), full[:second+200]...)
	for i := 1; i < 9; i++ {
		bad[second+uint64(i)] = 0x7f // length ~ 9e18
	}
	p := filepath.Join(dir, "bad.mcap")
	os.WriteFile(p, bad, 0o644)
	r, err := OpenRecover(p)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if s := r.Summary(); !s.Truncated || s.Chunks != 1 || s.TruncatedAt != int64(second) {
		t.Fatalf("summary %+v", s)
	}
}
