package scenario

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/avstack/avstack/config"
)

const good = `name: t
map: ../../configs/maps/highway.geojson
duration_s: 10
seed: 3
ego:
  lane: hw_1
  s: 10
  speed: 20
  goal: {lane: hw_1, s: 400}
actors:
  - id: lead
    kind: car
    lane: hw_1
    s: 60
    speed: 20
    behavior:
      type: hard_brake
      decel: 6
      trigger: {time_s: 2}
pass:
  max_collisions: 0
`

func parse(t *testing.T, text string) (*Scenario, error) {
	t.Helper()
	dir := t.TempDir()
	// The map path is relative to the scenario file: place the file two levels under the repo.
	sub := filepath.Join(dir, "a", "b")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	abs, _ := filepath.Abs("../../configs/maps/highway.geojson")
	text = strings.ReplaceAll(text, "../../configs/maps/highway.geojson", abs)
	file := filepath.Join(sub, "s.yaml")
	if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return Load(file)
}

func TestGood(t *testing.T) {
	sc, err := parse(t, good)
	if err != nil {
		t.Fatal(err)
	}
	if len(sc.Route) != 1 || sc.Route[0] != "hw_1" || sc.RoadMap == nil || sc.Actors[0].Behavior.Type != "hard_brake" {
		t.Fatalf("parsed %+v", sc)
	}
}

// TestErrors: bad files name the field and the line. Spec: issue 5, "invalid files give errors
// with field and line".
func TestErrors(t *testing.T) {
	cases := []struct {
		name, old, new string
		field          string
		line           int
	}{
		{"unknown key", "seed: 3", "seed: 3\nsed: 4", "", 5},
		{"bad duration", "duration_s: 10", "duration_s: -1", "duration_s", 3},
		{"no such lane", "  lane: hw_1\n  s: 10", "  lane: hw_9\n  s: 10", "ego.lane", 6},
		{"s beyond lane", "  s: 10\n  speed: 20", "  s: 5000\n  speed: 20", "ego.lane", 6},
		{"bad kind", "kind: car", "kind: tank", "actors[0].kind", 12},
		{"negative decel", "decel: 6", "decel: -3", "actors[0].behavior.decel", 18},
		{"bad behaviour", "type: hard_brake", "type: teleport", "actors[0].behavior.type", 17},
		{"trigger without condition", "trigger: {time_s: 2}", "trigger: {delay_s: 2}", "actors[0].behavior.trigger", 19},
		{"cut-in without neighbour", "type: hard_brake\n      decel: 6", "type: cut_in\n      direction: right", "actors[0].behavior.direction", 18},
		{"route not connected", "goal: {lane: hw_1, s: 400}", "route: [hw_1, hw_3]", "ego.route[1]", 9},
		{"bad probability", "pass:", "sensors:\n  lidar_drop_prob: 1.5\npass:", "sensors.lidar_drop_prob", 21},
		{"wrong type", "speed: 20\n  goal", "speed: fast\n  goal", "", 8},
		{"missing map", "map: ../../configs/maps/highway.geojson", "map: nowhere.geojson", "map", 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			text := strings.Replace(good, c.old, c.new, 1)
			if text == good {
				t.Fatalf("case does not change the file")
			}
			_, err := parse(t, text)
			if err == nil {
				t.Fatal("accepted")
			}
			var ce *config.Error
			if !errors.As(err, &ce) {
				t.Fatalf("error %v is not a config.Error", err)
			}
			if !strings.HasSuffix(ce.File, "s.yaml") {
				t.Fatalf("error %q does not name the file", err)
			}
			if c.field != "" && ce.Field != c.field {
				t.Fatalf("error %q: field %q, want %q", err, ce.Field, c.field)
			}
			if ce.Line != c.line {
				t.Fatalf("error %q: line %d, want %d", err, ce.Line, c.line)
			}
		})
	}
}

// TestShippedScenarios: every file in configs/scenarios loads; there are at least the 12 of
// issue 5 and the names are unique.
func TestShippedScenarios(t *testing.T) {
	files, _ := filepath.Glob("../../configs/scenarios/*.yaml")
	if len(files) < 12 {
		t.Fatalf("%d scenarios, want at least 12", len(files))
	}
	names := map[string]string{}
	for _, f := range files {
		sc, err := Load(f)
		if err != nil {
			t.Fatal(err)
		}
		if prev, dup := names[sc.Name]; dup {
			t.Fatalf("%s and %s share the name %q", prev, f, sc.Name)
		}
		names[sc.Name] = f
		if want := strings.TrimSuffix(filepath.Base(f), ".yaml"); sc.Name != want {
			t.Errorf("%s: name %q, want the file name %q", f, sc.Name, want)
		}
	}
	for _, n := range []string{"lane_keep_straight", "lane_keep_curve", "lead_hard_brake", "slow_lead_overtake", "cut_in",
		"stopped_vehicle", "pedestrian_crossing", "occluded_pedestrian", "dense_highway", "on_ramp_merge",
		"unprotected_left_turn", "sensor_degraded"} {
		if _, ok := names[n]; !ok {
			t.Errorf("scenario %s (issue 5) missing", n)
		}
	}
}
