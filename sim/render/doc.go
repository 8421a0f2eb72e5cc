// Package render is the simulator's camera model: a pinhole camera (geom.PinholeCamera, the
// calibration of the vehicle config) looking at a flat world — sky, grass, asphalt lanes with
// lane markings, stop lines and crosswalks from the road map, vehicles as shaded 3D boxes
// (car, SUV, van, truck, bus, motorcycle shapes), pedestrians and cyclists — rasterised with
// gocv (OpenCV fillPoly with sub-pixel vertices, painter's order far to near, polygons clipped
// at the near plane), then JPEG-encoded. It also labels each frame: the 2D box of every object
// (the projection of its 3D box, as geom.PinholeCamera.ProjectBox computes it) and its
// visibility (visible pixels / pixels of the object drawn alone).
//
//	r, _ := render.New(cam, roadMap)
//	defer r.Close()
//	labels, _ := r.Render(render.Scene{Ego: egoPose, Objects: objs})
//	jpeg, _ := r.JPEG(85)
package render
