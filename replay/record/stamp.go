package record

import (
	"fmt"
	"sync"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
)

// stampKind says where a type keeps its stamp.
type stampKind int

const (
	stampNone      stampKind = iota
	stampHeader              // avstack.v1.Header header = N; int64 stamp_ns = M
	stampTimestamp           // google.protobuf.Timestamp timestamp = N
)

type stampPlan struct {
	kind  stampKind
	field protowire.Number // header or timestamp field
	inner protowire.Number // stamp_ns
}

var plans sync.Map // type name -> stampPlan

func planFor(typeName string) (stampPlan, error) {
	if p, ok := plans.Load(typeName); ok {
		return p.(stampPlan), nil
	}
	mt, err := protoregistry.GlobalTypes.FindMessageByName(protoreflect.FullName(typeName))
	if err != nil {
		return stampPlan{}, fmt.Errorf("record: unknown message type %q: %w", typeName, err)
	}
	fields := mt.Descriptor().Fields()
	p := stampPlan{}
	if f := fields.ByName("header"); f != nil && f.Message() != nil && f.Message().FullName() == "avstack.v1.Header" {
		p = stampPlan{kind: stampHeader, field: f.Number(), inner: f.Message().Fields().ByName("stamp_ns").Number()}
	} else if f := fields.ByName("timestamp"); f != nil && f.Message() != nil && f.Message().FullName() == "google.protobuf.Timestamp" {
		p = stampPlan{kind: stampTimestamp, field: f.Number()}
	}
	plans.Store(typeName, p)
	return p, nil
}

// Stamp returns the stamp of an encoded message of the named type without decoding all of it
// (images and clouds are large): header.stamp_ns for avstack messages, the foxglove timestamp
// field otherwise, 0 when the type has neither or the field is unset. It agrees with
// node.Stamp on the decoded message (the reference; see the test).
func Stamp(typeName string, data []byte) (int64, error) {
	p, err := planFor(typeName)
	if err != nil {
		return 0, err
	}
	if p.kind == stampNone {
		return 0, nil
	}
	var sec, nsec, stamp int64
	err = eachField(data, func(num protowire.Number, typ protowire.Type, v []byte, _ uint64) error {
		if num != p.field || typ != protowire.BytesType {
			return nil
		}
		// Repeated occurrences of a message field merge: the last scalar wins.
		return eachField(v, func(n protowire.Number, t protowire.Type, _ []byte, x uint64) error {
			if t != protowire.VarintType {
				return nil
			}
			switch {
			case p.kind == stampHeader && n == p.inner:
				stamp = int64(x)
			case p.kind == stampTimestamp && n == 1:
				sec = int64(x)
			case p.kind == stampTimestamp && n == 2:
				nsec = int64(int32(x))
			}
			return nil
		})
	})
	if err != nil {
		return 0, fmt.Errorf("record: %s: %w", typeName, err)
	}
	if p.kind == stampTimestamp {
		return sec*1e9 + nsec, nil
	}
	return stamp, nil
}

// eachField walks the top-level fields of an encoded message; v is the payload of
// length-delimited fields, x the value of varints.
func eachField(b []byte, fn func(num protowire.Number, typ protowire.Type, v []byte, x uint64) error) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return fmt.Errorf("bad tag: %w", protowire.ParseError(n))
		}
		b = b[n:]
		var v []byte
		var x uint64
		switch typ {
		case protowire.VarintType:
			x, n = protowire.ConsumeVarint(b)
		case protowire.BytesType:
			v, n = protowire.ConsumeBytes(b)
		default:
			n = protowire.ConsumeFieldValue(num, typ, b)
		}
		if n < 0 {
			return fmt.Errorf("field %d: %w", num, protowire.ParseError(n))
		}
		b = b[n:]
		if err := fn(num, typ, v, x); err != nil {
			return err
		}
	}
	return nil
}
