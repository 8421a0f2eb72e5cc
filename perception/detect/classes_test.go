package detect

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseClassNames(t *testing.T) {
	cases := []struct {
		name, in string
		want     []string
		err      string
	}{
		{"plain", "person\nbicycle\ncar\n", []string{"person", "bicycle", "car"}, ""},
		{"crlf and spaces", "person\r\n traffic light \r\n", []string{"person", "traffic light"}, ""},
		{"trailing blank lines", "a\nb\n\n\n", []string{"a", "b"}, ""},
		{"blank in the middle", "a\n\nb\n", nil, "line 2 is empty"},
		{"empty", "\n\n", nil, "no class names"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParseClassNames("x.names", []byte(c.in))
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) || !strings.Contains(err.Error(), "x.names") {
					t.Fatalf("error %v, want one naming x.names and containing %q", err, c.err)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, c.want) {
				t.Fatalf("got %q, %v; want %q", got, err, c.want)
			}
		})
	}
}

func TestDrivingClassOf(t *testing.T) {
	cases := []struct {
		coco string
		want DrivingClass
		ok   bool
	}{
		{"car", Car, true}, {"truck", Truck, true}, {"bus", Bus, true},
		{"motorbike", Motorcycle, true}, {"motorcycle", Motorcycle, true},
		{"bicycle", Bicycle, true}, {"person", Person, true},
		{"traffic light", TrafficLight, true}, {"stop sign", StopSign, true},
		{"dog", "", false}, {"train", "", false}, {"", "", false},
	}
	for _, c := range cases {
		t.Run(c.coco, func(t *testing.T) {
			got, ok := DrivingClassOf(c.coco)
			if got != c.want || ok != c.ok {
				t.Errorf("DrivingClassOf(%q) = %q, %v; want %q, %v", c.coco, got, ok, c.want, c.ok)
			}
		})
	}
}

// TestClassMapCOCO: over the real COCO names file, exactly the eight driving classes map.
func TestClassMapCOCO(t *testing.T) {
	names, err := ReadClassNames(testdata(t, "models/fastestdet/coco.names"))
	if err != nil {
		t.Fatal(err)
	}
	if len(names) != 80 {
		t.Fatalf("%d COCO names, want 80", len(names))
	}
	got := map[DrivingClass]string{}
	for i, c := range ClassMap(names) {
		if c != "" {
			if prev, dup := got[c]; dup {
				t.Errorf("%q maps from both %q and %q", c, prev, names[i])
			}
			got[c] = names[i]
		}
	}
	want := map[DrivingClass]string{Car: "car", Truck: "truck", Bus: "bus", Motorcycle: "motorbike",
		Bicycle: "bicycle", Person: "person", TrafficLight: "traffic light", StopSign: "stop sign"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("class map %v, want %v", got, want)
	}
}
