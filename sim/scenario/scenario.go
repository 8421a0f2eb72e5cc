package scenario

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/avstack/avstack/config"
	"github.com/avstack/avstack/sim/roadmap"
)

// Scenario is one scenario file.
type Scenario struct {
	Name        string `yaml:"name"`
	Description string `yaml:"description"`
	// Map is the GeoJSON map, relative to the scenario file.
	Map       string  `yaml:"map"`
	DurationS float64 `yaml:"duration_s"`
	Seed      uint64  `yaml:"seed"`
	Ego       Ego     `yaml:"ego"`
	Actors    []Actor `yaml:"actors"`
	// Traffic adds seeded background vehicles.
	Traffic *Traffic `yaml:"traffic"`
	Sensors Sensors  `yaml:"sensors"`
	Pass    Pass     `yaml:"pass"`

	// File the scenario came from, and its map, loaded (not in YAML).
	File    string       `yaml:"-"`
	RoadMap *roadmap.Map `yaml:"-"`
	// Route is the ego's lane sequence (ego.route, or found from ego.goal).
	Route []string `yaml:"-"`
}

// Ego is the ego vehicle's start, route and cruise speed.
type Ego struct {
	Lane  string  `yaml:"lane"`
	S     float64 `yaml:"s"`
	D     float64 `yaml:"d"`
	Speed float64 `yaml:"speed"`
	// Route lists lanes to drive, in order (successors or neighbours); or give Goal.
	Route []string `yaml:"route"`
	Goal  *LanePos `yaml:"goal"`
	// CruiseSpeed of the built-in driver (default: the lanes' speed limits).
	CruiseSpeed float64 `yaml:"cruise_speed"`
	// ActuatorNoise perturbs the realised acceleration (m/s^2) and steering angle (rad) every
	// physics tick (1 sigma, seeded).
	ActuatorNoise *ActuatorNoise `yaml:"actuator_noise"`
}

// ActuatorNoise is the ego's process noise.
type ActuatorNoise struct {
	Accel float64 `yaml:"accel"`
	Steer float64 `yaml:"steer"`
}

// LanePos is a position on a lane.
type LanePos struct {
	Lane string  `yaml:"lane"`
	S    float64 `yaml:"s"`
}

// Pose is a position in map coordinates.
type Pose struct {
	X   float64 `yaml:"x"`
	Y   float64 `yaml:"y"`
	Yaw float64 `yaml:"yaw"`
}

// Size overrides an actor's box.
type Size struct {
	Length float64 `yaml:"length"`
	Width  float64 `yaml:"width"`
	Height float64 `yaml:"height"`
}

// Actor kinds.
var Kinds = []string{"car", "suv", "van", "truck", "bus", "motorcycle", "cyclist", "pedestrian", "barrier"}

// Behaviour types.
var Behaviors = []string{"idm", "stopped", "hard_brake", "cut_in", "wrong_way", "cross"}

// Actor is another road user.
type Actor struct {
	ID   string `yaml:"id"`
	Kind string `yaml:"kind"`
	// Either a lane position (lane, s, d) or a map pose (position).
	Lane     string  `yaml:"lane"`
	S        float64 `yaml:"s"`
	D        float64 `yaml:"d"`
	Position *Pose   `yaml:"position"`
	Speed    float64 `yaml:"speed"`
	// Route lists the lanes a lane actor takes after its start lane (default: a seeded choice
	// among successors at every lane end).
	Route []string `yaml:"route"`
	Size  *Size    `yaml:"size"`
	// Color is an optional body colour name (see docs/scenarios.md); default seeded.
	Color    string   `yaml:"color"`
	Behavior Behavior `yaml:"behavior"`
}

