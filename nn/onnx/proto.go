package onnx

import (
	"encoding/binary"
	"fmt"
	"math"

	"google.golang.org/protobuf/encoding/protowire"
)

// The subset of onnx.proto this package reads, decoded with protowire.
// Field numbers are from the ONNX schema (see onnx-format reference).

// ModelProto is onnx.ModelProto.
type ModelProto struct {
	IRVersion int64
	Opsets    map[string]int64 // domain ("" = ai.onnx) -> version
	Producer  string
	Graph     *GraphProto
}

// GraphProto is onnx.GraphProto.
type GraphProto struct {
	Name        string
	Nodes       []*NodeProto
	Initializer []*TensorProto
	Inputs      []*ValueInfo
	Outputs     []*ValueInfo
}

// NodeProto is onnx.NodeProto.
type NodeProto struct {
	Name, OpType, Domain string
	Inputs, Outputs      []string
	Attrs                map[string]*Attribute
}

// Attribute is onnx.AttributeProto (the kinds this importer needs).
type Attribute struct {
	Name    string
	Type    int
	F       float32
	I       int64
	S       []byte
	T       *TensorProto
	Floats  []float32
	Ints    []int64
	Strings [][]byte
	HasG    bool
}

// ValueInfo is onnx.ValueInfoProto with its tensor type.
type ValueInfo struct {
	Name     string
	ElemType int32
	Dims     []int64 // -1 for a symbolic or missing dimension
	HasShape bool
}

// TensorProto is onnx.TensorProto.
type TensorProto struct {
	Name       string
	Dims       []int64
	DataType   int32
	FloatData  []float32
	Int32Data  []int32
	Int64Data  []int64
	DoubleData []float64
	Uint64Data []uint64
	RawData    []byte
	HasRaw     bool
	External   bool
	Segment    bool
}

// ONNX TensorProto.DataType values used here.
const (
	dtFloat   = 1
	dtUint8   = 2
	dtInt8    = 3
	dtUint16  = 4
	dtInt16   = 5
	dtInt32   = 6
	dtInt64   = 7
	dtString  = 8
	dtBool    = 9
	dtFloat16 = 10
	dtDouble  = 11
	dtUint32  = 12
	dtUint64  = 13
)

var dtNames = map[int32]string{0: "undefined", 1: "float", 2: "uint8", 3: "int8", 4: "uint16", 5: "int16", 6: "int32", 7: "int64", 8: "string", 9: "bool", 10: "float16", 11: "double", 12: "uint32", 13: "uint64", 14: "complex64", 15: "complex128", 16: "bfloat16"}

// DTypeName names an ONNX data type.
func DTypeName(d int32) string {
	if s, ok := dtNames[d]; ok {
		return s
	}
	return fmt.Sprintf("type%d", d)
}

type reader struct {
	b   []byte
	ctx string
}

func (r *reader) next() (protowire.Number, protowire.Type, error) {
	num, typ, n := protowire.ConsumeTag(r.b)
	if n < 0 {
		return 0, 0, fmt.Errorf("%s: bad tag: %w", r.ctx, protowire.ParseError(n))
	}
	r.b = r.b[n:]
	return num, typ, nil
}

func (r *reader) bytes() ([]byte, error) {
	v, n := protowire.ConsumeBytes(r.b)
	if n < 0 {
		return nil, fmt.Errorf("%s: bad length-delimited field: %w", r.ctx, protowire.ParseError(n))
	}
	r.b = r.b[n:]
	return v, nil
}

func (r *reader) varint() (uint64, error) {
	v, n := protowire.ConsumeVarint(r.b)
	if n < 0 {
		return 0, fmt.Errorf("%s: bad varint: %w", r.ctx, protowire.ParseError(n))
	}
	r.b = r.b[n:]
	return v, nil
}

func (r *reader) fixed32() (uint32, error) {
	v, n := protowire.ConsumeFixed32(r.b)
	if n < 0 {
		return 0, fmt.Errorf("%s: bad fixed32: %w", r.ctx, protowire.ParseError(n))
	}
	r.b = r.b[n:]
	return v, nil
}

func (r *reader) fixed64() (uint64, error) {
	v, n := protowire.ConsumeFixed64(r.b)
	if n < 0 {
		return 0, fmt.Errorf("%s: bad fixed64: %w", r.ctx, protowire.ParseError(n))
	}
	r.b = r.b[n:]
	return v, nil
}

