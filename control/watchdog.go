package control

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/avstack/avstack/msg/av"
)

// Watchdog tracks how old the control node's inputs are and the health other nodes report.
// Ages use message stamps against the step's time, so it works the same in lockstep
// simulation, real time and replay.
type Watchdog struct {
	TrajectoryMax, ObjectsMax, StateMax time.Duration
	// Nodes whose ERROR or STOPPING status trips the watchdog; empty = every node but Self.
	Watch []string
	Self  string

	lastTraj, lastObj, lastState int64
	haveTraj, haveObj, haveState bool
	health                       map[string]av.NodeStatus_Health
	msgs                         map[string]string
}

// NewWatchdog with limits.
func NewWatchdog(traj, objs, state time.Duration) *Watchdog {
	return &Watchdog{TrajectoryMax: traj, ObjectsMax: objs, StateMax: state, health: map[string]av.NodeStatus_Health{}, msgs: map[string]string{}}
}

// Trajectory records a (non-empty) trajectory's stamp.
func (w *Watchdog) Trajectory(stamp int64) {
	w.lastTraj, w.haveTraj = newest(w.lastTraj, w.haveTraj, stamp), true
}

// Objects records an object list's stamp.
func (w *Watchdog) Objects(stamp int64) {
	w.lastObj, w.haveObj = newest(w.lastObj, w.haveObj, stamp), true
}

// State records a vehicle state's stamp.
func (w *Watchdog) State(stamp int64) {
	w.lastState, w.haveState = newest(w.lastState, w.haveState, stamp), true
}

func newest(last int64, have bool, stamp int64) int64 {
	if !have || stamp > last {
		return stamp
	}
	return last
}

// Status records a node's reported health.
func (w *Watchdog) Status(st *av.NodeStatus) {
	if st.GetNode() == "" || st.GetNode() == w.Self {
		return
	}
	w.health[st.GetNode()] = st.GetHealth()
	w.msgs[st.GetNode()] = st.GetMessage()
}

func (w *Watchdog) watched(node string) bool {
	if len(w.Watch) == 0 {
		return node != w.Self
	}
	for _, n := range w.Watch {
		if n == node {
			return true
		}
	}
	return false
}

// Check returns "" when every input is fresh and every watched node healthy, else the reasons.
func (w *Watchdog) Check(now int64) string {
	var why []string
	age := func(name string, last int64, have bool, limit time.Duration) {
		if !have {
			why = append(why, "no "+name+" yet")
			return
		}
		if a := time.Duration(now - last); a > limit {
			why = append(why, fmt.Sprintf("%s stale (%d ms > %d ms)", name, a.Milliseconds(), limit.Milliseconds()))
		}
	}
	age("vehicle state", w.lastState, w.haveState, w.StateMax)
	age("objects", w.lastObj, w.haveObj, w.ObjectsMax)
	age("trajectory", w.lastTraj, w.haveTraj, w.TrajectoryMax)
	nodes := make([]string, 0, len(w.health))
	for n := range w.health {
		nodes = append(nodes, n)
	}
	sort.Strings(nodes)
	for _, n := range nodes {
		h := w.health[n]
		if (h == av.NodeStatus_HEALTH_ERROR || h == av.NodeStatus_HEALTH_STOPPING) && w.watched(n) {
			why = append(why, fmt.Sprintf("node %s %s: %s", n, strings.TrimPrefix(h.String(), "HEALTH_"), w.msgs[n]))
		}
	}
	return strings.Join(why, "; ")
}
