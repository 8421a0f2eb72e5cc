package sim

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"gocv.io/x/gocv"

	"github.com/avstack/avstack/sim/scenario"
)

// TestVideoReadBack writes a short run's video (bird's-eye view beside the camera) in both
// containers and reads it back with OpenCV: frame count, size and non-trivial content.
func TestVideoReadBack(t *testing.T) {
	v := loadVehicle(t)
	sc, err := scenario.Load("../configs/scenarios/occluded_pedestrian.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sc.DurationS = 2
	for _, ext := range []string{".avi", ".mp4"} {
		t.Run(ext, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "run"+ext)
			res, err := Run(context.Background(), sc, Options{Vehicle: v, Video: path})
			if err != nil {
				t.Fatal(err)
			}
			vc, err := gocv.VideoCaptureFile(path)
			if err != nil {
				t.Fatal(err)
			}
			defer vc.Close()
			img := gocv.NewMat()
			defer img.Close()
			frames := 0
			for vc.Read(&img) && !img.Empty() {
				if frames == 0 {
					if img.Cols() != BEVSize+640 || img.Rows() != 360 {
						t.Fatalf("frame size %dx%d, want %dx360", img.Cols(), img.Rows(), BEVSize+640)
					}
					mean := img.Mean()
					if mean.Val1+mean.Val2+mean.Val3 < 30 {
						t.Fatalf("first frame is nearly black (mean %v)", mean)
					}
					if dump := os.Getenv("SIM_DUMP_FRAME"); dump != "" {
						gocv.IMWrite(dump, img)
					}
				}
				frames++
			}
			// 20 Hz camera over res.SimTimeS seconds.
			want := int(res.SimTimeS*20 + 0.5)
			if frames != want {
				t.Fatalf("read %d frames back, want %d", frames, want)
			}
		})
	}
}
