package replay_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"

	"github.com/avstack/avstack/config"
	"github.com/avstack/avstack/replay/mcapio"
	"github.com/avstack/avstack/replay/record"
	"github.com/avstack/avstack/sim"
	"github.com/avstack/avstack/sim/scenario"
)

type seen struct {
	subject, typ string
	data         []byte
	log          int64
}

// TestSimRoundTrip: a simulator run with rendered sensors, recorded through the in-process
// hook, reads back with every message byte-identical and in order, on schemas named as
// Foxglove expects (foxglove.CompressedImage, foxglove.PointCloud...) that are self-contained
// FileDescriptorSets defining those names.
func TestSimRoundTrip(t *testing.T) {
	if testing.Short() {
		t.Skip("renders sensors")
	}
	v, err := config.LoadVehicle("../configs/vehicle.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sc, err := scenario.Load("../configs/scenarios/lane_keep_straight.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sc.DurationS = 1
	path := filepath.Join(t.TempDir(), "sim.mcap")
	w, err := mcapio.Create(path, mcapio.WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ob := record.NewObserver(w)
	var want []seen
	_, err = sim.Run(context.Background(), sc, sim.Options{Vehicle: v, Sensors: true, Observer: func(subject, typ string, data []byte, logTime int64) {
		want = append(want, seen{subject, typ, append([]byte(nil), data...), logTime})
		ob.Observe(subject, typ, data, logTime)
	}})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if ob.Err() != nil {
		t.Fatal(ob.Err())
	}
	r, err := mcapio.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	i := 0
	err = r.Each(mcapio.Filter{}, func(m mcapio.Message) error {
		if i >= len(want) {
			return fmt.Errorf("extra message %d on %s", i, m.Subject)
		}
		x := want[i]
		if m.Subject != x.subject || m.Type != x.typ || m.LogTime != x.log || string(m.Data) != string(x.data) {
			return fmt.Errorf("message %d: got %s %s log %d (%d bytes), want %s %s log %d (%d bytes)", i, m.Subject, m.Type, m.LogTime, len(m.Data), x.subject, x.typ, x.log, len(x.data))
		}
		i++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if i != len(want) || i == 0 {
		t.Fatalf("read %d of %d messages", i, len(want))
	}
	types := map[string]bool{}
	for _, c := range r.Summary().Channels {
		types[c.Type] = true
		if c.Encoding != "protobuf" || c.SchemaEncoding != "protobuf" {
			t.Errorf("%s: encodings %q/%q", c.Subject, c.Encoding, c.SchemaEncoding)
		}
	}
	for _, name := range []string{"foxglove.CompressedImage", "foxglove.PointCloud", "foxglove.CameraCalibration", "avstack.v1.VehicleState", "avstack.v1.Clock", "avstack.v1.ObjectList"} {
		if !types[name] {
			t.Errorf("no channel of type %s (have %v)", name, types)
			continue
		}
		data, ok, err := r.SchemaData(name)
		if err != nil || !ok {
			t.Fatalf("schema %s: %v %v", name, ok, err)
		}
		var set descriptorpb.FileDescriptorSet
		if err := proto.Unmarshal(data, &set); err != nil {
			t.Fatal(err)
		}
		files, err := protodesc.NewFiles(&set)
		if err != nil {
			t.Fatalf("schema %s is not self-contained: %v", name, err)
		}
		if _, err := files.FindDescriptorByName(protoreflect.FullName(name)); err != nil {
			t.Fatalf("schema %s: %v", name, err)
		}
	}
	t.Logf("%d messages on %d channels, %d bytes", i, len(r.Summary().Channels), r.Summary().Size)
}
