//go:build !noasm

#include "textflag.h"

// func packRows4(dst *float32, mr int, src *float32, lda int, n4 int)
// For p < 4*n4 and i < 4: dst[p*mr+i] = src[i*lda+p].
// Four rows are read 4 floats at a time and transposed in registers; the
// four rows after them (the caller's next group) are prefetched meanwhile.
TEXT ·packRows4(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ mr+8(FP), R8
	SHLQ $2, R8
	MOVQ src+16(FP), SI
	MOVQ lda+24(FP), R9
	SHLQ $2, R9
	MOVQ n4+32(FP), CX
	LEAQ (SI)(R9*1), R10
	LEAQ (SI)(R9*2), R11
	LEAQ (R10)(R9*2), R12
	LEAQ (R9*4), R13 // the next four rows, prefetched as these are read
	TESTQ CX, CX
	JEQ done
loop:
	VMOVUPS (SI), X0
	VMOVUPS (R10), X1
	VMOVUPS (R11), X2
	VMOVUPS (R12), X3
	PREFETCHT0 (SI)(R13*1)
	PREFETCHT0 (R10)(R13*1)
	PREFETCHT0 (R11)(R13*1)
	PREFETCHT0 (R12)(R13*1)
	VUNPCKLPS X1, X0, X4
	VUNPCKHPS X1, X0, X5
	VUNPCKLPS X3, X2, X6
	VUNPCKHPS X3, X2, X7
	VSHUFPS $0x44, X6, X4, X0
	VSHUFPS $0xEE, X6, X4, X1
	VSHUFPS $0x44, X7, X5, X2
	VSHUFPS $0xEE, X7, X5, X3
	VMOVUPS X0, (DI)
	ADDQ R8, DI
	VMOVUPS X1, (DI)
	ADDQ R8, DI
	VMOVUPS X2, (DI)
	ADDQ R8, DI
	VMOVUPS X3, (DI)
	ADDQ R8, DI
	ADDQ $16, SI
	ADDQ $16, R10
	ADDQ $16, R11
	ADDQ $16, R12
	DECQ CX
	JNE loop
done:
	RET
