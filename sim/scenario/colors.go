package scenario

import "sort"

// Colors are the named body colours (RGB) an actor may ask for.
var Colors = map[string][3]uint8{
	"white":  {235, 235, 235},
	"black":  {25, 25, 28},
	"silver": {170, 172, 176},
	"grey":   {110, 112, 116},
	"red":    {180, 30, 30},
	"blue":   {30, 60, 160},
	"green":  {40, 120, 60},
	"yellow": {220, 190, 40},
	"orange": {230, 120, 30},
}

// ColorNames lists Colors' keys, sorted.
func ColorNames() []string {
	out := make([]string, 0, len(Colors))
	for k := range Colors {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
