package bus

import (
	"sort"
	"testing"
	"time"

	"github.com/avstack/avstack/msg"
	"github.com/avstack/avstack/msg/foxglove"
)

// BenchmarkPubSub measures one-way latency (publish to handler, same process clock) and
// throughput of camera-sized messages, in-process and over loopback TCP.
func BenchmarkPubSub(b *testing.B) {
	for _, mode := range []string{"inprocess", "tcp"} {
		for _, size := range []int{200 << 10, 2 << 20} {
			name := mode + "/" + map[int]string{200 << 10: "200KB", 2 << 20: "2MB"}[size]
			b.Run(name, func(b *testing.B) {
				srv, err := StartServer(ServerOptions{Listen: mode == "tcp", Port: -1})
				if err != nil {
					b.Fatal(err)
				}
				defer srv.Shutdown()
				connect := func(n string) *Conn {
					var c *Conn
					if mode == "tcp" {
						c, err = Connect(ConnectOptions{URL: srv.URL(), Name: n})
					} else {
						c, err = ConnectInProcess(srv, n)
					}
					if err != nil {
						b.Fatal(err)
					}
					return c
				}
				pub, subc := connect("pub"), connect("sub")
				defer pub.Close()
				defer subc.Close()
				lat := make([]time.Duration, 0, b.N)
				done := make(chan struct{}, 1)
				var sent time.Time
				sub, err := Subscribe(subc, msg.Camera("bench"), func(m Msg[*foxglove.RawImage]) {
					lat = append(lat, time.Since(sent))
					done <- struct{}{}
				}, WithDelivery(msg.Reliable))
				if err != nil {
					b.Fatal(err)
				}
				defer sub.Close()
				_ = subc.Flush()
				img := &foxglove.RawImage{Encoding: "mono8", Data: make([]byte, size)}
				b.SetBytes(int64(size))
				b.ResetTimer()
				start := time.Now()
				// Ping-pong: one message in flight, so each sample is a clean latency.
				for i := 0; i < b.N; i++ {
					sent = time.Now()
					if err := pub.Publish(msg.Camera("bench"), img); err != nil {
						b.Fatal(err)
					}
					<-done
				}
				el := time.Since(start)
				b.StopTimer()
				sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
				b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-us")
				b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-us")
				b.ReportMetric(float64(b.N)/el.Seconds(), "msgs/s")
			})
		}
	}
}
