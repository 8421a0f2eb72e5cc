// Package roadmap loads road maps from GeoJSON (configs/maps/*.geojson) and answers lane
// queries: the nearest lane to a point, arc length and lateral offset along a lane, points and
// headings at an arc length, the drivable area, and routes along the lane graph.
//
// Maps use local metric coordinates (x east, y north, metres) in the GeoJSON coordinates,
// not longitude/latitude. Every feature has a "type" property:
//
//	lane       LineString centre line in the direction of travel. Properties:
//	           id (string, unique), width (m), speed_limit (m/s),
//	           successors (array of lane ids reachable at the end of the lane),
//	           left, right (ids of the neighbouring lanes in the same direction, "" for none),
//	           road (optional name), use ("driving", the default, or "parking": drivable
//	           area that is never a lane-change target).
//	stop_line  LineString across one lane. Properties: id, lane (lane id), s (arc length of
//	           the line along that lane), control ("stop_sign" or "signal"); for signals:
//	           cycle_s, green_s, yellow_s, offset_s (the light is green from offset_s for
//	           green_s, then yellow for yellow_s, then red until the cycle ends).
//	crosswalk  Polygon. Properties: id.
//
// Load with roadmap.Load(path); every error names the file, the feature and the property.
// The maps in configs/maps are written by `go run ./sim/roadmap/mapgen` and checked by a test.
package roadmap