func (r *reader) skip(num protowire.Number, typ protowire.Type) error {
	n := protowire.ConsumeFieldValue(num, typ, r.b)
	if n < 0 {
		return fmt.Errorf("%s: bad field %d: %w", r.ctx, num, protowire.ParseError(n))
	}
	r.b = r.b[n:]
	return nil
}

// varints reads a repeated varint field, packed or not.
func (r *reader) varints(typ protowire.Type, dst []int64) ([]int64, error) {
	if typ == protowire.BytesType {
		b, err := r.bytes()
		if err != nil {
			return dst, err
		}
		for len(b) > 0 {
			v, n := protowire.ConsumeVarint(b)
			if n < 0 {
				return dst, fmt.Errorf("%s: bad packed varint", r.ctx)
			}
			dst = append(dst, int64(v))
			b = b[n:]
		}
		return dst, nil
	}
	v, err := r.varint()
	return append(dst, int64(v)), err
}

func (r *reader) floats(typ protowire.Type, dst []float32) ([]float32, error) {
	if typ == protowire.BytesType {
		b, err := r.bytes()
		if err != nil {
			return dst, err
		}
		if len(b)%4 != 0 {
			return dst, fmt.Errorf("%s: packed floats of %d bytes", r.ctx, len(b))
		}
		for k := 0; k < len(b); k += 4 {
			dst = append(dst, math.Float32frombits(binary.LittleEndian.Uint32(b[k:])))
		}
		return dst, nil
	}
	v, err := r.fixed32()
	return append(dst, math.Float32frombits(v)), err
}

func (r *reader) doubles(typ protowire.Type, dst []float64) ([]float64, error) {
	if typ == protowire.BytesType {
		b, err := r.bytes()
		if err != nil {
			return dst, err
		}
		if len(b)%8 != 0 {
			return dst, fmt.Errorf("%s: packed doubles of %d bytes", r.ctx, len(b))
		}
		for k := 0; k < len(b); k += 8 {
			dst = append(dst, math.Float64frombits(binary.LittleEndian.Uint64(b[k:])))
		}
		return dst, nil
	}
	v, err := r.fixed64()
	return append(dst, math.Float64frombits(v)), err
}

// DecodeModel parses a serialized ModelProto.
func DecodeModel(b []byte) (*ModelProto, error) {
	m := &ModelProto{Opsets: map[string]int64{}}
	r := &reader{b: b, ctx: "ModelProto"}
	for len(r.b) > 0 {
		num, typ, err := r.next()
		if err != nil {
			return nil, err
		}
		switch {
		case num == 1 && typ == protowire.VarintType:
			v, err := r.varint()
			if err != nil {
				return nil, err
			}
			m.IRVersion = int64(v)
		case num == 2 && typ == protowire.BytesType:
			v, err := r.bytes()
			if err != nil {
				return nil, err
			}
			m.Producer = string(v)
		case num == 8 && typ == protowire.BytesType:
			v, err := r.bytes()
			if err != nil {
				return nil, err
			}
			dom, ver, err := decodeOpset(v)
			if err != nil {
				return nil, err
			}
			if dom == "ai.onnx" {
				dom = ""
			}
			m.Opsets[dom] = ver
		case num == 7 && typ == protowire.BytesType:
			v, err := r.bytes()
			if err != nil {
				return nil, err
			}
			if m.Graph, err = decodeGraph(v); err != nil {
				return nil, err
			}
		default:
			if err := r.skip(num, typ); err != nil {
				return nil, err
			}
		}
	}
	if m.Graph == nil {
		return nil, fmt.Errorf("ModelProto has no graph (field 7)")
	}
	return m, nil
}

func decodeOpset(b []byte) (string, int64, error) {
	r := &reader{b: b, ctx: "OperatorSetIdProto"}
	var dom string
	var ver int64
	for len(r.b) > 0 {
		num, typ, err := r.next()
		if err != nil {
			return "", 0, err
		}
		switch {
		case num == 1 && typ == protowire.BytesType:
			v, err := r.bytes()
			if err != nil {
				return "", 0, err
			}
			dom = string(v)
		case num == 2 && typ == protowire.VarintType:
			v, err := r.varint()
			if err != nil {
				return "", 0, err
			}
			ver = int64(v)
		default:
			if err := r.skip(num, typ); err != nil {
				return "", 0, err
			}
		}
	}
	return dom, ver, nil
}

