package eval

import (
	"math"
	"testing"

	"github.com/avstack/avstack/msg/av"
)

func o(id uint64, x float64) MOTObject { return MOTObject{ID: id, X: x} }

// TestEvalMOTHandComputed: each case's numbers are worked out by hand in its comment.
func TestEvalMOTHandComputed(t *testing.T) {
	cases := []struct {
		name   string
		frames []MOTFrame
		want   MOTResult
	}{
		{
			// Two objects, three frames, tracked perfectly: MOTA 1, IDF1 1.
			name: "perfect",
			frames: []MOTFrame{
				{Truth: []MOTObject{o(1, 0), o(2, 10)}, Hyp: []MOTObject{o(10, 0), o(20, 10)}},
				{Truth: []MOTObject{o(1, 1), o(2, 11)}, Hyp: []MOTObject{o(10, 1), o(20, 11)}},
				{Truth: []MOTObject{o(1, 2), o(2, 12)}, Hyp: []MOTObject{o(10, 2), o(20, 12)}},
			},
			want: MOTResult{Frames: 3, GT: 6, Hyp: 6, Matches: 6, MOTA: 1, IDTP: 6, IDF1: 1, IDP: 1, IDR: 1},
		},
		{
			// One object, four frames; the tracker's id changes 5 -> 6 after two frames:
			// 1 switch, MOTA = 1 - 1/4 = 0.75; best identity match explains 2 of 4 frames:
			// IDF1 = 2*2 / (4 + 4) = 0.5.
			name: "one id switch",
			frames: []MOTFrame{
				{Truth: []MOTObject{o(1, 0)}, Hyp: []MOTObject{o(5, 0)}},
				{Truth: []MOTObject{o(1, 0)}, Hyp: []MOTObject{o(5, 0)}},
				{Truth: []MOTObject{o(1, 0)}, Hyp: []MOTObject{o(6, 0)}},
				{Truth: []MOTObject{o(1, 0)}, Hyp: []MOTObject{o(6, 0)}},
			},
			want: MOTResult{Frames: 4, GT: 4, Hyp: 4, Matches: 4, IDSwitches: 1, MOTA: 0.75, IDTP: 2, IDFP: 2, IDFN: 2, IDF1: 0.5, IDP: 0.5, IDR: 0.5},
		},
		{
			// Missed in frame 2 (FN 1, one fragmentation) and a far false alarm in frame 1
			// (FP 1): MOTA = 1 - 2/4 = 0.5; IDTP 3 of 4 truth and 4 hypotheses: IDF1 = 6/8.
			name: "miss and false alarm",
			frames: []MOTFrame{
				{Truth: []MOTObject{o(1, 0)}, Hyp: []MOTObject{o(7, 0)}},
				{Truth: []MOTObject{o(1, 0)}, Hyp: []MOTObject{o(7, 0), o(9, 50)}},
				{Truth: []MOTObject{o(1, 0)}},
				{Truth: []MOTObject{o(1, 0)}, Hyp: []MOTObject{o(7, 0)}},
			},
			want: MOTResult{Frames: 4, GT: 4, Hyp: 4, Matches: 3, FP: 1, FN: 1, Fragmentations: 1, MOTA: 0.5, IDTP: 3, IDFP: 1, IDFN: 1, IDF1: 0.75, IDP: 0.75, IDR: 0.75},
		},
		{
			// A closer hypothesis appears, but the existing match (0.9 m, within 1 m) is kept:
			// no switch, the newcomer is a false positive. MOTA = 1 - 1/2; MOTP = 0.9.
			name: "existing match is kept",
			frames: []MOTFrame{
				{Truth: []MOTObject{o(1, 0)}, Hyp: []MOTObject{o(3, 0.9)}},
				{Truth: []MOTObject{o(1, 0)}, Hyp: []MOTObject{o(3, 0.9), o(4, 0.1)}},
			},
			want: MOTResult{Frames: 2, GT: 2, Hyp: 3, Matches: 2, FP: 1, MOTA: 0.5, MOTP: 0.9, IDTP: 2, IDFP: 1, IDF1: 0.8, IDP: 2.0 / 3, IDR: 1},
		},
	}
	for _, c := range cases {
		got, err := EvalMOT(c.frames, 1)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		w := c.want
		ints := [][3]any{{"gt", got.GT, w.GT}, {"hyp", got.Hyp, w.Hyp}, {"matches", got.Matches, w.Matches}, {"fp", got.FP, w.FP},
			{"fn", got.FN, w.FN}, {"idsw", got.IDSwitches, w.IDSwitches}, {"frag", got.Fragmentations, w.Fragmentations},
			{"idtp", got.IDTP, w.IDTP}, {"idfp", got.IDFP, w.IDFP}, {"idfn", got.IDFN, w.IDFN}, {"frames", got.Frames, w.Frames}}
		for _, v := range ints {
			if v[1] != v[2] {
				t.Errorf("%s: %s = %v, want %v", c.name, v[0], v[1], v[2])
			}
		}
		floats := [][3]any{{"mota", got.MOTA, w.MOTA}, {"motp", got.MOTP, w.MOTP}, {"idf1", got.IDF1, w.IDF1}, {"idp", got.IDP, w.IDP}, {"idr", got.IDR, w.IDR}}
		for _, v := range floats {
			if math.Abs(v[1].(float64)-v[2].(float64)) > 1e-12 {
				t.Errorf("%s: %s = %v, want %v", c.name, v[0], v[1], v[2])
			}
		}
	}
}

func TestEvalMOTRejectsBadInput(t *testing.T) {
	if _, err := EvalMOT([]MOTFrame{{Truth: []MOTObject{o(1, 0), o(1, 2)}}}, 1); err == nil {
		t.Error("duplicate truth id accepted")
	}
	if _, err := EvalMOT(nil, 0); err == nil {
		t.Error("zero match distance accepted")
	}
	if _, err := EvalMOT([]MOTFrame{{Hyp: []MOTObject{{ID: 1, X: math.NaN()}}}}, 1); err == nil {
		t.Error("NaN position accepted")
	}
}

func TestMOTFrameFromLists(t *testing.T) {
	obj := func(id uint64, x, y float64) *av.Object { return &av.Object{Id: id, Box: &av.Box3D{X: x, Y: y}} }
	truth := &av.ObjectList{Objects: []*av.Object{obj(1, 110, 0), obj(2, 200, 0), obj(3, 100, -39)}}
	hyp := &av.ObjectList{Objects: []*av.Object{obj(7, 110.5, 0), obj(0, 120, 0), obj(0, 121, 0), obj(8, 59, 0)}}
	f := MOTFrameFromLists(truth, hyp, 100, 0, 40)
	if len(f.Truth) != 2 || f.Truth[0].ID != 1 || f.Truth[1].ID != 3 {
		t.Errorf("truth %+v: want ids 1 and 3 (2 is 100 m away)", f.Truth)
	}
	if len(f.Hyp) != 3 || f.Hyp[0].ID != 7 || f.Hyp[1].ID == f.Hyp[2].ID || f.Hyp[1].ID == 0 {
		t.Errorf("hypotheses %+v: want 7 and two distinct made-up ids", f.Hyp)
	}
}
