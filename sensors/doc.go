// Package sensors is the home of the drivers that put a vehicle's sensor data on the bus.
// Each subpackage provides one thing:
//
//	sensors/camera       "camera" node: OpenCV capture (V4L2 device, video file, stream URL,
//	                     image folder) -> av.sensor.camera.<name> (+ .info calibration)
//	sensors/calibration  chessboard calibration (avstack calibrate camera) and its YAML file
//	sensors/velodyne     VLP-16 / HDL-32E packet decoding, revolutions, pcap/raw/UDP readers
//	sensors/lidar        "lidar" node: Velodyne (UDP, pcap, raw) or KITTI scans -> av.sensor.lidar.<name>
//	sensors/kitti        read-only KITTI readers (object and raw layouts), projection
//	sensors/kittiplay    "kitti" node: a KITTI object folder or raw drive as a live source
//	sensors/vehiclestate "vehicle-state" node and the odometry Source interface (sim, replay; CAN plugs in)
//	sensors/mount        frame names and the sensor frame tree -> av.tf ("tf" node)
//
// # Why drivers are node.Cores with a Period
//
// A driver is a source: nothing on the bus triggers it. There were two ways to fit one into
// the node pattern (a core never starts a goroutine or reads the wall clock):
//
//  1. a separate Source run loop, with its own goroutine and clock, publishing through
//     node-style outputs; or
//  2. a node.Core whose Spec has a Period and no inputs: the runner's timer calls Step, and
//     `now` is the capture time.
//
// We chose 2. The runner already owns the timer, the status heartbeat (Healther), metrics,
// header stamping and the clock choice, so a driver gets all of that and `avstack node`,
// `avstack run` and the simulator run it with no special case. Under a sim clock the driver is
// stepped in lockstep (the tests drive the camera and lidar that way, deterministically).
// The cost is that Step must not block for long: capture reads one frame (a V4L2 read waits at
// most one frame period), the lidar drains its UDP socket without blocking (MSG_DONTWAIT) and
// a file source hands out only what is due at `now`. Time comes only from `now`: a Velodyne
// packet's hour, a file's timeline offset, the camera's retry backoff. A source publishes its
// primary output only when it has a frame; a timer step with nothing new returns no outputs
// (the "primary output exactly once per Step" rule is for cores triggered by inputs, which the
// lockstep scheduler waits on; a source is where a chain starts).
//
// Failures never take the process down: a camera that cannot be opened or stops delivering is
// closed and re-opened with exponential backoff in `now` time and reported through Health;
// bad lidar packets and pcap records are counted and skipped. Configuration problems (a
// missing file, an unreadable video, a busy UDP port) are start-up errors naming the path.
package sensors
