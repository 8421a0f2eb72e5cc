package detect

import (
	"errors"
	"testing"
)

// BenchmarkDetect times one full Detect (pre-processing, network, decoding, NMS) per engine on
// the models' sample images; frames/s is reported beside ns/op.
func BenchmarkDetect(b *testing.B) {
	cases := []struct{ name, manifest, image string }{
		{"fastestdet", "fastestdet.yaml", "models/fastestdet/3.jpg"},
		{"yolo-fastest-1.1", "yolo-fastest-1.1.yaml", "models/yolo-fastest-1.1/dog.jpg"},
	}
	for _, c := range cases {
		for _, e := range engines {
			b.Run(c.name+"/"+string(e), func(b *testing.B) {
				root := benchTestdata(b)
				m, err := LoadManifest("../../configs/models/" + c.manifest)
				if err != nil {
					b.Fatal(err)
				}
				d, err := New(m, WithEngine(e), WithThreads(1))
				if errors.Is(err, errNNUnavailable) {
					b.Skip(err)
				}
				if err != nil {
					b.Fatal(err)
				}
				defer d.Close()
				img := benchImage(b, root+"/"+c.image)
				defer img.Close()
				if _, err := d.Detect(img); err != nil {
					b.Fatal(err)
				}
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					if _, err := d.Detect(img); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "frames/s")
			})
		}
	}
}
