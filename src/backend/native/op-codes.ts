/**
 * The addon's op codes, read from native/src/op-codes.json: native/build.mjs generates the C++
 * enums from the same file, so a code is written down once. Keys are tfjs kernel names (or the
 * GEMM library's name, or a reduction); values are what the addon's `op` / `mode` / `library` arguments take.
 */
import OP_CODES from '../../../native/src/op-codes.json' with { type: 'json' };

export const BINARY_OPS: Readonly<Record<string, number>> = OP_CODES.BinaryOp;
export const UNARY_OPS: Readonly<Record<string, number>> = OP_CODES.UnaryOp;
export const REDUCE_OPS: Readonly<Record<string, number>> = OP_CODES.ReduceOp;
export const GEMM_LIBRARIES = OP_CODES.GemmLibrary;
/** The reductions of softmax cross-entropy (BatchlabSoftmaxCrossEntropy's attr). */
export const XENT_REDUCTIONS = OP_CODES.XentReduction;
