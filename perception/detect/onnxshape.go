package detect

import (
	"fmt"
	"os"

	"google.golang.org/protobuf/encoding/protowire"
)

// onnxInputShape reads the shape of the first graph input of an .onnx file that is not an
// initializer (field numbers: ModelProto.graph 7; GraphProto.initializer 5 with TensorProto.name 8,
// input 11; ValueInfoProto name 1, type 2; TypeProto.tensor_type 1; Tensor.shape 2;
// TensorShapeProto.dim 1; Dimension dim_value 1, dim_param 2). A symbolic dimension reads as -1.
// It exists so that a bare .onnx can be opened in OpenCV, which cannot report input shapes.
func onnxInputShape(path string) ([]int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("detect: onnx: %w", err)
	}
	bad := func(what string) error { return fmt.Errorf("detect: onnx %s: malformed %s", path, what) }
	graph, ok, err := pbField(b, 7)
	if err != nil || !ok {
		return nil, bad("ModelProto (no graph)")
	}
	inits := map[string]bool{}
	var inputs [][]byte
	for g := graph; len(g) > 0; {
		num, typ, n := protowire.ConsumeTag(g)
		if n < 0 {
			return nil, bad("GraphProto")
		}
		g = g[n:]
		if typ == protowire.BytesType && (num == 5 || num == 11) {
			v, m := protowire.ConsumeBytes(g)
			if m < 0 {
				return nil, bad("GraphProto")
			}
			g = g[m:]
			if num == 5 {
				name, _, err := pbField(v, 8)
				if err != nil {
					return nil, bad("TensorProto")
				}
				inits[string(name)] = true
			} else {
				inputs = append(inputs, v)
			}
			continue
		}
		m := protowire.ConsumeFieldValue(num, typ, g)
		if m < 0 {
			return nil, bad("GraphProto")
		}
		g = g[m:]
	}
	for _, in := range inputs {
		name, _, err := pbField(in, 1)
		if err != nil {
			return nil, bad("ValueInfoProto")
		}
		if inits[string(name)] {
			continue
		}
		tp, _, err := pbField(in, 2)
		if err != nil {
			return nil, bad("ValueInfoProto.type")
		}
		tt, _, err := pbField(tp, 1)
		if err != nil {
			return nil, bad("TypeProto")
		}
		sh, ok, err := pbField(tt, 2)
		if err != nil || !ok {
			return nil, fmt.Errorf("detect: onnx %s: input %q has no shape", path, name)
		}
		var shape []int
		for s := sh; len(s) > 0; {
			num, typ, n := protowire.ConsumeTag(s)
			if n < 0 {
				return nil, bad("TensorShapeProto")
			}
			s = s[n:]
			if num == 1 && typ == protowire.BytesType {
				dim, m := protowire.ConsumeBytes(s)
				if m < 0 {
					return nil, bad("Dimension")
				}
				s = s[m:]
				d := -1
				for q := dim; len(q) > 0; {
					dn, dt, k := protowire.ConsumeTag(q)
					if k < 0 {
						return nil, bad("Dimension")
					}
					q = q[k:]
					if dn == 1 && dt == protowire.VarintType {
						v, k := protowire.ConsumeVarint(q)
						if k < 0 {
							return nil, bad("Dimension")
						}
						d = int(int64(v))
						q = q[k:]
						continue
					}
					k = protowire.ConsumeFieldValue(dn, dt, q)
					if k < 0 {
						return nil, bad("Dimension")
					}
					q = q[k:]
				}
				shape = append(shape, d)
				continue
			}
			m := protowire.ConsumeFieldValue(num, typ, s)
			if m < 0 {
				return nil, bad("TensorShapeProto")
			}
			s = s[m:]
		}
		return shape, nil
	}
	return nil, fmt.Errorf("detect: onnx %s: no graph input besides initializers", path)
}

// pbField returns the last occurrence of a length-delimited field in a message.
func pbField(b []byte, field protowire.Number) (v []byte, ok bool, err error) {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return nil, false, protowire.ParseError(n)
		}
		b = b[n:]
		if num == field && typ == protowire.BytesType {
			x, m := protowire.ConsumeBytes(b)
			if m < 0 {
				return nil, false, protowire.ParseError(m)
			}
			v, ok = x, true
			b = b[m:]
			continue
		}
		m := protowire.ConsumeFieldValue(num, typ, b)
		if m < 0 {
			return nil, false, protowire.ParseError(m)
		}
		b = b[m:]
	}
	return v, ok, nil
}