func decodeGraph(b []byte) (*GraphProto, error) {
	g := &GraphProto{}
	r := &reader{b: b, ctx: "GraphProto"}
	for len(r.b) > 0 {
		num, typ, err := r.next()
		if err != nil {
			return nil, err
		}
		if typ != protowire.BytesType {
			if err := r.skip(num, typ); err != nil {
				return nil, err
			}
			continue
		}
		v, err := r.bytes()
		if err != nil {
			return nil, err
		}
		switch num {
		case 1:
			n, err := decodeNode(v)
			if err != nil {
				return nil, fmt.Errorf("GraphProto node %d: %w", len(g.Nodes), err)
			}
			g.Nodes = append(g.Nodes, n)
		case 2:
			g.Name = string(v)
		case 5:
			t, err := DecodeTensor(v)
			if err != nil {
				return nil, fmt.Errorf("GraphProto initializer %d: %w", len(g.Initializer), err)
			}
			g.Initializer = append(g.Initializer, t)
		case 15:
			return nil, fmt.Errorf("GraphProto: sparse initializers are not supported")
		case 11, 12:
			vi, err := decodeValueInfo(v)
			if err != nil {
				return nil, err
			}
			if num == 11 {
				g.Inputs = append(g.Inputs, vi)
			} else {
				g.Outputs = append(g.Outputs, vi)
			}
		}
	}
	return g, nil
}

func decodeNode(b []byte) (*NodeProto, error) {
	n := &NodeProto{Attrs: map[string]*Attribute{}}
	r := &reader{b: b, ctx: "NodeProto"}
	for len(r.b) > 0 {
		num, typ, err := r.next()
		if err != nil {
			return nil, err
		}
		if typ != protowire.BytesType {
			if err := r.skip(num, typ); err != nil {
				return nil, err
			}
			continue
		}
		v, err := r.bytes()
		if err != nil {
			return nil, err
		}
		switch num {
		case 1:
			n.Inputs = append(n.Inputs, string(v))
		case 2:
			n.Outputs = append(n.Outputs, string(v))
		case 3:
			n.Name = string(v)
		case 4:
			n.OpType = string(v)
		case 7:
			n.Domain = string(v)
		case 5:
			a, err := decodeAttr(v)
			if err != nil {
				return nil, fmt.Errorf("node %q: %w", n.Name, err)
			}
			n.Attrs[a.Name] = a
		}
	}
	return n, nil
}

func decodeAttr(b []byte) (*Attribute, error) {
	a := &Attribute{}
	r := &reader{b: b, ctx: "AttributeProto"}
	for len(r.b) > 0 {
		num, typ, err := r.next()
		if err != nil {
			return nil, err
		}
		switch {
		case num == 1 && typ == protowire.BytesType:
			v, err := r.bytes()
			if err != nil {
				return nil, err
			}
			a.Name = string(v)
		case num == 20 && typ == protowire.VarintType:
			v, err := r.varint()
			if err != nil {
				return nil, err
			}
			a.Type = int(v)
		case num == 2 && typ == protowire.Fixed32Type:
			v, err := r.fixed32()
			if err != nil {
				return nil, err
			}
			a.F = math.Float32frombits(v)
		case num == 3 && typ == protowire.VarintType:
			v, err := r.varint()
			if err != nil {
				return nil, err
			}
			a.I = int64(v)
		case num == 4 && typ == protowire.BytesType:
			v, err := r.bytes()
			if err != nil {
				return nil, err
			}
			a.S = v
		case num == 5 && typ == protowire.BytesType:
			v, err := r.bytes()
			if err != nil {
				return nil, err
			}
			if a.T, err = DecodeTensor(v); err != nil {
				return nil, fmt.Errorf("attribute %q: %w", a.Name, err)
			}
		case num == 6 || num == 11:
			a.HasG = true
			if err := r.skip(num, typ); err != nil {
				return nil, err
			}
		case num == 7:
			if a.Floats, err = r.floats(typ, a.Floats); err != nil {
				return nil, err
			}
		case num == 8:
			if a.Ints, err = r.varints(typ, a.Ints); err != nil {
				return nil, err
			}
		case num == 9 && typ == protowire.BytesType:
			v, err := r.bytes()
			if err != nil {
				return nil, err
			}
			a.Strings = append(a.Strings, v)
		default:
			if err := r.skip(num, typ); err != nil {
				return nil, err
			}
		}
	}
	return a, nil
}

