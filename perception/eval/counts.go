package eval

// Counts are the detection tallies of one class.
type Counts struct {
	GT        int     `json:"gt"`
	TP        int     `json:"tp"`
	FP        int     `json:"fp"`
	Ignored   int     `json:"ignored"`
	Recall    float64 `json:"recall"`
	Precision float64 `json:"precision"`
}

// Add accumulates o into c and recomputes the ratios.
func (c *Counts) Add(o Counts) {
	c.GT += o.GT
	c.TP += o.TP
	c.FP += o.FP
	c.Ignored += o.Ignored
	c.finish()
}

// finish computes recall and precision; with no ground truth recall is 1 (nothing to find), with
// no detections precision is 1 (nothing wrong claimed).
func (c *Counts) finish() {
	c.Recall, c.Precision = 1, 1
	if c.GT > 0 {
		c.Recall = float64(c.TP) / float64(c.GT)
	}
	if c.TP+c.FP > 0 {
		c.Precision = float64(c.TP) / float64(c.TP+c.FP)
	}
}

// FrameResult is the result of one frame.
type FrameResult struct {
	ID      string            `json:"id"`
	Classes map[string]Counts `json:"classes"`
}

// Result is the result over frames: totals and each frame.
type Result struct {
	Frames   int               `json:"frames"`
	Classes  map[string]Counts `json:"classes"`
	PerFrame []FrameResult     `json:"per_frame"`
}

// Add appends a frame result and updates the totals.
func (r *Result) Add(f FrameResult) {
	if r.Classes == nil {
		r.Classes = map[string]Counts{}
	}
	r.Frames++
	r.PerFrame = append(r.PerFrame, f)
	for k, c := range f.Classes {
		t := r.Classes[k]
		t.Add(c)
		r.Classes[k] = t
	}
}
