package detect

import (
	"fmt"
	"image"
	"image/color"

	"gocv.io/x/gocv"
)

// Annotate draws each detection's box and "name score" label onto img (8-bit BGR) in place.
func Annotate(img *gocv.Mat, dets []Detection) {
	palette := []color.RGBA{{255, 56, 56, 0}, {72, 249, 10, 0}, {0, 194, 255, 0}, {255, 157, 151, 0}, {207, 210, 49, 0}, {146, 204, 23, 0}}
	for _, d := range dets {
		c := palette[(d.Class%len(palette)+len(palette))%len(palette)]
		r := image.Rect(int(d.Box[0]), int(d.Box[1]), int(d.Box[2]), int(d.Box[3]))
		gocv.Rectangle(img, r, c, 2)
		label := fmt.Sprintf("%s %.2f", d.Name, d.Score)
		sz := gocv.GetTextSize(label, gocv.FontHersheySimplex, 0.5, 1)
		y := max(r.Min.Y, sz.Y+4)
		gocv.Rectangle(img, image.Rect(r.Min.X, y-sz.Y-4, r.Min.X+sz.X+2, y), c, -1)
		gocv.PutText(img, label, image.Pt(r.Min.X+1, y-3), gocv.FontHersheySimplex, 0.5, color.RGBA{0, 0, 0, 0}, 1)
	}
}
