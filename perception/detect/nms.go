package detect

import "sort"

// IoU is the intersection over union of two [x1,y1,x2,y2] boxes; 0 when either is empty.
func IoU(a, b [4]float32) float32 {
	ix := min(a[2], b[2]) - max(a[0], b[0])
	iy := min(a[3], b[3]) - max(a[1], b[1])
	if ix <= 0 || iy <= 0 {
		return 0
	}
	inter := ix * iy
	ua := (a[2]-a[0])*(a[3]-a[1]) + (b[2]-b[0])*(b[3]-b[1]) - inter
	if ua <= 0 {
		return 0
	}
	return inter / ua
}

// NMS is class-aware greedy non-maximum suppression: detections are taken by descending score
// (ties: lower index first) and one is dropped when it overlaps an already kept detection of the
// same class with IoU > iou. The result is in descending score order; dets is not modified.
func NMS(dets []Detection, iou float32) []Detection {
	order := make([]int, len(dets))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(i, j int) bool { return dets[order[i]].Score > dets[order[j]].Score })
	var kept []Detection
	for _, i := range order {
		d := dets[i]
		ok := true
		for _, k := range kept {
			if k.Class == d.Class && IoU(k.Box, d.Box) > iou {
				ok = false
				break
			}
		}
		if ok {
			kept = append(kept, d)
		}
	}
	return kept
}
