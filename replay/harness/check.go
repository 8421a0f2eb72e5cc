package harness

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/avstack/avstack/config"
	"github.com/avstack/avstack/replay/mcapio"
)

// ReferencePath is where the reference outputs of a node for a recording live by default:
// drive.mcap -> drive.NODE.ref.mcap beside it.
func ReferencePath(recording, node string) string {
	return strings.TrimSuffix(recording, ".mcap") + "." + node + ".ref.mcap"
}

// ResolveReference picks the reference file: explicit if given; else the default reference
// path when that file exists; else "" (compare with the recording's own outputs).
func ResolveReference(recording, node, explicit string) string {
	if explicit != "" {
		return explicit
	}
	if p := ReferencePath(recording, node); fileExists(p) {
		return p
	}
	return ""
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

// Case is one golden test: a recording, the vehicle configuration and the node to replay.
type Case struct {
	Recording string
	Vehicle   string
	Node      string
	// Reference file ("" = ResolveReference's choice). Update writes it (default
	// ReferencePath when empty).
	Reference string
	Update    bool
	Tolerance *Tolerance
}

// Check runs a Case as a Go test: it fails with the report when the node's outputs regress,
// and with Update rewrites the reference instead.
func Check(t testing.TB, c Case) {
	t.Helper()
	v, err := config.LoadVehicle(c.Vehicle)
	if err != nil {
		t.Fatalf("harness: %v", err)
	}
	rec, err := mcapio.Open(c.Recording)
	if err != nil {
		t.Fatalf("harness: %v", err)
	}
	defer rec.Close()
	refPath := ResolveReference(c.Recording, c.Node, c.Reference)
	var ref *mcapio.Reader
	if refPath != "" && !c.Update {
		ref, err = mcapio.Open(refPath)
		if err != nil {
			t.Fatalf("harness: %v", err)
		}
		defer ref.Close()
	}
	res, err := Run(rec, ref, Options{Vehicle: v, Node: c.Node, Tolerance: c.Tolerance})
	if err != nil {
		t.Fatalf("%v", err)
	}
	if c.Update {
		out := c.Reference
		if out == "" {
			out = ReferencePath(c.Recording, c.Node)
		}
		if err := WriteReference(out, res); err != nil {
			t.Fatal(err)
		}
		t.Logf("harness: wrote %d outputs of %s to %s", len(res.Outputs), c.Node, out)
		return
	}
	if !res.Equal {
		var b bytes.Buffer
		res.Format(&b)
		t.Errorf("harness: node %s regressed on %s (rerun with -update to accept, only if you understand the diff):\n%s", c.Node, c.Recording, b.String())
	}
}

// Format writes a readable report.
func (r *Result) Format(w io.Writer) {
	verdict := "EQUAL"
	if !r.Equal {
		verdict = "REGRESSION"
	}
	ref := r.Reference
	if ref == r.Recording {
		ref = "(the recording's own outputs)"
	}
	fmt.Fprintf(w, "%s: node %s (kind %s) on %s vs %s\n", verdict, r.Node, r.Kind, r.Recording, ref)
	fmt.Fprintf(w, "  %d inputs, %d steps, %d step errors; tolerance abs %g rel %g ignore %v\n", r.Inputs, r.Steps, len(r.Errors), r.Tolerance.Abs, r.Tolerance.Rel, r.Tolerance.Ignore)
	for _, e := range r.Errors[:min(len(r.Errors), 5)] {
		fmt.Fprintf(w, "  step error: %s\n", e)
	}
	for _, s := range r.Subjects {
		mark := "ok"
		if s.Got != s.Want {
			mark = "COUNT DIFFERS"
		} else if s.Differ > 0 {
			mark = "DIFFERS"
		}
		fmt.Fprintf(w, "  %-32s got %d want %d: %d identical, %d within tolerance, %d differ  %s\n", s.Subject, s.Got, s.Want, s.Identical, s.Within, s.Differ, mark)
	}
	if len(r.Diffs) > 0 {
		fmt.Fprintf(w, "  first %d of %d differences:\n", len(r.Diffs), r.DiffCount)
		for _, d := range r.Diffs {
			fmt.Fprintf(w, "    %s #%d (stamp %d) %s: got %s, want %s\n", d.Subject, d.Index, d.Stamp, d.Path, d.Got, d.Want)
		}
	}
}
