// Package velodyne decodes Velodyne VLP-16 and HDL-32E data packets and reads them from the
// places they come from: a UDP socket, a classic libpcap capture and a raw file of
// back-to-back payloads. Facts and golden values: shared/reference/velodyne-format.md.
//
// Pipeline:
//
//	var p velodyne.Packet
//	err := velodyne.Parse(payload, &p)              // 1206 bytes: flags, azimuths, mode checked
//	dec := velodyne.Decoder{Model: velodyne.VLP16}  // model is configured, not guessed from byte 1205
//	pts = dec.Decode(&p, hostNs, pts[:0])           // x forward, y left, z up; absolute times
//	revs := asm.Add(pts)                            // velodyne.Assembler{Cut: 0}: full turns
//	cloud := velodyne.ToPointCloud(rev, "lidar_top") // foxglove.PointCloud, layout at PointStride
//
// Timestamps: a packet carries microseconds past the hour of its first firing; the hour comes
// from the host clock passed in (PacketTime picks the hour closest to it). Each point's time
// adds the firing sequence and laser offsets (VLP-16 55.296 us and 2.304 us; HDL-32E 46.08 us
// and 1.152 us), and its azimuth is interpolated linearly between blocks as ros-drivers/velodyne
// does (without rounding to whole centidegrees).
//
// Return modes: single-return packets give one return per laser and firing; dual-return
// packets give the last return in even blocks and the strongest (or second strongest) in odd
// blocks, and Decoder.Returns can keep "last", "strongest" or both ("dual").
//
// Bad input never panics: Parse rejects wrong sizes, flags, azimuths, timestamps and mode
// bytes with errors the sources count; PcapReader counts and skips records that are not
// IPv4/UDP to the data port, fragments and torn records, and stops with an error naming the
// offset when a record header's length is impossible. Both parsers have fuzz targets.
package velodyne