func decodeValueInfo(b []byte) (*ValueInfo, error) {
	vi := &ValueInfo{}
	r := &reader{b: b, ctx: "ValueInfoProto"}
	for len(r.b) > 0 {
		num, typ, err := r.next()
		if err != nil {
			return nil, err
		}
		switch {
		case num == 1 && typ == protowire.BytesType:
			v, err := r.bytes()
			if err != nil {
				return nil, err
			}
			vi.Name = string(v)
		case num == 2 && typ == protowire.BytesType:
			v, err := r.bytes()
			if err != nil {
				return nil, err
			}
			if err := decodeTypeProto(v, vi); err != nil {
				return nil, fmt.Errorf("value %q: %w", vi.Name, err)
			}
		default:
			if err := r.skip(num, typ); err != nil {
				return nil, err
			}
		}
	}
	return vi, nil
}

func decodeTypeProto(b []byte, vi *ValueInfo) error {
	r := &reader{b: b, ctx: "TypeProto"}
	for len(r.b) > 0 {
		num, typ, err := r.next()
		if err != nil {
			return err
		}
		if num != 1 || typ != protowire.BytesType {
			if err := r.skip(num, typ); err != nil {
				return err
			}
			continue
		}
		v, err := r.bytes()
		if err != nil {
			return err
		}
		tr := &reader{b: v, ctx: "TypeProto.Tensor"}
		for len(tr.b) > 0 {
			num, typ, err := tr.next()
			if err != nil {
				return err
			}
			switch {
			case num == 1 && typ == protowire.VarintType:
				e, err := tr.varint()
				if err != nil {
					return err
				}
				vi.ElemType = int32(e)
			case num == 2 && typ == protowire.BytesType:
				s, err := tr.bytes()
				if err != nil {
					return err
				}
				vi.HasShape = true
				sr := &reader{b: s, ctx: "TensorShapeProto"}
				for len(sr.b) > 0 {
					num, typ, err := sr.next()
					if err != nil {
						return err
					}
					if num != 1 || typ != protowire.BytesType {
						if err := sr.skip(num, typ); err != nil {
							return err
						}
						continue
					}
					d, err := sr.bytes()
					if err != nil {
						return err
					}
					dim := int64(-1)
					dr := &reader{b: d, ctx: "Dimension"}
					for len(dr.b) > 0 {
						num, typ, err := dr.next()
						if err != nil {
							return err
						}
						if num == 1 && typ == protowire.VarintType {
							v, err := dr.varint()
							if err != nil {
								return err
							}
							dim = int64(v)
						} else if err := dr.skip(num, typ); err != nil {
							return err
						}
					}
					vi.Dims = append(vi.Dims, dim)
				}
			default:
				if err := tr.skip(num, typ); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// DecodeTensor parses a serialized TensorProto (as in the conformance
// suite's input_K.pb files).
func DecodeTensor(b []byte) (*TensorProto, error) {
	t := &TensorProto{}
	r := &reader{b: b, ctx: "TensorProto"}
	for len(r.b) > 0 {
		num, typ, err := r.next()
		if err != nil {
			return nil, err
		}
		switch num {
		case 1:
			if t.Dims, err = r.varints(typ, t.Dims); err != nil {
				return nil, err
			}
		case 2:
			v, err := r.varint()
			if err != nil {
				return nil, err
			}
			t.DataType = int32(v)
		case 3:
			t.Segment = true
			err = r.skip(num, typ)
		case 4:
			t.FloatData, err = r.floats(typ, t.FloatData)
		case 5:
			var v []int64
			v, err = r.varints(typ, nil)
			for _, x := range v {
				t.Int32Data = append(t.Int32Data, int32(x))
			}
		case 7:
			t.Int64Data, err = r.varints(typ, t.Int64Data)
		case 8:
			var v []byte
			v, err = r.bytes()
			t.Name = string(v)
		case 9:
			t.RawData, err = r.bytes()
			t.HasRaw = true
		case 10:
			t.DoubleData, err = r.doubles(typ, t.DoubleData)
		case 11:
			var v []int64
			v, err = r.varints(typ, nil)
			for _, x := range v {
				t.Uint64Data = append(t.Uint64Data, uint64(x))
			}
		case 14:
			var v uint64
			v, err = r.varint()
			if v == 1 {
				t.External = true
			}
		default:
			err = r.skip(num, typ)
		}
		if err != nil {
			return nil, err
		}
	}
	return t, nil
}
