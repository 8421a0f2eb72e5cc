package graph

import (
	"github.com/avstack/avstack/nn"
)

// dropIdentities removes single-input Identity nodes (and inference
// Dropout, which imports as IdentityOp) by making their consumers read
// the input directly. Nodes that produce a graph output stay.
func (b *Builder) dropIdentities() {
	outs := map[string]bool{}
	for _, o := range b.outputs {
		outs[o] = true
	}
	rename := map[string]string{}
	var kept []*Node
	for _, n := range b.Nodes {
		for k, in := range n.Inputs {
			if r, ok := rename[in]; ok {
				n.Inputs[k] = r
			}
		}
		_, ok := n.Op.(IdentityOp)
		if ok && len(n.Inputs) == 1 && n.Inputs[0] != "" && len(n.Outputs) >= 1 && !outs[n.Outputs[0]] && b.unused(n.Outputs[1:]) {
			rename[n.Outputs[0]] = n.Inputs[0]
			continue
		}
		kept = append(kept, n)
	}
	b.Nodes = kept
}

// unused reports whether no node reads any of the values and none is a
// graph output.
func (b *Builder) unused(names []string) bool {
	for _, name := range names {
		if name == "" {
			continue
		}
		for _, o := range b.outputs {
			if o == name {
				return false
			}
		}
		for _, n := range b.Nodes {
			for _, in := range n.Inputs {
				if in == name {
					return false
				}
			}
		}
	}
	return true
}

// fuseResidual merges Add(conv, r) into the convolution when the Conv has
// no activation yet, its output feeds only that Add and r has the Conv
// output's shape: the Conv then computes act(conv(x) + bias + r) with r as
// its fourth input (and may write over r when r dies there). An activation
// after the Add fuses later as usual. Shapes come from the dry run, so this
// needs static input shapes.
func (b *Builder) fuseResidual() {
	if b.shapes == nil {
		return
	}
	uses := b.consumers()
	prod := map[string]*Node{}
	for _, n := range b.Nodes {
		for _, o := range n.Outputs {
			prod[o] = n
		}
	}
	removed := map[*Node]bool{}
	for _, n := range b.Nodes {
		bin, ok := n.Op.(*BinaryOp)
		if !ok || bin.Op != nn.OpAdd || bin.Legacy || len(n.Inputs) != 2 || len(n.Outputs) != 1 {
			continue
		}
		for side := 0; side < 2; side++ {
			c, r := n.Inputs[side], n.Inputs[1-side]
			p := prod[c]
			if p == nil || removed[p] || uses[c] != 1 || c == r {
				continue
			}
			conv, ok := p.Op.(*ConvOp)
			if !ok || conv.Act.Kind != nn.ActNone || len(p.Inputs) > 3 {
				continue
			}
			cs, rs := b.shapes[c], b.shapes[r]
			if cs == nil || !nn.SameShape(cs, rs) {
				continue
			}
			if _, isConst := b.consts[r]; isConst {
				continue
			}
			for len(p.Inputs) < 3 {
				p.Inputs = append(p.Inputs, "")
			}
			p.Inputs = append(p.Inputs, r)
			p.Outputs = []string{n.Outputs[0]}
			p.OpType += "+Add"
			removed[n] = true
			break
		}
	}
	var kept []*Node
	for _, n := range b.Nodes {
		if !removed[n] {
			kept = append(kept, n)
		}
	}
	b.Nodes = kept
}

// fuseTransposedSoftmax turns Transpose(p) -> Softmax(last axis) ->
// Transpose(inverse of p) into one Softmax over axis p[last] of the
// original tensor (how detectors export a softmax over channels), saving
// both copies. Needs the rank from the dry run.
func (b *Builder) fuseTransposedSoftmax() {
	if b.shapes == nil {
		return
	}
	uses := b.consumers()
	prod := map[string]*Node{}
	for _, n := range b.Nodes {
		for _, o := range n.Outputs {
			prod[o] = n
		}
	}
	removed := map[*Node]bool{}
	for _, t2 := range b.Nodes {
		tr2, ok := t2.Op.(*TransposeOp)
		if !ok || len(t2.Inputs) != 1 || len(t2.Outputs) != 1 {
			continue
		}
		sm := prod[t2.Inputs[0]]
		if sm == nil || removed[sm] || uses[t2.Inputs[0]] != 1 || len(sm.Outputs) != 1 {
			continue
		}
		so, ok := sm.Op.(*SoftmaxOp)
		if !ok || so.Log {
			continue
		}
		t1 := prod[sm.Inputs[0]]
		if t1 == nil || removed[t1] || uses[sm.Inputs[0]] != 1 || len(t1.Outputs) != 1 {
			continue
		}
		tr1, ok := t1.Op.(*TransposeOp)
		if !ok {
			continue
		}
		xs := b.shapes[t1.Inputs[0]]
		r := len(xs)
		if r == 0 || len(tr1.Perm) != r || len(tr2.Perm) != r {
			continue
		}
		ax, err := normAxis(so.Axis, r)
		if err != nil || ax != r-1 {
			continue
		}
		inverse := true
		for k := 0; k < r; k++ {
			if tr1.Perm[k] < 0 || tr1.Perm[k] >= r || tr2.Perm[k] < 0 || tr2.Perm[k] >= r {
				inverse = false
			}
		}
		for k := 0; inverse && k < r; k++ {
			if tr1.Perm[tr2.Perm[k]] != k {
				inverse = false
				break
			}
		}
		if !inverse {
			continue
		}
		t2.Op = &SoftmaxOp{Axis: tr1.Perm[r-1]}
		t2.OpType = "Transpose+Softmax+Transpose"
		t2.Inputs = []string{t1.Inputs[0]}
		t2.Name = sm.Name
		removed[t1], removed[sm] = true, true
	}
	var kept []*Node
	for _, n := range b.Nodes {
		if !removed[n] {
			kept = append(kept, n)
		}
	}
	b.Nodes = kept
}
