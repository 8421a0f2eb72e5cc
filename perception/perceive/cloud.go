package perceive

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/avstack/avstack/geom"
	"github.com/avstack/avstack/msg/foxglove"
	"github.com/avstack/avstack/perception/lidar"
)

// egoBox is the vehicle's own footprint in base_link; returns inside it are the car itself.
type egoBox struct{ minX, maxX, halfW float64 }

func (e egoBox) contains(x, y float64) bool {
	return x >= e.minX && x <= e.maxX && math.Abs(y) <= e.halfW
}

// decodeCloud unpacks the x, y, z (and intensity, when present) fields of a point cloud and
// maps them into base_link with toVehicle (the cloud's pose, if any, applied first). Points that
// are not finite or fall on the ego vehicle are skipped. dst is reused.
func decodeCloud(dst []lidar.Point, pc *foxglove.PointCloud, toVehicle geom.Pose3, ego egoBox) ([]lidar.Point, error) {
	type field struct {
		off int
		typ foxglove.PackedElementField_NumericType
	}
	var fx, fy, fz, fi *field
	for _, f := range pc.Fields {
		ff := &field{int(f.Offset), f.Type}
		switch f.Name {
		case "x":
			fx = ff
		case "y":
			fy = ff
		case "z":
			fz = ff
		case "intensity", "reflectance", "i":
			fi = ff
		}
	}
	if fx == nil || fy == nil || fz == nil {
		return dst, fmt.Errorf("perceive: point cloud (frame %q) has no x, y and z fields", pc.FrameId)
	}
	stride := int(pc.PointStride)
	for name, f := range map[string]*field{"x": fx, "y": fy, "z": fz, "intensity": fi} {
		if f == nil {
			continue
		}
		size := 0
		switch f.typ {
		case foxglove.PackedElementField_FLOAT32:
			size = 4
		case foxglove.PackedElementField_FLOAT64:
			size = 8
		case foxglove.PackedElementField_UINT8:
			size = 1
		default:
			if name == "intensity" {
				fi = nil
				continue
			}
			return dst, fmt.Errorf("perceive: point cloud field %s has type %v; want FLOAT32 or FLOAT64", name, f.typ)
		}
		if f.off < 0 || f.off+size > stride {
			return dst, fmt.Errorf("perceive: point cloud field %s at offset %d (%d bytes) does not fit the point stride %d", name, f.off, size, stride)
		}
	}
	if stride <= 0 || len(pc.Data)%stride != 0 {
		return dst, fmt.Errorf("perceive: point cloud data of %d bytes is not a whole number of %d-byte points", len(pc.Data), stride)
	}
	pose := toVehicle
	if p := pc.Pose; p != nil && p.Position != nil && p.Orientation != nil {
		o := p.Orientation
		inner := geom.FromQuaternion(o.X, o.Y, o.Z, o.W)
		inner.T = geom.Vec3{X: p.Position.X, Y: p.Position.Y, Z: p.Position.Z}
		pose = toVehicle.Compose(inner)
	}
	read := func(b []byte, f *field) float64 {
		switch f.typ {
		case foxglove.PackedElementField_FLOAT32:
			return float64(math.Float32frombits(binary.LittleEndian.Uint32(b[f.off:])))
		case foxglove.PackedElementField_FLOAT64:
			return math.Float64frombits(binary.LittleEndian.Uint64(b[f.off:]))
		}
		return float64(b[f.off])
	}
	dst = dst[:0]
	n := len(pc.Data) / stride
	for i := 0; i < n; i++ {
		b := pc.Data[i*stride : (i+1)*stride]
		v := pose.Apply(geom.Vec3{X: read(b, fx), Y: read(b, fy), Z: read(b, fz)})
		if math.IsNaN(v.X+v.Y+v.Z) || math.IsInf(v.X+v.Y+v.Z, 0) || ego.contains(v.X, v.Y) {
			continue
		}
		in := 0.0
		if fi != nil {
			in = read(b, fi)
		}
		dst = append(dst, lidar.Point{X: float32(v.X), Y: float32(v.Y), Z: float32(v.Z), Intensity: float32(in)})
	}
	return dst, nil
}