// Behavior says how an actor moves.
type Behavior struct {
	Type string `yaml:"type"`
	// idm: desired speed (default: the actor's speed) and whether MOBIL lane changes are on.
	DesiredSpeed float64 `yaml:"desired_speed"`
	LaneChange   bool    `yaml:"lane_change"`
	// hard_brake: deceleration (m/s^2, default 6) down to to_speed (default 0).
	Decel   float64 `yaml:"decel"`
	ToSpeed float64 `yaml:"to_speed"`
	// cut_in: direction (left or right) and duration of the lateral move (default 2.5 s).
	Direction string  `yaml:"direction"`
	DurationS float64 `yaml:"duration_s"`
	// cross: walking heading (rad, map frame) and distance; the actor stops after it.
	Heading  float64 `yaml:"heading"`
	Distance float64 `yaml:"distance"`
	// Trigger starts the scripted part (hard_brake, cut_in, cross); default: at once.
	Trigger *Trigger `yaml:"trigger"`
}

// Trigger fires when every condition given holds, then waits delay_s.
type Trigger struct {
	TimeS *float64 `yaml:"time_s"`
	// EgoDistance: the ego's centre is within this distance (m) of the actor.
	EgoDistance *float64 `yaml:"ego_distance"`
	DelayS      float64  `yaml:"delay_s"`
}

// Traffic is seeded background traffic.
type Traffic struct {
	Lanes []string `yaml:"lanes"`
	// Density in vehicles per km per lane.
	Density float64 `yaml:"density"`
	// Arc-length range on each lane where vehicles are placed.
	FromS float64 `yaml:"from_s"`
	ToS   float64 `yaml:"to_s"`
	// Desired speeds: mean and standard deviation (m/s).
	Speed      float64 `yaml:"speed"`
	SpeedStd   float64 `yaml:"speed_std"`
	LaneChange bool    `yaml:"lane_change"`
	// Keep-out distance around the ego's start (m, default 20).
	Clearance float64 `yaml:"clearance"`
}

// Window is a time interval in seconds.
type Window struct {
	FromS float64 `yaml:"from_s"`
	ToS   float64 `yaml:"to_s"`
}

// Sensors selects and degrades the simulated sensors.
type Sensors struct {
	// Cameras and lidars of the vehicle config to simulate (default: all).
	Cameras []string `yaml:"cameras"`
	Lidars  []string `yaml:"lidars"`
	// LidarDropProb drops whole lidar frames at random (seeded); LidarDropout drops every
	// frame inside the windows; CameraBlackout publishes black frames inside the windows.
	LidarDropProb  float64  `yaml:"lidar_drop_prob"`
	LidarDropout   []Window `yaml:"lidar_dropout"`
	CameraBlackout []Window `yaml:"camera_blackout"`
	// Noise: lidar range (m, 1 sigma), lidar point dropout probability, odometry position (m)
	// and speed (m/s) noise.
	LidarRangeNoise float64 `yaml:"lidar_range_noise"`
	LidarPointDrop  float64 `yaml:"lidar_point_drop"`
	OdomPosNoise    float64 `yaml:"odom_pos_noise"`
	OdomSpeedNoise  float64 `yaml:"odom_speed_noise"`
}

// Pass are the pass criteria. Unset fields take the defaults in brackets.
type Pass struct {
	// Collisions allowed [0].
	MaxCollisions *int `yaml:"max_collisions"`
	// Minimum route completion, 0..1 [0.9].
	MinRouteCompletion *float64 `yaml:"min_route_completion"`
	// Off-road time allowed, s [0].
	MaxOffroadS *float64 `yaml:"max_offroad_s"`
	// Minimum time to collision, s [none].
	MinTTCS *float64 `yaml:"min_ttc_s"`
	// Comfort: stay within nuPlan's bounds [false].
	Comfort bool `yaml:"comfort"`
	// Red-light and stop-line violations allowed [0].
	MaxViolations *int `yaml:"max_violations"`
	// Minimum driving score, 0..100 [none].
	MinDrivingScore *float64 `yaml:"min_driving_score"`
}

// Defaults of the pass criteria.
const (
	DefaultMinRouteCompletion = 0.9
)

var idRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]*$`)

// Load reads a scenario file and its map and checks both.
func Load(path string) (*Scenario, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("scenario: %w", err)
	}
	return Parse(data, path)
}

// Parse decodes a scenario; file names it in errors and anchors the relative map path.
func Parse(data []byte, file string) (*Scenario, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, yamlError(file, err)
	}
	var sc Scenario
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&sc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &config.Error{File: file, Msg: "empty file"}
		}
		return nil, yamlError(file, err)
	}
	sc.File = file
	withLine := func(err error) error {
		var ce *config.Error
		if errors.As(err, &ce) {
			c := *ce
			c.File = file
			if c.Line == 0 {
				c.Line = lineOf(&root, c.Field)
			}
			return &c
		}
		return err
	}
	if err := sc.Validate(); err != nil {
		return nil, withLine(err)
	}
	mapPath := sc.Map
	if !filepath.IsAbs(mapPath) {
		mapPath = filepath.Join(filepath.Dir(file), mapPath)
	}
	m, err := roadmap.Load(mapPath)
	if err != nil {
		return nil, withLine(config.Errorf("map", sc.Map, "%v", err))
	}
	sc.RoadMap = m
	if err := sc.resolve(); err != nil {
		return nil, withLine(err)
	}
	return &sc, nil
}

var yamlLineRE = regexp.MustCompile(`line (\d+): `)

// yamlError turns a YAML decoding error into a config error carrying the first line it names.
func yamlError(file string, err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	e := &config.Error{File: file, Msg: strings.ReplaceAll(msg, "\n ", "")}
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		e.Line, _ = strconv.Atoi(m[1])
	}
	return e
}

func in(s string, set []string) bool {
	for _, v := range set {
		if v == s {
			return true
		}
	}
	return false
}

func finite(vs ...float64) bool {
	for _, v := range vs {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return true
}

// Validate checks what can be checked without the map.
func (s *Scenario) Validate() error {
	if !idRE.MatchString(s.Name) {
		return config.Errorf("name", s.Name, "must be a non-empty identifier (letters, digits, _ and -)")
	}
	if s.Map == "" {
		return config.Errorf("map", s.Map, "must name a GeoJSON map (relative to the scenario file)")
	}
	if !(s.DurationS > 0) || s.DurationS > 3600 {
		return config.Errorf("duration_s", s.DurationS, "must be in (0, 3600] seconds")
	}
	if s.Ego.Lane == "" {
		return config.Errorf("ego.lane", s.Ego.Lane, "must name the start lane")
	}
	if !finite(s.Ego.S, s.Ego.D) || s.Ego.Speed < 0 || s.Ego.Speed > 60 {
		return config.Errorf("ego.speed", s.Ego.Speed, "must be 0..60 m/s")
	}
	if s.Ego.CruiseSpeed < 0 || s.Ego.CruiseSpeed > 60 {
		return config.Errorf("ego.cruise_speed", s.Ego.CruiseSpeed, "must be 0..60 m/s (0 = speed limits)")
	}
	if n := s.Ego.ActuatorNoise; n != nil && (n.Accel < 0 || n.Accel > 2 || n.Steer < 0 || n.Steer > 0.05) {
		return config.Errorf("ego.actuator_noise", *n, "accel 0..2 m/s^2, steer 0..0.05 rad")
	}
	if len(s.Ego.Route) == 0 && s.Ego.Goal == nil {
		return config.Errorf("ego", nil, "needs a route (list of lanes) or a goal {lane, s}")
	}
	ids := map[string]int{}
	for i, a := range s.Actors {
		f := fmt.Sprintf("actors[%d]", i)
		if !idRE.MatchString(a.ID) {
			return config.Errorf(f+".id", a.ID, "must be a non-empty identifier")
		}
		if prev, dup := ids[a.ID]; dup {
			return config.Errorf(f+".id", a.ID, "duplicate (also actors[%d])", prev)
		}
		ids[a.ID] = i
		if !in(a.Kind, Kinds) {
			return config.Errorf(f+".kind", a.Kind, "must be one of %v", Kinds)
		}
		if (a.Lane == "") == (a.Position == nil) {
			return config.Errorf(f+".lane", a.Lane, "give either lane (with s, d) or position {x, y, yaw}")
		}
		if a.Speed < 0 || a.Speed > 60 || !finite(a.Speed, a.S, a.D) {
			return config.Errorf(f+".speed", a.Speed, "must be 0..60 m/s")
		}
		if len(a.Route) > 0 && a.Lane == "" {
			return config.Errorf(f+".route", a.Route, "needs the actor placed on a lane")
		}
		if a.Size != nil && (!(a.Size.Length > 0) || !(a.Size.Width > 0) || !(a.Size.Height > 0) || a.Size.Length > 30 || a.Size.Width > 5 || a.Size.Height > 6) {
			return config.Errorf(f+".size", *a.Size, "length (0, 30], width (0, 5], height (0, 6] m")
		}
		if a.Color != "" {
			if _, ok := Colors[a.Color]; !ok {
				return config.Errorf(f+".color", a.Color, "unknown colour (have %v)", ColorNames())
			}
		}
		b := a.Behavior
		bf := f + ".behavior"
		if b.Type == "" {
			b.Type = "idm"
			s.Actors[i].Behavior.Type = "idm"
		}
		if !in(b.Type, Behaviors) {
			return config.Errorf(bf+".type", b.Type, "must be one of %v", Behaviors)
		}
		if b.DesiredSpeed < 0 || b.DesiredSpeed > 60 {
			return config.Errorf(bf+".desired_speed", b.DesiredSpeed, "must be 0..60 m/s")
		}
		if b.Decel < 0 || b.Decel > 12 {
			return config.Errorf(bf+".decel", b.Decel, "must be 0..12 m/s^2 (0 = default 6)")
		}
		if b.ToSpeed < 0 {
			return config.Errorf(bf+".to_speed", b.ToSpeed, "must not be negative")
		}
		if b.DurationS < 0 || b.DurationS > 20 {
			return config.Errorf(bf+".duration_s", b.DurationS, "must be 0..20 s (0 = default 2.5)")
		}
		if b.Distance < 0 {
			return config.Errorf(bf+".distance", b.Distance, "must not be negative")
		}
		needsLane := b.Type == "idm" || b.Type == "hard_brake" || b.Type == "cut_in" || b.Type == "wrong_way"
		if needsLane && a.Lane == "" {
			return config.Errorf(bf+".type", b.Type, "needs the actor placed on a lane (lane, s, d)")
		}
		if b.Type == "cut_in" && b.Direction != "left" && b.Direction != "right" {
			return config.Errorf(bf+".direction", b.Direction, "must be left or right")
		}
		if b.Type != "cut_in" && b.Direction != "" {
			return config.Errorf(bf+".direction", b.Direction, "only for cut_in")
		}
		if b.Type == "cross" && !(b.Distance > 0) {
			return config.Errorf(bf+".distance", b.Distance, "cross needs a positive walking distance")
		}
		if b.Type == "cross" && !(a.Speed > 0) {
			return config.Errorf(f+".speed", a.Speed, "cross needs a positive walking speed")
		}
		if t := b.Trigger; t != nil {
			if t.TimeS == nil && t.EgoDistance == nil {
				return config.Errorf(bf+".trigger", nil, "needs time_s and/or ego_distance")
			}
			if t.TimeS != nil && *t.TimeS < 0 {
				return config.Errorf(bf+".trigger.time_s", *t.TimeS, "must not be negative")
			}
			if t.EgoDistance != nil && !(*t.EgoDistance > 0) {
				return config.Errorf(bf+".trigger.ego_distance", *t.EgoDistance, "must be positive")
			}
			if t.DelayS < 0 {
				return config.Errorf(bf+".trigger.delay_s", t.DelayS, "must not be negative")
			}
		}
	}
	if t := s.Traffic; t != nil {
		if len(t.Lanes) == 0 {
			return config.Errorf("traffic.lanes", nil, "must list at least one lane")
		}
		if !(t.Density > 0) || t.Density > 150 {
			return config.Errorf("traffic.density", t.Density, "must be in (0, 150] vehicles/km/lane")
		}
		if t.ToS <= t.FromS || t.FromS < 0 {
			return config.Errorf("traffic.to_s", t.ToS, "must be greater than from_s (>= 0)")
		}
		if !(t.Speed > 0) || t.Speed > 50 || t.SpeedStd < 0 {
			return config.Errorf("traffic.speed", t.Speed, "must be in (0, 50] m/s with speed_std >= 0")
		}
		if t.Clearance < 0 {
			return config.Errorf("traffic.clearance", t.Clearance, "must not be negative")
		}
	}
	sn := s.Sensors
	for _, p := range []struct {
		name string
		v    float64
	}{{"lidar_drop_prob", sn.LidarDropProb}, {"lidar_point_drop", sn.LidarPointDrop}} {
		if p.v < 0 || p.v > 1 {
			return config.Errorf("sensors."+p.name, p.v, "must be a probability 0..1")
		}
	}
	for _, p := range []struct {
		name string
		v    float64
	}{{"lidar_range_noise", sn.LidarRangeNoise}, {"odom_pos_noise", sn.OdomPosNoise}, {"odom_speed_noise", sn.OdomSpeedNoise}} {
		if p.v < 0 || p.v > 5 {
			return config.Errorf("sensors."+p.name, p.v, "must be 0..5")
		}
	}
	for _, set := range []struct {
		name string
		ws   []Window
	}{{"lidar_dropout", sn.LidarDropout}, {"camera_blackout", sn.CameraBlackout}} {
		name := set.name
		for i, w := range set.ws {
			if w.FromS < 0 || w.ToS <= w.FromS {
				return config.Errorf(fmt.Sprintf("sensors.%s[%d]", name, i), w, "needs 0 <= from_s < to_s")
			}
		}
	}
	p := s.Pass
	if p.MaxCollisions != nil && *p.MaxCollisions < 0 {
		return config.Errorf("pass.max_collisions", *p.MaxCollisions, "must not be negative")
	}
	if p.MinRouteCompletion != nil && (*p.MinRouteCompletion < 0 || *p.MinRouteCompletion > 1) {
		return config.Errorf("pass.min_route_completion", *p.MinRouteCompletion, "must be 0..1")
	}
	if p.MaxOffroadS != nil && *p.MaxOffroadS < 0 {
		return config.Errorf("pass.max_offroad_s", *p.MaxOffroadS, "must not be negative")
	}
	if p.MinTTCS != nil && *p.MinTTCS < 0 {
		return config.Errorf("pass.min_ttc_s", *p.MinTTCS, "must not be negative")
	}
	if p.MaxViolations != nil && *p.MaxViolations < 0 {
		return config.Errorf("pass.max_violations", *p.MaxViolations, "must not be negative")
	}
	if p.MinDrivingScore != nil && (*p.MinDrivingScore < 0 || *p.MinDrivingScore > 100) {
		return config.Errorf("pass.min_driving_score", *p.MinDrivingScore, "must be 0..100")
	}
	return nil
}

// resolve checks lanes against the map and builds the route.
func (s *Scenario) resolve() error {
	m := s.RoadMap
	lanePos := func(field, lane string, sv float64) error {
		l, ok := m.Lane(lane)
		if !ok {
			return config.Errorf(field, lane, "no such lane in %s", m.File)
		}
		if sv < 0 || sv > l.Length() {
			return config.Errorf(field, lane, "s = %v is outside the lane (length %.1f m)", sv, l.Length())
		}
		return nil
	}
	if err := lanePos("ego.lane", s.Ego.Lane, s.Ego.S); err != nil {
		return err
	}
	if len(s.Ego.Route) > 0 {
		if s.Ego.Route[0] != s.Ego.Lane {
			return config.Errorf("ego.route[0]", s.Ego.Route[0], "must be the start lane %q", s.Ego.Lane)
		}
		for i, id := range s.Ego.Route {
			l, ok := m.Lane(id)
			if !ok {
				return config.Errorf(fmt.Sprintf("ego.route[%d]", i), id, "no such lane in %s", m.File)
			}
			if i > 0 {
				prev, _ := m.Lane(s.Ego.Route[i-1])
				if !in(id, prev.Successors) && prev.Left != id && prev.Right != id {
					return config.Errorf(fmt.Sprintf("ego.route[%d]", i), id, "is neither a successor nor a neighbour of %q", prev.ID)
				}
			}
			_ = l
		}
		s.Route = append([]string{}, s.Ego.Route...)
	}
	if g := s.Ego.Goal; g != nil {
		if err := lanePos("ego.goal.lane", g.Lane, g.S); err != nil {
			return err
		}
		if len(s.Route) == 0 {
			r, err := m.Route(s.Ego.Lane, g.Lane)
			if err != nil {
				return config.Errorf("ego.goal.lane", g.Lane, "%v", err)
			}
			s.Route = r
		} else if s.Route[len(s.Route)-1] != g.Lane {
			return config.Errorf("ego.goal.lane", g.Lane, "must be the last lane of ego.route")
		}
	}
	for i, a := range s.Actors {
		if a.Lane != "" {
			if err := lanePos(fmt.Sprintf("actors[%d].lane", i), a.Lane, a.S); err != nil {
				return err
			}
			l, _ := m.Lane(a.Lane)
			prev := l
			for k, id := range a.Route {
				nl, ok := m.Lane(id)
				if !ok || !in(id, prev.Successors) {
					return config.Errorf(fmt.Sprintf("actors[%d].route[%d]", i, k), id, "is not a successor of lane %q", prev.ID)
				}
				prev = nl
			}
			if a.Behavior.Type == "cut_in" {
				target := l.Left
				if a.Behavior.Direction == "right" {
					target = l.Right
				}
				if target == "" {
					return config.Errorf(fmt.Sprintf("actors[%d].behavior.direction", i), a.Behavior.Direction, "lane %q has no neighbour on that side", a.Lane)
				}
			}
		}
	}
	if t := s.Traffic; t != nil {
		for i, id := range t.Lanes {
			if _, ok := m.Lane(id); !ok {
				return config.Errorf(fmt.Sprintf("traffic.lanes[%d]", i), id, "no such lane in %s", m.File)
			}
		}
	}
	return nil
}

// lineOf finds the line of a field path ("actors[2].behavior.decel") in a YAML document,
// falling back to the deepest node found.
func lineOf(root *yaml.Node, field string) int {
	n := root
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	line := n.Line
	if field == "" {
		return 0
	}
	for _, tok := range strings.Split(field, ".") {
		key, idx := tok, -1
		if j := strings.IndexByte(tok, '['); j >= 0 && strings.HasSuffix(tok, "]") {
			key = tok[:j]
			if v, err := strconv.Atoi(tok[j+1 : len(tok)-1]); err == nil {
				idx = v
			}
		}
		if n.Kind != yaml.MappingNode {
			return line
		}
		var next *yaml.Node
		for k := 0; k+1 < len(n.Content); k += 2 {
			if n.Content[k].Value == key {
				line = n.Content[k].Line
				next = n.Content[k+1]
			}
		}
		if next == nil {
			return line
		}
		n = next
		if idx >= 0 {
			if n.Kind != yaml.SequenceNode || idx >= len(n.Content) {
				return line
			}
			n = n.Content[idx]
			line = n.Line
		}
	}
	return line
}
