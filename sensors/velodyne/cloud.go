package velodyne

import (
	"encoding/binary"
	"math"

	"github.com/avstack/avstack/msg/foxglove"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// PointStride is the size of one point in a published foxglove.PointCloud:
//
//	offset 0  x          float32  metres, forward
//	offset 4  y          float32  metres, left
//	offset 8  z          float32  metres, up
//	offset 12 intensity  float32  reflectivity 0..255
//	offset 16 ring       uint16   0 = lowest laser
//	offset 18 (2 bytes padding, zero)
//	offset 20 time       float32  seconds since the cloud's timestamp (first point)
//
// All little-endian; the cloud's frame_id is the lidar's frame (its mount in the vehicle).
const PointStride = 24

// CloudFields are the PackedElementFields of PointStride's layout.
func CloudFields() []*foxglove.PackedElementField {
	f32, u16 := foxglove.PackedElementField_FLOAT32, foxglove.PackedElementField_UINT16
	return []*foxglove.PackedElementField{
		{Name: "x", Offset: 0, Type: f32},
		{Name: "y", Offset: 4, Type: f32},
		{Name: "z", Offset: 8, Type: f32},
		{Name: "intensity", Offset: 12, Type: f32},
		{Name: "ring", Offset: 16, Type: u16},
		{Name: "time", Offset: 20, Type: f32},
	}
}

// ToPointCloud packs a revolution into a foxglove.PointCloud stamped with its first point.
func ToPointCloud(r Revolution, frameID string) *foxglove.PointCloud {
	data := make([]byte, len(r.Points)*PointStride)
	for i, p := range r.Points {
		b := data[i*PointStride:]
		binary.LittleEndian.PutUint32(b[0:], math.Float32bits(p.X))
		binary.LittleEndian.PutUint32(b[4:], math.Float32bits(p.Y))
		binary.LittleEndian.PutUint32(b[8:], math.Float32bits(p.Z))
		binary.LittleEndian.PutUint32(b[12:], math.Float32bits(p.Intensity))
		binary.LittleEndian.PutUint16(b[16:], p.Ring)
		binary.LittleEndian.PutUint32(b[20:], math.Float32bits(float32(float64(p.TimeNs-r.StampNs)/1e9)))
	}
	return &foxglove.PointCloud{
		Timestamp:   &timestamppb.Timestamp{Seconds: r.StampNs / 1e9, Nanos: int32(r.StampNs % 1e9)},
		FrameId:     frameID,
		PointStride: PointStride,
		Fields:      CloudFields(),
		Data:        data,
	}
}
