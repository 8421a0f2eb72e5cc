package inspect

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/foxglove/mcap/go/mcap"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/descriptorpb"

	"github.com/avstack/avstack/msg"
	"github.com/avstack/avstack/msg/av"
	"github.com/avstack/avstack/msg/foxglove"
	"github.com/avstack/avstack/node"
	"github.com/avstack/avstack/replay/mcapio"
	"github.com/avstack/avstack/replay/record"
)

func sample(t *testing.T) *mcapio.Reader {
	path := filepath.Join(t.TempDir(), "s.mcap")
	w, err := mcapio.Create(path, mcapio.WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 10; i++ {
		ts := int64(i) * 100_000_000
		record.WriteProto(w, msg.SubjectVehicleState, &av.VehicleState{Header: &av.Header{StampNs: ts}, X: float64(i)}, ts)
		record.WriteProto(w, msg.Camera("front"), &foxglove.CompressedImage{Timestamp: node.Timestamp(ts), Data: bytes.Repeat([]byte{7}, 1000), Format: "jpeg"}, ts)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := mcapio.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

func TestInfo(t *testing.T) {
	r := sample(t)
	var b bytes.Buffer
	if err := Info(&b, r, false); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"messages:     20", "duration:     0.900 s", "av.vehicle.state", "avstack.v1.VehicleState", "foxglove.CompressedImage", "zstd: 1"} {
		if !strings.Contains(b.String(), want) {
			t.Fatalf("info lacks %q:\n%s", want, b.String())
		}
	}
	b.Reset()
	if err := Info(&b, r, true); err != nil {
		t.Fatal(err)
	}
	var js struct {
		Messages  int     `json:"messages"`
		DurationS float64 `json:"duration_s"`
		Channels  []struct {
			Subject  string  `json:"subject"`
			Messages int     `json:"messages"`
			RateHz   float64 `json:"rate_hz"`
		} `json:"channels"`
	}
	if err := json.Unmarshal(b.Bytes(), &js); err != nil {
		t.Fatal(err)
	}
	if js.Messages != 20 || js.DurationS != 0.9 || len(js.Channels) != 2 || js.Channels[1].Subject != msg.SubjectVehicleState || js.Channels[1].Messages != 10 {
		t.Fatalf("json info %+v", js)
	}
}

func TestCat(t *testing.T) {
	r := sample(t)
	var b bytes.Buffer
	if err := Cat(&b, r, CatOptions{Subjects: []string{msg.SubjectVehicleState}, JSON: true}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 10 {
		t.Fatalf("%d lines", len(lines))
	}
	var l struct {
		Subject string `json:"subject"`
		Type    string `json:"type"`
		Message struct {
			X float64 `json:"x"`
		} `json:"message"`
	}
	if err := json.Unmarshal([]byte(lines[3]), &l); err != nil {
		t.Fatal(err)
	}
	if l.Subject != msg.SubjectVehicleState || l.Type != "avstack.v1.VehicleState" || l.Message.X != 3 {
		t.Fatalf("line 3: %s", lines[3])
	}
	b.Reset()
	if err := Cat(&b, r, CatOptions{Subjects: []string{"av.sensor.camera.*"}, Limit: 2}); err != nil {
		t.Fatal(err)
	}
	lines = strings.Split(strings.TrimSpace(b.String()), "\n")
	// The text form shortens the 1000-byte image to 16 bytes: 24 base64 characters.
	if len(lines) != 2 || !strings.Contains(lines[1], `"data":"BwcHBwcHBwcHBwcHBwcHBw=="`) || !strings.Contains(lines[1], "1016 B") {
		t.Fatalf("text cat:\n%s", b.String())
	}
	if err := Cat(&b, r, CatOptions{Subjects: []string{"av.none"}}); err == nil {
		t.Fatal("unknown subject accepted")
	}
}

// TestCatUnknownType: a type this binary does not know is decoded from the schema in the file.
func TestCatUnknownType(t *testing.T) {
	fdp := &descriptorpb.FileDescriptorProto{
		Name: proto.String("ext/thing.proto"), Package: proto.String("ext"), Syntax: proto.String("proto3"),
		MessageType: []*descriptorpb.DescriptorProto{{Name: proto.String("Thing"), Field: []*descriptorpb.FieldDescriptorProto{{
			Name: proto.String("n"), JsonName: proto.String("n"), Number: proto.Int32(1),
			Type: descriptorpb.FieldDescriptorProto_TYPE_INT64.Enum(), Label: descriptorpb.FieldDescriptorProto_LABEL_OPTIONAL.Enum(),
		}}}},
	}
	schema, _ := proto.Marshal(&descriptorpb.FileDescriptorSet{File: []*descriptorpb.FileDescriptorProto{fdp}})
	path := filepath.Join(t.TempDir(), "ext.mcap")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w, err := mcap.NewWriter(f, &mcap.WriterOptions{Chunked: true, Compression: mcap.CompressionZSTD})
	if err != nil {
		t.Fatal(err)
	}
	w.WriteHeader(&mcap.Header{})
	w.WriteSchema(&mcap.Schema{ID: 1, Name: "ext.Thing", Encoding: "protobuf", Data: schema})
	w.WriteChannel(&mcap.Channel{ID: 1, SchemaID: 1, Topic: "ext.things", MessageEncoding: "protobuf"})
	data := protowire.AppendVarint(protowire.AppendTag(nil, 1, protowire.VarintType), 42)
	w.WriteMessage(&mcap.Message{ChannelID: 1, LogTime: 5, PublishTime: 5, Data: data})
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	r, err := mcapio.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var b bytes.Buffer
	if err := Cat(&b, r, CatOptions{Subjects: []string{"ext.things"}, JSON: true}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `"message":{"n":"42"}`) {
		t.Fatalf("cat of an unknown type: %s", b.String())
	}
}
