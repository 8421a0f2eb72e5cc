package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const dyn = "dynamics: {wheelbase: 2.8, length: 4.7, width: 1.85, height: 1.5, max_steer: 0.6, max_steer_rate: 0.8, max_accel: 3, max_decel: 8, max_jerk: 10, max_speed: 40}\n"

func TestDefaultVehicleLoads(t *testing.T) {
	v, err := LoadVehicle("../configs/vehicle.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Cameras) == 0 || len(v.Lidars) == 0 || len(v.Nodes) == 0 {
		t.Fatalf("default vehicle lacks sensors or nodes: %+v", v)
	}
	if v.File != "../configs/vehicle.yaml" {
		t.Errorf("File = %q", v.File)
	}
}

func TestVehicleErrorsNameFileFieldAndValue(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name string
		yaml string
		want []string
	}{
		{"unknown top-level key", dyn + "nodez: []\n", []string{"field nodez not found"}},
		{"unknown nested key", dyn + "cameras: [{name: f, width: 1, height: 1, k: [1,0,0,0,1,0,0,0,1], fov: 3}]\n", []string{"field fov not found"}},
		{"bad dynamics", strings.Replace(dyn, "wheelbase: 2.8", "wheelbase: -1", 1), []string{"dynamics.wheelbase = -1", "positive"}},
		{"camera K", dyn + "cameras: [{name: front, width: 640, height: 360, k: [1,2,3]}]\n", []string{"cameras[0].k", "9 numbers"}},
		{"camera size", dyn + "cameras: [{name: front, width: 0, height: 360, k: [1,0,0,0,1,0,0,0,1]}]\n", []string{"cameras[0].width = 0x360"}},
		{"lidar model", dyn + "lidars: [{name: top, model: VLP-99}]\n", []string{"lidars[0].model = VLP-99", "VLP-16"}},
		{"duplicate node", dyn + "nodes: [{name: a}, {name: a}]\n", []string{"nodes[1].name = a", "duplicate", "nodes[0]"}},
		{"bad node name", dyn + "nodes: [{name: A B}]\n", []string{"nodes[0].name = A B"}},
		{"payload", dyn + "nats: {max_payload: 999999999}\n", []string{"nats.max_payload = 999999999"}},
		{"wrong type", dyn + "nats: {port: eighty}\n", []string{"eighty"}},
		{"empty", "", []string{"empty file"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "_")+".yaml")
			if err := os.WriteFile(path, []byte(c.yaml), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := LoadVehicle(path)
			if err == nil {
				t.Fatal("loaded without error")
			}
			msg := err.Error()
			if !strings.Contains(msg, path) {
				t.Errorf("error %q does not name the file", msg)
			}
			for _, w := range c.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q lacks %q", msg, w)
				}
			}
		})
	}
}

func TestMissingFile(t *testing.T) {
	_, err := LoadVehicle("/nonexistent/vehicle.yaml")
	if err == nil || !strings.Contains(err.Error(), "/nonexistent/vehicle.yaml") {
		t.Fatalf("err = %v", err)
	}
}
