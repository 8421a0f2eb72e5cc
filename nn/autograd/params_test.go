package autograd

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/avstack/avstack/nn"
)

func TestParamsRoundTripAndErrors(t *testing.T) {
	mk := func() []*Var {
		return []*Var{
			NewParam("conv.w", nn.FromSlice([]float32{1, -2, 3.5, 4, 5, 6}, 2, 1, 3)),
			NewParam("conv.b", nn.FromSlice([]float32{0.25, -0.5}, 2)),
		}
	}
	src := mk()
	path := filepath.Join(t.TempDir(), "p.bin")
	if err := SaveParams(path, src); err != nil {
		t.Fatal(err)
	}
	dst := []*Var{NewParam("conv.b", nn.New(2)), NewParam("conv.w", nn.New(2, 1, 3))}
	if err := LoadParams(path, dst); err != nil {
		t.Fatal(err)
	}
	if dst[1].Value.Data()[2] != 3.5 || dst[0].Value.Data()[1] != -0.5 {
		t.Fatalf("round trip gave %v %v", dst[0].Value, dst[1].Value)
	}
	var buf bytes.Buffer
	if err := WriteParams(&buf, src); err != nil {
		t.Fatal(err)
	}
	good := buf.Bytes()
	flip := func(i int) []byte {
		c := append([]byte(nil), good...)
		c[i] ^= 0x40
		return c
	}
	cases := []struct {
		name   string
		data   []byte
		params []*Var
		want   string
	}{
		{"foreign file", []byte("\x89PNG\r\n\x1a\nxxxxxxxxxxxxxxxxxxxxxxx"), mk(), "not an avstack parameter file"},
		{"empty", nil, mk(), "not an avstack parameter file"},
		{"truncated header", good[:12], mk(), "truncated"},
		{"truncated record", good[:40], mk(), "truncated"},
		{"truncated trailer", good[:len(good)-2], mk(), "truncated"},
		{"corrupt value", flip(len(good) - 12), mk(), "checksum"},
		{"corrupt header", flip(9), mk(), "header checksum"},
		{"extra bytes", append(append([]byte(nil), good...), 0, 0, 0, 0), mk(), "unexpected bytes"},
		{"shape mismatch", good, []*Var{NewParam("conv.w", nn.New(3, 2)), NewParam("conv.b", nn.New(2))}, "shape"},
		{"missing in file", good, append(mk(), NewParam("fc.w", nn.New(1))), "missing"},
		{"unknown in model", good, mk()[:1], "does not"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := DecodeParams(c.data, c.params)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one containing %q", err, c.want)
			}
		})
	}
}
