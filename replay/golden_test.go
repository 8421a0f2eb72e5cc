package replay_test

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/avstack/avstack/config"
	"github.com/avstack/avstack/msg"
	"github.com/avstack/avstack/replay/harness"
	"github.com/avstack/avstack/replay/mcapio"
	"github.com/avstack/avstack/replay/record"
	"github.com/avstack/avstack/sim"
	"github.com/avstack/avstack/sim/scenario"

	_ "github.com/avstack/avstack/control"
	_ "github.com/avstack/avstack/perception/perceive"
	_ "github.com/avstack/avstack/planning"
)

var (
	update     = flag.Bool("update", false, "rewrite the golden references (FILE.NODE.ref.mcap) from the nodes' current outputs")
	makeGolden = flag.Bool("make-golden", false, "re-run the simulator and rewrite the golden drives of testdata/golden.yaml")
)

type goldenDrive struct {
	Name      string   `yaml:"name"`
	Scenario  string   `yaml:"scenario"`
	DurationS float64  `yaml:"duration_s"`
	Seed      uint64   `yaml:"seed"`
	Config    string   `yaml:"config"`
	Nodes     []string `yaml:"nodes"`
	Drop      []string `yaml:"drop"`
}

func goldenManifest(t *testing.T) []goldenDrive {
	data, err := os.ReadFile("testdata/golden.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Drives []goldenDrive `yaml:"drives"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("testdata/golden.yaml: %v", err)
	}
	if len(m.Drives) == 0 {
		t.Fatal("testdata/golden.yaml lists no drives")
	}
	return m.Drives
}

func (d goldenDrive) recording() string { return filepath.Join("testdata", d.Name+".mcap") }
func (d goldenDrive) config() string    { return filepath.Join("testdata", d.Config) }

// TestGolden replays every golden drive through each of its nodes and compares the outputs
// with the recorded ones (or the drive's NODE.ref.mcap after -update).
func TestGolden(t *testing.T) {
	for _, d := range goldenManifest(t) {
		if _, err := os.Stat(d.recording()); err != nil {
			t.Fatalf("%s: %v (make it with: go test ./replay -run TestMakeGolden -make-golden)", d.Name, err)
		}
		for _, n := range d.Nodes {
			t.Run(d.Name+"/"+n, func(t *testing.T) {
				harness.Check(t, harness.Case{Recording: d.recording(), Vehicle: d.config(), Node: n, Update: *update})
			})
		}
	}
}

// TestMakeGolden re-runs the simulator with the stack for every golden drive and rewrites its
// recording (only with -make-golden).
func TestMakeGolden(t *testing.T) {
	if !*makeGolden {
		t.Skip("rewrites testdata/*.mcap; run with -make-golden")
	}
	for _, d := range goldenManifest(t) {
		v, err := config.LoadVehicle(d.config())
		if err != nil {
			t.Fatal(err)
		}
		sc, err := scenario.Load(filepath.Join("testdata", d.Scenario))
		if err != nil {
			t.Fatal(err)
		}
		if d.DurationS > 0 {
			sc.DurationS = d.DurationS
		}
		w, err := mcapio.Create(d.recording(), mcapio.WriterOptions{Metadata: map[string]string{
			"golden.scenario": d.Scenario, "golden.config": d.Config, "golden.made": time.Now().UTC().Format(time.RFC3339),
		}})
		if err != nil {
			t.Fatal(err)
		}
		ob := record.NewObserver(w)
		seed := d.Seed
		res, err := sim.Run(context.Background(), sc, sim.Options{Vehicle: v, Seed: &seed, Driver: sim.DriverStack, Sensors: true, Nodes: d.Nodes,
			Observer: func(subject, typ string, data []byte, logTime int64) {
				for _, p := range d.Drop {
					if p == subject || msg.Match(p, subject) {
						return
					}
				}
				ob.Observe(subject, typ, data, logTime)
			}})
		if cerr := w.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = ob.Err()
		}
		if err != nil {
			t.Fatalf("%s: %v", d.Name, err)
		}
		st, _ := os.Stat(d.recording())
		t.Logf("%s: %d ticks, %d messages recorded, %d bytes", d.Name, res.Ticks, ob.Messages(), st.Size())
	}
}

// TestGoldenDetectsChange: a node whose behaviour is changed on purpose (perception needing 5
// hits instead of 3 to confirm a track) fails its golden drive, and the report names the field.
func TestGoldenDetectsChange(t *testing.T) {
	d := goldenManifest(t)[0]
	base, err := os.ReadFile(d.config())
	if err != nil {
		t.Fatal(err)
	}
	changed := bytes.Replace(base, []byte("    kind: perception\n"), []byte("    kind: perception\n    settings: {tracking: {confirm_hits: 5}}\n"), 1)
	if bytes.Equal(changed, base) {
		t.Fatal("golden.vehicle.yaml has no perception node to change")
	}
	p := filepath.Join(t.TempDir(), "changed.yaml")
	if err := os.WriteFile(p, changed, 0o644); err != nil {
		t.Fatal(err)
	}
	v, err := config.LoadVehicle(p)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := mcapio.Open(d.recording())
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Close()
	res, err := harness.Run(rec, nil, harness.Options{Vehicle: v, Node: "perception"})
	if err != nil {
		t.Fatal(err)
	}
	if harness.ExitCode(res, nil) != 1 || len(res.Diffs) == 0 {
		t.Fatalf("changed perception passes its golden drive: %+v", res.Subjects)
	}
	first := res.Diffs[0]
	if first.Subject != msg.SubjectObjects || first.Path != "objects.length" || first.Got != "0" || first.Want != "1" {
		t.Fatalf("first difference %+v, want av.perception.objects objects.length got 0 want 1", first)
	}
}
