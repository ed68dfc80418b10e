"""LLVM-level helpers for generated kernels: reinterpreting the bits of a float32.

Vectorizable float32 ``exp`` needs 2**n built from its bit pattern; Numba has no scalar
bit cast, so it is one LLVM instruction here.
"""
from llvmlite import ir
from numba import types
from numba.extending import intrinsic


@intrinsic
def f32_from_bits(typingctx, bits):
    """The float32 whose IEEE-754 bit pattern is the int32 `bits`."""
    signature = types.float32(types.int32)

    def codegen(context, builder, sig, args):
        return builder.bitcast(args[0], ir.FloatType())

    return signature, codegen
