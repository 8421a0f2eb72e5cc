package calibration

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gocv.io/x/gocv"
)

func calibImages(t *testing.T) []string {
	t.Helper()
	root := os.Getenv("AVSTACK_TESTDATA")
	if root == "" {
		t.Skip("AVSTACK_TESTDATA is not set; skipping calibration on real chessboard images")
	}
	var out []string
	for i := 1; i <= 20; i++ {
		p := filepath.Join(root, "video", "camera-calibration", fmt.Sprintf("calibration%d.jpg", i))
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("AVSTACK_TESTDATA is set but %s is missing", p)
		}
		out = append(out, p)
	}
	return out
}

// rowResidual fits a line to each board row (total least squares) and returns the RMS distance
// of the corners from their row's line, in pixels.
func rowResidual(c []gocv.Point2f, cols, rows int) float64 {
	var sum float64
	n := 0
	for r := 0; r < rows; r++ {
		pts := c[r*cols : (r+1)*cols]
		var mx, my float64
		for _, p := range pts {
			mx += float64(p.X)
			my += float64(p.Y)
		}
		mx /= float64(cols)
		my /= float64(cols)
		var sxx, syy, sxy float64
		for _, p := range pts {
			dx, dy := float64(p.X)-mx, float64(p.Y)-my
			sxx += dx * dx
			syy += dy * dy
			sxy += dx * dy
		}
		// smallest eigenvalue of the scatter matrix = sum of squared perpendicular distances
		tr, det := sxx+syy, sxx*syy-sxy*sxy
		lmin := tr/2 - math.Sqrt(math.Max(tr*tr/4-det, 0))
		sum += lmin
		n += cols
	}
	return math.Sqrt(sum / float64(n))
}

// TestCalibrateChessboard is issue 6's bound: the board is found in at least 17 of 20 images,
// the RMS reprojection error is under 1 px, and undistortion straightens the rows.
func TestCalibrateChessboard(t *testing.T) {
	paths := calibImages(t)
	b := Board{Cols: 9, Rows: 6, Square: 0.025}
	res, err := Calibrate(paths, b)
	if err != nil {
		t.Fatal(err)
	}
	var missing []string
	for _, v := range res.Views {
		if !v.Found {
			missing = append(missing, filepath.Base(v.Path))
		}
	}
	t.Logf("board in %d/%d images (not in %v), %dx%d, RMS %.4f px, K=%.2f D=%.4f", res.Used, len(paths), missing, res.Width, res.Height, res.RMSPx, res.K, res.D)
	if res.Used < 17 {
		t.Errorf("board found in %d images, want >= 17", res.Used)
	}
	if !(res.RMSPx < 1.0) || res.RMSPx <= 0 {
		t.Errorf("RMS %.4f px, want in (0, 1)", res.RMSPx)
	}
	if res.K[2] < 0.3*float64(res.Width) || res.K[2] > 0.7*float64(res.Width) {
		t.Errorf("cx %.1f far from the image centre", res.K[2])
	}

	// Undistortion: the most distorted view (largest row residual) gets much straighter.
	worst, worstRes := -1, 0.0
	for i, v := range res.Views {
		if v.Found {
			if r := rowResidual(v.Corners, b.Cols, b.Rows); r > worstRes {
				worst, worstRes = i, r
			}
		}
	}
	img := gocv.IMRead(res.Views[worst].Path, gocv.IMReadColor)
	defer img.Close()
	und := gocv.NewMat()
	defer und.Close()
	if err := Undistort(img, &und, res.K, res.D); err != nil {
		t.Fatal(err)
	}
	c2, ok := FindCorners(und, b)
	if !ok {
		t.Fatalf("board not found after undistorting %s", res.Views[worst].Path)
	}
	after := rowResidual(c2, b.Cols, b.Rows)
	t.Logf("%s: row line-fit residual %.3f px before, %.3f px after undistortion", filepath.Base(res.Views[worst].Path), worstRes, after)
	if !(after < worstRes/2) {
		t.Errorf("row residual %.3f -> %.3f px: undistortion did not straighten the rows", worstRes, after)
	}

	// The file round-trips.
	path := filepath.Join(t.TempDir(), "cam.yaml")
	if err := WriteFile(path, res.File()); err != nil {
		t.Fatal(err)
	}
	f, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if f.K[0] != res.K[0] || len(f.D) != len(res.D) || f.ImagesUsed != res.Used {
		t.Errorf("round trip: %+v", f)
	}
}

func TestCalibrateErrors(t *testing.T) {
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.jpg")
	os.WriteFile(junk, []byte("not a jpeg"), 0o644)
	badYAML := filepath.Join(dir, "bad.yaml")
	os.WriteFile(badYAML, []byte("width: 10\nheight: 10\nk: [1,0,0,0,1,0,0,0,1]\nd: [1,2,3]\n"), 0o644)
	unknown := filepath.Join(dir, "unknown.yaml")
	os.WriteFile(unknown, []byte("width: 10\nheight: 10\nk: [1,0,0,0,1,0,0,0,1]\nfocal: 3\n"), 0o644)
	cases := []struct {
		name string
		run  func() error
		want string
	}{
		{"missing image", func() error {
			_, err := Calibrate([]string{filepath.Join(dir, "none.jpg")}, Board{9, 6, 0.025})
			return err
		}, "none.jpg"},
		{"undecodable image", func() error { _, err := Calibrate([]string{junk}, Board{9, 6, 0.025}); return err }, "junk.jpg: not a readable image"},
		{"tiny board", func() error { _, err := Calibrate([]string{junk}, Board{2, 6, 0.025}); return err }, "board 2x6"},
		{"zero square", func() error { _, err := Calibrate([]string{junk}, Board{9, 6, 0}); return err }, "square 0"},
		{"bad d", func() error { _, err := ReadFile(badYAML); return err }, "bad.yaml: d has 3 numbers"},
		{"unknown key", func() error { _, err := ReadFile(unknown); return err }, "field focal not found"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.run()
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "calibration: ") {
				t.Fatalf("error %v, want one containing %q", err, c.want)
			}
		})
	}
}
