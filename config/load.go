package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"gopkg.in/yaml.v3"
)

// Error is a configuration error: file, field path, offending value and what is wrong.
type Error struct {
	File  string
	Line  int
	Field string
	Value any
	Msg   string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("config: ")
	if e.File != "" {
		b.WriteString(e.File)
		if e.Line > 0 {
			fmt.Fprintf(&b, ":%d", e.Line)
		}
		b.WriteString(": ")
	}
	if e.Field != "" {
		b.WriteString(e.Field)
		if e.Value != nil {
			fmt.Fprintf(&b, " = %v", e.Value)
		}
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Errorf makes a field error; Validate methods use it and the loader fills in the file name.
func Errorf(field string, value any, format string, args ...any) *Error {
	return &Error{Field: field, Value: value, Msg: fmt.Sprintf(format, args...)}
}

// Validator is implemented by every config type.
type Validator interface {
	Validate() error
}

// WithFile sets the file (and keeps the field) of config errors; other errors are wrapped.
func WithFile(err error, file string) error {
	if err == nil {
		return nil
	}
	var ce *Error
	if errors.As(err, &ce) {
		c := *ce
		if c.File == "" {
			c.File = file
		}
		return &c
	}
	return fmt.Errorf("config: %s: %w", file, err)
}

// Prefix prepends a parent path to the field of a config error ("nodes[2]" + "kind").
func Prefix(err error, parent string) error {
	var ce *Error
	if err == nil || !errors.As(err, &ce) {
		return err
	}
	c := *ce
	if c.Field == "" {
		c.Field = parent
	} else {
		c.Field = parent + "." + c.Field
	}
	return &c
}

// Decode reads YAML strictly into v (unknown fields are errors) and validates it.
func Decode(data []byte, file string, v any) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.EOF) {
			return &Error{File: file, Msg: "empty file"}
		}
		return &Error{File: file, Msg: strings.TrimPrefix(err.Error(), "yaml: ")}
	}
	if val, ok := v.(Validator); ok {
		return WithFile(val.Validate(), file)
	}
	return nil
}

// LoadFile reads and decodes a YAML file strictly into v and validates it.
func LoadFile(path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	return Decode(data, path, v)
}

// DecodeStrict decodes a YAML sub-tree (a node's settings) strictly into v and validates it.
// field is the path of the sub-tree in its file, for error messages. A nil or empty node
// leaves v as it is (defaults) and still validates it.
func DecodeStrict(n *yaml.Node, file, field string, v any) error {
	if n != nil && n.Kind != 0 {
		var buf bytes.Buffer
		enc := yaml.NewEncoder(&buf)
		if err := enc.Encode(n); err != nil {
			return &Error{File: file, Line: n.Line, Field: field, Msg: err.Error()}
		}
		dec := yaml.NewDecoder(&buf)
		dec.KnownFields(true)
		if err := dec.Decode(v); err != nil && !errors.Is(err, io.EOF) {
			msg := strings.TrimPrefix(err.Error(), "yaml: ")
			return &Error{File: file, Line: n.Line, Field: field, Msg: "(lines relative to the section) " + msg}
		}
	}
	if val, ok := v.(Validator); ok {
		return WithFile(Prefix(val.Validate(), field), file)
	}
	return nil
}
