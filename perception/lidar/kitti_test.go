package lidar

import (
	"image"
	_ "image/png"
	"os"
	"testing"

	td "github.com/avstack/avstack/internal/realdata"
	"github.com/avstack/avstack/perception/eval"
	"github.com/avstack/avstack/sensors/kitti"
)

// kittiDir returns $AVSTACK_TESTDATA/kitti/object, skipping when the variable is unset.
func kittiDir(t testing.TB) string {
	t.Helper()
	return td.Path(t, "kitti", "object")
}

// loadFrame loads one KITTI frame as lidar points and an eval frame. A missing file fails.
func loadFrame(t testing.TB, dir, id string) ([]Point, eval.KITTIFrame) {
	t.Helper()
	obj, err := kitti.OpenObject(dir)
	if err != nil {
		t.Fatal(err)
	}
	fr, err := obj.Load(id)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(fr.ImagePath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cfg, _, err := image.DecodeConfig(f)
	if err != nil {
		t.Fatalf("%s: %v", fr.ImagePath, err)
	}
	ef := eval.KITTIFrame{ID: id, VeloToRect: fr.Calib.VeloToRect(), VeloToImage: fr.Calib.VeloToImage(2),
		ImageWidth: cfg.Width, ImageHeight: cfg.Height}
	for _, l := range fr.Labels {
		ef.Labels = append(ef.Labels, eval.KITTILabel{Type: l.Type, Truncated: l.Truncated, Occluded: l.Occluded,
			Box2D: l.Box, H: l.H, W: l.W, L: l.L, X: l.X, Y: l.Y, Z: l.Z, RotationY: l.RotationY})
	}
	pts := make([]Point, len(fr.Points))
	for i, p := range fr.Points {
		pts[i] = Point{p.X, p.Y, p.Z, p.R}
	}
	return pts, ef
}

// kittiOptions are the defaults for KITTI's velodyne frame: the HDL-64E sits 1.73 m above the road.
func kittiOptions() Options {
	o := DefaultOptions()
	o.GroundZ = -1.73
	return o
}

// TestKITTICarRecallPrecision is the acceptance bound of issue 7: on the KITTI object frames of
// the test data, car recall >= 0.8 at BEV IoU 0.5 (cars within 40 m, occlusion <= 1) with
// precision >= 0.7, detections counted inside the camera's field of view.
func TestKITTICarRecallPrecision(t *testing.T) {
	dir := kittiDir(t)
	d, err := NewDetector(kittiOptions())
	if err != nil {
		t.Fatal(err)
	}
	var total eval.Result
	for _, id := range []string{"000001", "000134"} {
		pts, ef := loadFrame(t, dir, id)
		var preds []eval.LidarPred
		for _, o := range d.Detect(pts) {
			preds = append(preds, eval.LidarPred{Class: o.Class, Box: o.Box, Score: float64(o.Score)})
		}
		r, err := eval.EvalLidar(ef, preds, eval.DefaultLidarConfig())
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %d points, %d objects; car %+v", id, len(pts), len(preds), r.Classes["car"])
		total.Add(r)
	}
	car := total.Classes["car"]
	t.Logf("total car %+v pedestrian %+v cyclist %+v", car, total.Classes["pedestrian"], total.Classes["cyclist"])
	if car.GT == 0 {
		t.Fatal("no ground-truth cars in range: the frames or the label conversion are wrong")
	}
	if car.Recall < 0.8 || car.Precision < 0.7 {
		t.Fatalf("car recall %.2f (want >= 0.8), precision %.2f (want >= 0.7)", car.Recall, car.Precision)
	}
}

// BenchmarkDetectKITTI000001 times the whole pipeline on the full 360-degree 120,268-point scan.
func BenchmarkDetectKITTI000001(b *testing.B) {
	dir := kittiDir(b)
	pts, _ := loadFrame(b, dir, "000001")
	d, err := NewDetector(kittiOptions())
	if err != nil {
		b.Fatal(err)
	}
	d.Detect(pts) // warm the buffers
	var st Stats
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d.Detect(pts)
		s := d.Stats()
		st.GroundTime += s.GroundTime
		st.VoxelTime += s.VoxelTime
		st.ClusterTime += s.ClusterTime
		st.FitTime += s.FitTime
	}
	n := float64(b.N)
	b.ReportMetric(float64(st.GroundTime.Microseconds())/n/1000, "ground-ms")
	b.ReportMetric(float64(st.VoxelTime.Microseconds())/n/1000, "voxel-ms")
	b.ReportMetric(float64(st.ClusterTime.Microseconds())/n/1000, "cluster-ms")
	b.ReportMetric(float64(st.FitTime.Microseconds())/n/1000, "fit-ms")
	b.ReportMetric(float64(len(pts)), "points")
}
