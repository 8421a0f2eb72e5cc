package graph

import (
	"fmt"

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

// ShuffleSplitOp is the channel shuffle of ShuffleNet-style blocks, fused:
// Concat(axis 1) -> Reshape [a, g, s] -> Transpose [1 0 2] -> Reshape
// [g, ...] -> Gather(axis 0, k) for each output. Output j holds rows
// i*G+K[j] (i < A) of the S-float rows of its inputs laid end to end (the
// Concat of a batch of one, or the single input), written in one pass
// without the intermediate tensors. Shapes are fixed at build time.
type ShuffleSplitOp struct {
	A, G, S  int
	K        []int   // the Gather index of each output
	InLens   []int   // float count of each input
	OutShape [][]int // shape of each output
}

func (o *ShuffleSplitOp) Run(be nn.Backend, in, out []*nn.Tensor) error {
	for j, t := range in {
		if t == nil || t.DType() != nn.Float32 || t.Len() != o.InLens[j] {
			return fmt.Errorf("input %d does not have the %d floats the fused channel shuffle was built for", j, o.InLens[j])
		}
	}
	for j, t := range out {
		t.SetDType(nn.Float32)
		t.Resize(o.OutShape[j]...)
		d := t.Data()
		for i := 0; i < o.A; i++ {
			r := i*o.G + o.K[j] // row of the concatenation
			src := 0
			for r*o.S >= o.InLens[src] {
				r -= o.InLens[src] / o.S
				src++
			}
			copy(d[i*o.S:(i+1)*o.S], in[src].Data()[r*o.S:(r+1)*o.S])
		}
	}
	return nil
}

// fuseShuffle finds Reshape -> Transpose [1 0 2] -> Reshape -> Gathers
// (axis 0, constant scalar indices, every consumer of the second Reshape)
// and replaces them, with the Concat before them when it has no other
// consumer and a batch of one, by one ShuffleSplitOp. Needs static shapes.
func (b *Builder) fuseShuffle() {
	if b.shapes == nil {
		return
	}
	uses := b.consumers()
	prod := map[string]*Node{}
	readers := map[string][]*Node{}
	for _, n := range b.Nodes {
		for _, o := range n.Outputs {
			prod[o] = n
		}
		for _, in := range n.Inputs {
			readers[in] = append(readers[in], n)
		}
	}
	removed := map[*Node]bool{}
	for _, r1 := range b.Nodes {
		if _, ok := r1.Op.(*ReshapeOp); !ok || removed[r1] || len(r1.Outputs) != 1 {
			continue
		}
		s1 := b.shapes[r1.Outputs[0]]
		if len(s1) != 3 || uses[r1.Outputs[0]] != 1 {
			continue
		}
		t := readers[r1.Outputs[0]][0]
		tr, ok := t.Op.(*TransposeOp)
		if !ok || len(tr.Perm) != 3 || tr.Perm[0] != 1 || tr.Perm[1] != 0 || tr.Perm[2] != 2 || uses[t.Outputs[0]] != 1 {
			continue
		}
		r2 := readers[t.Outputs[0]][0]
		if _, ok := r2.Op.(*ReshapeOp); !ok || len(r2.Outputs) != 1 {
			continue
		}
		s2 := b.shapes[r2.Outputs[0]]
		if len(s2) < 1 || s2[0] != s1[1] || uses[r2.Outputs[0]] != len(readers[r2.Outputs[0]]) {
			continue
		}
		op := &ShuffleSplitOp{A: s1[0], G: s1[1], S: s1[2]}
		var gathers []*Node
		var outs []string
		good := true
		for _, gn := range readers[r2.Outputs[0]] {
			gop, ok := gn.Op.(*GatherOp)
			if !ok || gop.Axis != 0 || len(gn.Inputs) != 2 || gn.Inputs[0] != r2.Outputs[0] || len(gn.Outputs) != 1 {
				good = false
				break
			}
			idx, ok := b.consts[gn.Inputs[1]]
			if !ok || idx.DType() != nn.Int64 || idx.Rank() != 0 {
				good = false
				break
			}
			k := int(idx.Int64s()[0])
			if k < 0 {
				k += op.G
			}
			os := b.shapes[gn.Outputs[0]]
			if k < 0 || k >= op.G || nn.Numel(os) != op.A*op.S {
				good = false
				break
			}
			gathers = append(gathers, gn)
			outs = append(outs, gn.Outputs[0])
			op.K = append(op.K, k)
			op.OutShape = append(op.OutShape, append([]int(nil), os...))
		}
		if !good || len(gathers) == 0 {
			continue
		}
		// The input: the Concat feeding r1 when it is fusable, else r1's input.
		x := r1.Inputs[0]
		inputs := []string{x}
		var cat *Node
		if p := prod[x]; p != nil && uses[x] == 1 && !removed[p] {
			if cop, ok := p.Op.(*ConcatOp); ok && len(p.Outputs) == 1 {
				cs := b.shapes[x]
				ax, err := normAxis(cop.Axis, len(cs))
				ok := err == nil && nn.Numel(cs[:ax]) == 1
				for _, in := range p.Inputs {
					if in == "" || nn.Numel(b.shapes[in])%op.S != 0 {
						ok = false
					}
				}
				if ok {
					cat, inputs = p, append([]string(nil), p.Inputs...)
				}
			}
		}
		for _, in := range inputs {
			op.InLens = append(op.InLens, nn.Numel(b.shapes[in]))
		}
		total := 0
		for _, l := range op.InLens {
			total += l
		}
		if total != op.A*op.G*op.S || b.shapes[x] == nil {
			continue
		}
		// The fused node takes the place of the first Gather: its inputs
		// exist by then and every reader of an output comes later.
		host := gathers[0]
		name, opType := r1.Name, "Reshape+Transpose+Reshape+Gather"
		if cat != nil {
			name, opType = cat.Name, "Concat+"+opType
			removed[cat] = true
		}
		removed[r1], removed[t], removed[r2] = true, true, true
		for _, gn := range gathers[1:] {
			removed[gn] = true
		}
		host.Name, host.OpType, host.Op, host.Inputs, host.Outputs = name, opType, op, inputs, outs
	}
	var kept []*Node
	for _, n := range b.Nodes {
		if !removed[n] {
			kept = append(kept, n)
		}
	}
	b.Nodes = kept
}

// fusePadPool merges a zero constant Pad of the spatial axes into the
// AveragePool that alone reads it (how PyTorch exports AvgPool2d with
// padding): the pool gets those pads with count_include_pad, which divides
// by the full window exactly as averaging the zero-padded tensor does.
func (b *Builder) fusePadPool() {
	uses := b.consumers()
	readers := map[string]*Node{}
	for _, n := range b.Nodes {
		for _, in := range n.Inputs {
			readers[in] = n
		}
	}
	removed := map[*Node]bool{}
	for _, n := range b.Nodes {
		pad, ok := n.Op.(*PadOp)
		if !ok || pad.Mode != nn.PadConstant || len(n.Outputs) != 1 || uses[n.Outputs[0]] != 1 {
			continue
		}
		pads, ok := b.constPads(n, pad)
		if !ok || len(pads) != 8 || pads[0] != 0 || pads[1] != 0 || pads[4] != 0 || pads[5] != 0 {
			continue
		}
		p := readers[n.Outputs[0]]
		pool, ok := p.Op.(*PoolOp)
		if !ok || pool.Max || pool.Ceil || len(pool.Kernel) != 2 || len(p.Outputs) != 1 ||
			(pool.AutoPad != "" && pool.AutoPad != "NOTSET") {
			continue
		}
		for _, v := range pool.Pads {
			ok = ok && v == 0
		}
		for _, v := range pool.Dilations {
			ok = ok && v == 1
		}
		t, l, bt, r := pads[2], pads[3], pads[6], pads[7]
		if !ok || t < 0 || l < 0 || bt < 0 || r < 0 || t >= pool.Kernel[0] || bt >= pool.Kernel[0] || l >= pool.Kernel[1] || r >= pool.Kernel[1] {
			continue
		}
		pool.Pads = []int{t, l, bt, r}
		pool.CountIncludePad = true
		p.Inputs[0] = n.Inputs[0]
		p.OpType = "Pad+" + p.OpType
		removed[n] = true
	}
	var kept []*Node
	for _, n := range b.Nodes {
		if !removed[n] {
			kept = append(kept, n)
		}
	}
	b.Nodes = kept
}

// constPads returns the pads of a Pad node when they (and a zero value) are
// known at build time and no axes input restricts them.
func (b *Builder) constPads(n *Node, pad *PadOp) ([]int, bool) {
	if !pad.FromInputs {
		return pad.Pads, pad.Value == 0
	}
	if len(n.Inputs) < 2 || n.Inputs[1] == "" || (len(n.Inputs) > 3 && n.Inputs[3] != "") {
		return nil, false
	}
	pt, ok := b.consts[n.Inputs[1]]
	if !ok {
		return nil, false
	}
	if len(n.Inputs) > 2 && n.Inputs[2] != "" {
		v, ok := b.consts[n.Inputs[2]]
		if !ok || v.Len() != 1 || scalarAt(v, 0) != 0 {
			return nil, false
		}
	}
	return readInts(nil, pt), true
}
