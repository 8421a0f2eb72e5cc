package calibration

import (
	"errors"
	"fmt"
	"image"
	"os"

	"gocv.io/x/gocv"
)

// Board is a chessboard by its inner corners and square size.
type Board struct {
	Cols, Rows int     // inner corners, e.g. 9 x 6
	Square     float64 // metres
}

func (b Board) validate() error {
	if b.Cols < 3 || b.Rows < 3 || b.Cols > 100 || b.Rows > 100 {
		return fmt.Errorf("calibration: board %dx%d: need 3..100 inner corners each way", b.Cols, b.Rows)
	}
	if !(b.Square > 0) || b.Square > 10 {
		return fmt.Errorf("calibration: square %v m must be in (0, 10]", b.Square)
	}
	return nil
}

// View is one image's outcome.
type View struct {
	Path  string
	Found bool
	// Corners in pixels (row by row), when found.
	Corners []gocv.Point2f
	// Note says why the view is special (e.g. a size a pixel off the first image's).
	Note string
}

// sizeSlack is how many pixels an image may differ from the first one's size.
const sizeSlack = 2

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// Result of a calibration.
type Result struct {
	Width, Height int
	K             [9]float64
	D             []float64
	RMSPx         float64
	Views         []View
	Used          int
	Board         Board
}

// File converts the result to the YAML form.
func (r *Result) File() *File {
	return &File{Width: r.Width, Height: r.Height, K: r.K[:], D: r.D, DistortionModel: "plumb_bob",
		RMSPx: r.RMSPx, Images: len(r.Views), ImagesUsed: r.Used,
		Board: fmt.Sprintf("%dx%d", r.Board.Cols, r.Board.Rows), SquareM: r.Board.Square}
}

// FindCorners finds and refines the inner corners of the board in a BGR or grey image.
func FindCorners(img gocv.Mat, b Board) ([]gocv.Point2f, bool) {
	if img.Empty() {
		return nil, false
	}
	grey := gocv.NewMat()
	defer grey.Close()
	switch img.Channels() {
	case 1:
		img.CopyTo(&grey)
	case 3:
		gocv.CvtColor(img, &grey, gocv.ColorBGRToGray)
	case 4:
		gocv.CvtColor(img, &grey, gocv.ColorBGRAToGray)
	default:
		return nil, false
	}
	corners := gocv.NewMat()
	defer corners.Close()
	if !gocv.FindChessboardCorners(grey, image.Pt(b.Cols, b.Rows), &corners, gocv.CalibCBAdaptiveThresh|gocv.CalibCBNormalizeImage) {
		return nil, false
	}
	if corners.Rows()*corners.Cols() != b.Cols*b.Rows {
		return nil, false
	}
	crit := gocv.NewTermCriteria(gocv.Count|gocv.EPS, 30, 0.001)
	gocv.CornerSubPix(grey, &corners, image.Pt(11, 11), image.Pt(-1, -1), crit)
	v := gocv.NewPoint2fVectorFromMat(corners)
	defer v.Close()
	return v.ToPoints(), true
}

// Calibrate finds the board in every image and solves K and D. Images where the board is not
// found are reported in Views and left out; at least 3 views with the board are needed.
func Calibrate(paths []string, b Board) (*Result, error) {
	if err := b.validate(); err != nil {
		return nil, err
	}
	if len(paths) == 0 {
		return nil, errors.New("calibration: no images")
	}
	res := &Result{Board: b}
	var objPts [][]gocv.Point3f
	var imgPts [][]gocv.Point2f
	board := make([]gocv.Point3f, 0, b.Cols*b.Rows)
	for r := 0; r < b.Rows; r++ {
		for c := 0; c < b.Cols; c++ {
			board = append(board, gocv.Point3f{X: float32(float64(c) * b.Square), Y: float32(float64(r) * b.Square)})
		}
	}
	for _, p := range paths {
		if _, err := os.Stat(p); err != nil {
			return nil, fmt.Errorf("calibration: %w", err)
		}
		img := gocv.IMRead(p, gocv.IMReadColor)
		if img.Empty() {
			img.Close()
			return nil, fmt.Errorf("calibration: %s: not a readable image", p)
		}
		w, h := img.Cols(), img.Rows()
		if res.Width == 0 {
			res.Width, res.Height = w, h
		} else if abs(w-res.Width) > sizeSlack || abs(h-res.Height) > sizeSlack {
			img.Close()
			return nil, fmt.Errorf("calibration: %s is %dx%d, the first image is %dx%d: all images must come from one camera mode", p, w, h, res.Width, res.Height)
		}
		note := ""
		if w != res.Width || h != res.Height {
			// Some published sets (Udacity's calibration1..20.jpg) hold a 1281x721 crop of the
			// 1280x720 mode; corner pixel coordinates are unaffected by an extra row/column.
			note = fmt.Sprintf("%dx%d, used as %dx%d", w, h, res.Width, res.Height)
		}
		corners, ok := FindCorners(img, b)
		img.Close()
		res.Views = append(res.Views, View{Path: p, Found: ok, Corners: corners, Note: note})
		if ok {
			objPts = append(objPts, board)
			imgPts = append(imgPts, corners)
		}
	}
	res.Used = len(imgPts)
	if res.Used < 3 {
		return res, fmt.Errorf("calibration: board %dx%d found in only %d of %d images; need at least 3", b.Cols, b.Rows, res.Used, len(paths))
	}
	ov := gocv.NewPoints3fVectorFromPoints(objPts)
	defer ov.Close()
	iv := gocv.NewPoints2fVectorFromPoints(imgPts)
	defer iv.Close()
	k := gocv.NewMat()
	defer k.Close()
	d := gocv.NewMat()
	defer d.Close()
	rv := gocv.NewMat()
	defer rv.Close()
	tv := gocv.NewMat()
	defer tv.Close()
	res.RMSPx = gocv.CalibrateCamera(ov, iv, image.Pt(res.Width, res.Height), &k, &d, &rv, &tv, 0)
	if k.Rows() != 3 || k.Cols() != 3 {
		return nil, fmt.Errorf("calibration: solver returned a %dx%d camera matrix", k.Rows(), k.Cols())
	}
	for i := 0; i < 9; i++ {
		res.K[i] = k.GetDoubleAt(i/3, i%3)
	}
	n := d.Rows() * d.Cols()
	res.D = make([]float64, n)
	for i := 0; i < n; i++ {
		if d.Rows() == 1 {
			res.D[i] = d.GetDoubleAt(0, i)
		} else {
			res.D[i] = d.GetDoubleAt(i, 0)
		}
	}
	return res, nil
}

// Undistort writes the undistorted image of src to dst, keeping K as the new camera matrix.
func Undistort(src gocv.Mat, dst *gocv.Mat, k [9]float64, d []float64) error {
	if src.Empty() {
		return errors.New("calibration: undistort: empty image")
	}
	switch len(d) {
	case 0:
		src.CopyTo(dst)
		return nil
	case 4, 5, 8:
	default:
		return fmt.Errorf("calibration: undistort: %d distortion coefficients, want 4, 5 or 8", len(d))
	}
	km, err := gocv.NewMatFromBytes(3, 3, gocv.MatTypeCV64F, f64bytes(k[:]))
	if err != nil {
		return fmt.Errorf("calibration: %w", err)
	}
	defer km.Close()
	dm, err := gocv.NewMatFromBytes(1, len(d), gocv.MatTypeCV64F, f64bytes(d))
	if err != nil {
		return fmt.Errorf("calibration: %w", err)
	}
	defer dm.Close()
	gocv.Undistort(src, dst, km, dm, km)
	return nil
}
