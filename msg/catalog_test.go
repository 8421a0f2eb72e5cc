package msg

import (
	"testing"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/types/descriptorpb"
)

// Every catalogue entry must name registered types, and every type must give a schema that
// rebuilds on its own (no registry): that is what a reader of an MCAP file has.
func TestCatalogueTypesAndSchemas(t *testing.T) {
	for _, e := range Catalogue {
		if len(e.Types) == 0 {
			t.Errorf("%s: no types", e.Pattern)
		}
		for _, name := range e.Types {
			if _, err := NewMessage(name); err != nil {
				t.Errorf("%s: %v", e.Pattern, err)
				continue
			}
			b, err := SchemaBytes(name)
			if err != nil {
				t.Errorf("%s: %v", e.Pattern, err)
				continue
			}
			var set descriptorpb.FileDescriptorSet
			if err := proto.Unmarshal(b, &set); err != nil {
				t.Fatalf("%s: schema does not parse: %v", name, err)
			}
			files, err := protodesc.NewFiles(&set)
			if err != nil {
				t.Errorf("%s: schema not self-contained: %v", name, err)
				continue
			}
			if _, err := files.FindDescriptorByName(name); err != nil {
				t.Errorf("%s: schema lacks the message: %v", name, err)
			}
		}
	}
}

func TestMatch(t *testing.T) {
	cases := []struct {
		pattern, subject string
		want             bool
	}{
		{"av.sensor.camera.*", "av.sensor.camera.front", true},
		{"av.sensor.camera.*", "av.sensor.camera.front.info", false},
		{"av.sensor.camera.*.info", "av.sensor.camera.front.info", true},
		{"av.sensor.camera.*", "av.sensor.camera", false},
		{"av.>", "av.sensor.camera.front", true},
		{"av.>", "av", false},
		{"av.vehicle.state", "av.vehicle.state", true},
		{"av.vehicle.state", "av.vehicle.stat", false},
		{"av.sensor.camera.*", "av.sensor.camera.", false},
	}
	for _, c := range cases {
		if got := Match(c.pattern, c.subject); got != c.want {
			t.Errorf("Match(%q, %q) = %v, want %v", c.pattern, c.subject, got, c.want)
		}
	}
}

func TestLookupDESIGNSubjects(t *testing.T) {
	cases := map[string]string{
		Camera("front"):      "foxglove.CompressedImage",
		CameraInfo("front"):  "foxglove.CameraCalibration",
		Lidar("top"):         "foxglove.PointCloud",
		SubjectVehicleState:  "avstack.v1.VehicleState",
		Detections("front"):  "avstack.v1.Detections2D",
		SubjectObjects:       "avstack.v1.ObjectList",
		SubjectPrediction:    "avstack.v1.PredictionList",
		SubjectTrajectory:    "avstack.v1.Trajectory",
		SubjectControl:       "avstack.v1.ControlCommand",
		Status("perception"): "avstack.v1.NodeStatus",
		SubjectSimClock:      "avstack.v1.Clock",
		SubjectSimTruth:      "avstack.v1.ObjectList",
		SubjectScene:         "foxglove.SceneUpdate",
	}
	for subj, want := range cases {
		e, ok := Lookup(subj)
		if !ok {
			t.Errorf("%s: not in catalogue", subj)
			continue
		}
		if string(e.Types[0]) != want {
			t.Errorf("%s: type %s, want %s", subj, e.Types[0], want)
		}
	}
	if _, ok := Lookup("av.nope"); ok {
		t.Error("av.nope found in catalogue")
	}
}
