package perceive

import (
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/avstack/avstack/geom"
	"github.com/avstack/avstack/msg"
	"github.com/avstack/avstack/msg/av"
	"github.com/avstack/avstack/node"
)

// TestOfflineMatchesStep: feeding encoded messages through Offline gives the same outputs as
// calling Step with the decoded messages.
func TestOfflineMatchesStep(t *testing.T) {
	direct := newCore(t, nil)
	off, err := NewOffline(newCore(t, nil))
	if err != nil {
		t.Fatal(err)
	}
	for k := 0; k < 5; k++ {
		stamp := int64(1e9) + int64(k)*period
		st := stateMsg(stamp, 10, 5, 0.1)
		pc := cloud(stamp, geom.Box{X: 15 + 0.5*float64(k), Y: 3, Length: 4.2, Width: 1.8, Height: 1.5})
		want, err := direct.Step(append([]node.Message{st}, lidarMsg(pc)), stamp)
		if err != nil {
			t.Fatal(err)
		}
		sb, _ := proto.Marshal(st.Value)
		if outs, stepped, err := off.Push(msg.SubjectVehicleState, "avstack.v1.VehicleState", sb); err != nil || stepped || outs != nil {
			t.Fatalf("state: %v %v %v", outs, stepped, err)
		}
		if _, stepped, _ := off.Push("av.unrelated", "", nil); stepped {
			t.Fatal("an unrelated subject stepped")
		}
		pb, _ := proto.Marshal(pc)
		got, stepped, err := off.Push(msg.Lidar("top"), "foxglove.PointCloud", pb)
		if err != nil || !stepped {
			t.Fatalf("scan: %v %v", stepped, err)
		}
		if len(got) != len(want) {
			t.Fatalf("step %d: %d outputs, want %d", k, len(got), len(want))
		}
		for i := range got {
			if !proto.Equal(got[i].Value, want[i].Value) {
				t.Fatalf("step %d output %d differs", k, i)
			}
		}
		if k == 4 && len(got[0].Value.(*av.ObjectList).Objects) != 1 {
			t.Fatalf("no object after 5 steps")
		}
	}
	if _, _, err := off.Push(msg.Lidar("top"), "avstack.v1.ObjectList", nil); err == nil {
		t.Fatal("a message of the wrong type was accepted")
	}
}
