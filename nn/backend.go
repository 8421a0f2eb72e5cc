package nn

// ActKind names an element-wise activation. Activations can be fused into
// the producing op (Conv, Gemm) by passing an Activation to it.
type ActKind uint8

const (
	ActNone ActKind = iota
	ActRelu
	ActLeakyRelu // Alpha: negative slope
	ActSigmoid
	ActTanh
	ActHardSigmoid // max(0, min(1, Alpha*x + Beta))
	ActHardSwish   // x * max(0, min(1, x/6 + 0.5))
	ActSiLU        // x * sigmoid(x)
	ActMish        // x * tanh(softplus(x))
	ActClip        // min(max(x, Alpha), Beta)
	ActExp
	ActNeg
	ActSqrt
	ActReciprocal
	ActAbs
)

var actNames = [...]string{"none", "relu", "leaky_relu", "sigmoid", "tanh", "hard_sigmoid", "hard_swish", "silu", "mish", "clip", "exp", "neg", "sqrt", "reciprocal", "abs"}

func (k ActKind) String() string {
	if int(k) < len(actNames) {
		return actNames[k]
	}
	return "act?"
}

// Activation is an activation kind with its parameters.
type Activation struct {
	Kind        ActKind
	Alpha, Beta float32
}

// BinaryOp is an element-wise operation with NumPy broadcasting.
type BinaryOp uint8

const (
	OpAdd BinaryOp = iota
	OpSub
	OpMul
	OpDiv
	OpPow
	OpMax
	OpMin
)

// ConvParams describes an N-d convolution over the trailing spatial axes of
// an [N, C, spatial...] tensor. Pads holds the begin pads of every spatial
// axis followed by the end pads (ONNX order).
type ConvParams struct {
	Strides, Dilations, Pads []int
	Group                    int
}

// PoolParams describes an N-d max or average pooling window.
type PoolParams struct {
	Kernel, Strides, Dilations, Pads []int
	CountIncludePad                  bool
}

// ResizeMode selects the interpolation of Resize.
type ResizeMode uint8

const (
	ResizeNearest ResizeMode = iota
	ResizeLinear
	ResizeCubic
)

// ResizeParams describes an ONNX Resize. Coord is the
// coordinate_transformation_mode string, Nearest the nearest_mode string.
// Scales has one entry per axis (output/input as the model gave it); Roi
// (2*rank, tf_crop_and_resize only) may be nil.
type ResizeParams struct {
	Mode          ResizeMode
	Coord         string
	Nearest       string
	CubicA        float32
	ExcludeOut    bool
	Antialias     bool
	Extrapolation float32
	Scales        []float32
	Roi           []float32
}

// PadMode selects what Pad fills with.
type PadMode uint8

const (
	PadConstant PadMode = iota
	PadReflect
	PadEdge
	PadWrap
)

// RNNParams describes an ONNX LSTM or GRU layer. Inputs follow the ONNX
// layout: X [seq, batch, in] (or [batch, seq, in] when BatchFirst), W
// [dirs, G*hidden, in], R [dirs, G*hidden, hidden], B [dirs, 2*G*hidden].
// Gate order: LSTM i, o, f, c; GRU z, r, h.
type RNNParams struct {
	Hidden            int
	Direction         string // "forward", "reverse", "bidirectional"
	BatchFirst        bool
	Clip              float32 // 0: no clip
	LinearBeforeReset bool    // GRU only
	Acts              []Activation
}

// Backend is the boundary every op dispatches through. Destinations are
// passed in already shaped (see the shape helpers in this package); inputs
// are contiguous. The cpu package's implementation is the specification.
type Backend interface {
	Name() string

	Conv(dst, x, w, b *Tensor, p ConvParams, act Activation)
	ConvTranspose(dst, x, w, b *Tensor, p ConvParams)
	Gemm(dst, a, b, c *Tensor, transA, transB bool, alpha, beta float32, act Activation)
	MatMul(dst, a, b *Tensor)
	Activate(dst, x *Tensor, act Activation)
	Binary(dst, a, b *Tensor, op BinaryOp)
	Softmax(dst, x *Tensor, axis int, log bool)
	BatchNorm(dst, x, scale, bias, mean, variance *Tensor, eps float32)
	MaxPool(dst, x *Tensor, p PoolParams)
	AvgPool(dst, x *Tensor, p PoolParams)
	GlobalAvgPool(dst, x *Tensor)
	Resize(dst, x *Tensor, p ResizeParams)
	Transpose(dst, x *Tensor, perm []int)
	Concat(dst *Tensor, xs []*Tensor, axis int)
	Pad(dst, x *Tensor, pads []int, mode PadMode, value float32)
	LSTM(y, yh, yc, x, w, r, b, h0, c0, p *Tensor, seqLens []int, rp RNNParams)
	GRU(y, yh, x, w, r, b, h0 *Tensor, seqLens []int, rp RNNParams)

	// Gradients. Each accumulates into its destinations (dx += ...), which
	// may be nil when not needed.
	ConvBackward(dx, dw, db, dy, x, w *Tensor, p ConvParams)
	MaxPoolBackward(dx, dy, x *Tensor, p PoolParams)
	AvgPoolBackward(dx, dy *Tensor, p PoolParams)
	SetThreads(n int)
}
