// Package lidar is the "lidar" node: it publishes av.sensor.lidar.<name> point clouds
// (foxglove.PointCloud in velodyne.PointStride's layout: x, y, z, intensity float32, ring
// uint16, time offset float32) from a live Velodyne on UDP, a pcap capture, a raw payload
// file, or a folder of KITTI scans.
//
// The node is a source written as a node.Core with a Period (see sensors/doc.go): the runner's
// timer calls Step every poll_period; Step drains the packets that are due — all that wait on
// the socket, or a file's packets up to `now` at recorded pace (or one revolution per step
// with pace: fast) — and returns each completed revolution. It reads no clock and starts no
// goroutine; a live packet's hour comes from `now`, and a file's times are shifted onto the
// runner's timeline at its first packet so relative timing is exact.
//
// Settings (nodes[].settings, all optional except what the source needs):
//
//	lidar: top            # lidars[] entry (model, mount); default the node name
//	source: udp           # udp | pcap | raw | kitti
//	address: ":2368"      # udp bind address
//	path: capture.pcap    # pcap/raw file, or KITTI folder
//	pace: recorded        # recorded | fast (files)
//	loop: false
//	model: VLP-16         # override lidars[].model for decoding
//	cut_azimuth_deg: 0    # where a revolution ends
//	returns: dual         # dual | strongest | last
//
// Bad packets are counted and skipped (Counters, and the node status message); a silent
// socket is reported as degraded.
package lidar
