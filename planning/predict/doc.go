// Package predict forecasts where the other road users will be: per object, a few possible
// paths over a horizon (default 5 s at 0.1 s) with probabilities.
//
// Predictor is the interface; ConstantVelocity and LaneFollowing (constant speed along the lane
// centre the object is on, with the constant-velocity path as the less likely alternative) are
// the implementations today. A learned predictor (LSTM over track histories) will implement the
// same interface; Predict is called in time order so it can keep per-track history.
//
//	p, _ := predict.New("lane_following", predict.DefaultOptions())
//	preds := p.Predict(objects, rt, now)
//	box := preds[0].BoxAt(0, 1.5) // where the first object is in 1.5 s on its likeliest path
package predict
