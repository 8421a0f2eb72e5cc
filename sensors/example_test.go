package sensors_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/avstack/avstack/config"
	"github.com/avstack/avstack/node"
	_ "github.com/avstack/avstack/sensors/camera"
	_ "github.com/avstack/avstack/sensors/kittiplay"
	_ "github.com/avstack/avstack/sensors/lidar"
	_ "github.com/avstack/avstack/sensors/mount"
	_ "github.com/avstack/avstack/sensors/vehiclestate"
)

// TestExampleConfig: configs/sensors-example.yaml loads strictly and every node in it builds
// from the repository root (where its relative paths point).
func TestExampleConfig(t *testing.T) {
	t.Chdir("..")
	v, err := config.LoadVehicle("configs/sensors-example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Nodes) != 4 {
		t.Fatalf("%d nodes, want camera, lidar, vehicle-state, tf", len(v.Nodes))
	}
	data := filepath.Join("..", "shared", "testdata")
	_, dataHere := os.Stat(data)
	for _, n := range v.Nodes {
		t.Run(n.Name, func(t *testing.T) {
			if (n.KindName() == "camera" || n.KindName() == "lidar") && dataHere != nil {
				t.Skipf("%s reads %s, which is not there", n.Name, data)
			}
			core, err := node.New(v, n.Name)
			if err != nil {
				t.Fatal(err)
			}
			if len(core.Spec().Outputs) == 0 || core.Spec().Period <= 0 {
				t.Errorf("%s: spec %+v: a source needs outputs and a period", n.Name, core.Spec())
			}
			if c, ok := core.(interface{ Close() error }); ok {
				c.Close()
			}
		})
	}
}
