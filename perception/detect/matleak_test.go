//go:build matprofile

package detect

import (
	"errors"
	"testing"

	"gocv.io/x/gocv"
)

// TestNoMatLeaks: with -tags matprofile gocv counts live Mats; a Detect on either engine must
// close every Mat it creates.
func TestNoMatLeaks(t *testing.T) {
	man := manifestPath(t, "fastestdet.yaml", "models/fastestdet/FastestDet.onnx", "models/fastestdet/coco.names")
	img := readImage(t, testdata(t, "models/fastestdet/3.jpg"))
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			m, err := LoadManifest(man)
			if err != nil {
				t.Fatal(err)
			}
			d, err := New(m, WithEngine(e))
			if errors.Is(err, errNNUnavailable) {
				t.Skip(err)
			}
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			before := gocv.MatProfile.Count()
			for i := 0; i < 3; i++ {
				if _, err := d.Detect(img); err != nil {
					t.Fatal(err)
				}
			}
			if after := gocv.MatProfile.Count(); after != before {
				t.Errorf("live Mats %d before 3 Detects, %d after", before, after)
			}
		})
	}
}
