package onnx

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/avstack/avstack/nn"
)

// UnsupportedTypeError reports a tensor element type outside float32/int64
// (and the integer and bool types that convert to int64 exactly).
type UnsupportedTypeError struct {
	Name     string
	DataType int32
}

func (e *UnsupportedTypeError) Error() string {
	return fmt.Sprintf("onnx: tensor %q has unsupported data type %s", e.Name, DTypeName(e.DataType))
}

// ToTensor converts a TensorProto to an nn.Tensor: float to float32;
// int64, int32 and bool (for shapes, indices and masks) to int64. Other
// types return an *UnsupportedTypeError.
func (t *TensorProto) ToTensor() (*nn.Tensor, error) {
	if t.External {
		return nil, fmt.Errorf("onnx: tensor %q: external data is not supported", t.Name)
	}
	if t.Segment {
		return nil, fmt.Errorf("onnx: tensor %q: segmented tensors are not supported", t.Name)
	}
	shape := make([]int, len(t.Dims))
	for k, d := range t.Dims {
		if d < 0 {
			return nil, fmt.Errorf("onnx: tensor %q: negative dimension %d", t.Name, d)
		}
		shape[k] = int(d)
	}
	n := nn.Numel(shape)
	switch t.DataType {
	case dtFloat:
		d := make([]float32, n)
		if t.HasRaw {
			if len(t.RawData) != 4*n {
				return nil, fmt.Errorf("onnx: tensor %q: raw_data has %d bytes for %d floats", t.Name, len(t.RawData), n)
			}
			for k := range d {
				d[k] = math.Float32frombits(binary.LittleEndian.Uint32(t.RawData[4*k:]))
			}
		} else {
			if len(t.FloatData) != n {
				return nil, fmt.Errorf("onnx: tensor %q: float_data has %d values for shape %v", t.Name, len(t.FloatData), shape)
			}
			copy(d, t.FloatData)
		}
		return nn.FromSlice(d, shape...), nil
	case dtInt64, dtInt32, dtBool:
		d := make([]int64, n)
		switch {
		case t.HasRaw:
			sz := 8
			if t.DataType == dtInt32 {
				sz = 4
			} else if t.DataType == dtBool {
				sz = 1
			}
			if len(t.RawData) != sz*n {
				return nil, fmt.Errorf("onnx: tensor %q: raw_data has %d bytes for %d %s values", t.Name, len(t.RawData), n, DTypeName(t.DataType))
			}
			for k := range d {
				switch sz {
				case 8:
					d[k] = int64(binary.LittleEndian.Uint64(t.RawData[8*k:]))
				case 4:
					d[k] = int64(int32(binary.LittleEndian.Uint32(t.RawData[4*k:])))
				default:
					d[k] = int64(t.RawData[k])
				}
			}
		case t.DataType == dtInt64:
			if len(t.Int64Data) != n {
				return nil, fmt.Errorf("onnx: tensor %q: int64_data has %d values for shape %v", t.Name, len(t.Int64Data), shape)
			}
			copy(d, t.Int64Data)
		default:
			if len(t.Int32Data) != n {
				return nil, fmt.Errorf("onnx: tensor %q: int32_data has %d values for shape %v", t.Name, len(t.Int32Data), shape)
			}
			for k, v := range t.Int32Data {
				d[k] = int64(v)
			}
		}
		return nn.FromInt64s(d, shape...), nil
	}
	return nil, &UnsupportedTypeError{Name: t.Name, DataType: t.DataType}
}

// ReadTensorBytes decodes one serialized TensorProto.
func ReadTensorBytes(b []byte) (*nn.Tensor, error) {
	tp, err := DecodeTensor(b)
	if err != nil {
		return nil, fmt.Errorf("onnx: %w", err)
	}
	return tp.ToTensor()
}
