/*
 * The fused kernels: elementwise programs, the matmul epilogue and softmax cross-entropy.
 *
 * elementwise_f32 interprets a small bytecode (written by ../kernels/elementwise-fused.ts into
 * fused_args) block by block: each instruction is one loop over FUSED_BLOCK elements, which clang
 * vectorizes, so the dispatch per instruction is paid once per block. Unary instructions call the
 * `unary` primitive's own unary_f32 (elementwise.c); binary ones use the same expressions as the
 * `binary` primitive's float32 rows, so a fused chain computes what the primitives compute.
 * Registers are static (no heap allocation, ever); only the thread that owns the heap calls these.
 */
#include "kernels.h"

#define FUSED_MAX_INSTRUCTIONS 64
#define FUSED_MAX_INPUTS 8
/* Long enough to amortise each instruction's dispatch (256 measured slower), short enough that a
 * program's few live registers stay in L2. */
#define FUSED_BLOCK 1024

/* Mirrors ../kernels/elementwise-fused.ts. */
typedef enum { FI_INPUT, FI_CONST, FI_UNARY, FI_BINARY } fused_instr;

i32 unary_f32(u32 op, const f32* x, f32* out, u32 n);

static struct {
  /* Per instruction: kind, code (input index, op, or the constant's bits), a, b. */
  i32 program[FUSED_MAX_INSTRUCTIONS * 4];
  i32 count;
  /* Merged output shape and per-input strides in elements. */
  i32 rank;
  i32 shape[MAX_RANK];
  i32 strides[FUSED_MAX_INPUTS][MAX_RANK];
  /* Byte offsets of the inputs. */
  u32 inputs[FUSED_MAX_INPUTS];
} fused_args;

static f32 registers[FUSED_MAX_INSTRUCTIONS][FUSED_BLOCK] __attribute__((aligned(16)));
static f32 constants[FUSED_MAX_INSTRUCTIONS];

EXPORT(fused_args_block) void* fused_args_block(void) { return &fused_args; }

/* The cpu's max/min (elementwise.c pick_max/pick_min): the left operand on a win or when NaN. */
INLINE f32 pick_max(f32 a, f32 b) { return ((a > b) | (a != a)) ? a : b; }
INLINE f32 pick_min(f32 a, f32 b) { return ((a < b) | (a != a)) ? a : b; }

/* The float32 binary expressions of elementwise.c's F32_ARITH and COMPARE; comparisons give 1 or 0. */
#define FUSED_OPS(X)                                                                                \
  X(B_ADD, a + b) X(B_SUB, a - b) X(B_MUL, a * b) X(B_DIV, a / b) X(B_POW, (f32)pow_js(a, b))       \
  X(B_MAX, pick_max(a, b)) X(B_MIN, pick_min(a, b)) X(B_EQUAL, (f32)(a == b))                        \
  X(B_NOT_EQUAL, (f32)(a != b)) X(B_LESS, (f32)(a < b)) X(B_LESS_EQUAL, (f32)(a <= b))              \
  X(B_GREATER, (f32)(a > b)) X(B_GREATER_EQUAL, (f32)(a >= b))                                      \
  X(B_LOGICAL_AND, (f32)((a != 0) & (b != 0))) X(B_LOGICAL_OR, (f32)((a != 0) | (b != 0)))

/*
 * Operand strides are 1 (a register or contiguous input) or 0 (a scalar input or a constant). A
 * scalar is passed by value: read through a pointer that `O` may alias, it would be reloaded every
 * iteration and the loop would not vectorize.
 */
#define CASE_VV(C, E) case C: for (u32 i = 0; i < n; i++) { f32 a = A[i], b = B[i]; O[i] = E; } return K_OK;
#define CASE_VS(C, E) case C: for (u32 i = 0; i < n; i++) { f32 a = A[i]; O[i] = E; } return K_OK;
#define CASE_SV(C, E) case C: for (u32 i = 0; i < n; i++) { f32 b = B[i]; O[i] = E; } return K_OK;

/* Over the generated enum: a binary op FUSED_OPS lacks fails to compile (-Wswitch). */
static i32 binary_vv(u32 op, const f32* A, const f32* B, f32* O, u32 n) {
  switch ((binary_op)op) { FUSED_OPS(CASE_VV) }
  return K_UNKNOWN_OP;
}
static i32 binary_vs(u32 op, const f32* A, f32 b, f32* O, u32 n) {
  switch ((binary_op)op) { FUSED_OPS(CASE_VS) }
  return K_UNKNOWN_OP;
}
static i32 binary_sv(u32 op, f32 a, const f32* B, f32* O, u32 n) {
  switch ((binary_op)op) { FUSED_OPS(CASE_SV) }
  return K_UNKNOWN_OP;
}

static i32 binary_block(u32 op, const f32* A, i32 sa, const f32* B, i32 sb, f32* O, u32 n) {
  if (sa && sb) return binary_vv(op, A, B, O, n);
  if (sa) return binary_vs(op, A, B[0], O, n);
  if (sb) return binary_sv(op, A[0], B, O, n);
  /* Both scalar: one value for the whole block. */
  f32 v;
  const i32 status = binary_vs(op, A, B[0], &v, 1);
  if (status != K_OK) return status;
  for (u32 i = 0; i < n; i++) O[i] = v;
  return K_OK;
}

static i32 unary_block(u32 op, const f32* x, i32 sx, f32* out, u32 n) {
  if (sx == 0) {
    /* A scalar operand: compute once, then splat. */
    f32 v;
    if (op == U_LOGICAL_NOT) v = x[0] == 0 ? 1.0f : 0.0f;
    else {
      const i32 status = unary_f32(op, x, &v, 1);
      if (status != K_OK) return status;
    }
    for (u32 i = 0; i < n; i++) out[i] = v;
    return K_OK;
  }
  if (op == U_LOGICAL_NOT) {
    /* The unary primitive writes logicalNot to bool; as float32 it is 1 where x == 0. */
    for (u32 i = 0; i < n; i++) out[i] = x[i] == 0 ? 1.0f : 0.0f;
    return K_OK;
  }
  return unary_f32(op, x, out, n);
}

/* Input j's elements for output [start, start + n) gathered into `dst` with an odometer. */
static void gather(u32 j, u32 start, u32 n, f32* dst) {
  const f32* src = (const f32*)(uintptr_t)fused_args.inputs[j];
  const i32 rank = fused_args.rank;
  const i32* shape = fused_args.shape;
  const i32* strides = fused_args.strides[j];
  i32 index[MAX_RANK];
  i32 offset = 0;
  u32 rest = start;
  for (i32 d = rank - 1; d >= 0; d--) {
    index[d] = (i32)(rest % (u32)shape[d]);
    rest /= (u32)shape[d];
    offset += index[d] * strides[d];
  }
  const i32 inner = shape[rank - 1], innerStride = strides[rank - 1];
  for (u32 i = 0; i < n;) {
    u32 run = (u32)(inner - index[rank - 1]);
    if (run > n - i) run = n - i;
    for (u32 e = 0; e < run; e++, offset += innerStride) dst[i + e] = src[offset];
    i += run;
    index[rank - 1] += (i32)run;
    for (i32 d = rank - 1; d > 0 && index[d] == shape[d]; d--) {
      offset += strides[d - 1] - strides[d] * shape[d];
      index[d] = 0;
      index[d - 1]++;
    }
  }
}

/* Where a register's values for this block live, and their stride (0: one value for the block). */
typedef struct { const f32* at; i32 stride; } Operand;

/*
 * One block. With `flat`, inputs are read in place: contiguous ones at `start`, scalar ones (stride 0)
 * at element 0. Otherwise they are gathered into their registers first. The last instruction writes
 * straight to `out`: every input element of the block has been read by then, so in place is safe.
 */
static i32 run_block(f32* out, u32 start, u32 n, int flat, int aliased) {
  Operand operand[FUSED_MAX_INSTRUCTIONS];
  const i32 count = fused_args.count;
  for (i32 r = 0; r < count; r++) {
    const i32* ins = &fused_args.program[r * 4];
    /* An op whose output is one of its own operands (an in-place variable update) fails the
     * vectorizer's runtime overlap check and runs scalar: it writes a register, copied out below. */
    const int direct = r == count - 1 && !(aliased && (ins[0] == FI_UNARY || ins[0] == FI_BINARY));
    f32* dst = direct ? out + start : registers[r];
    i32 status = K_OK;
    switch ((fused_instr)ins[0]) {
      case FI_INPUT: {
        const u32 j = (u32)ins[1];
        const f32* src = (const f32*)(uintptr_t)fused_args.inputs[j];
        if (flat) {
          const i32 stride = fused_args.rank == 0 ? 0 : fused_args.strides[j][0];
          operand[r] = (Operand){ stride ? src + start : src, stride };
        } else {
          gather(j, start, n, registers[r]);
          operand[r] = (Operand){ registers[r], 1 };
        }
        if (r == count - 1) for (u32 i = 0; i < n; i++) dst[i] = operand[r].stride ? operand[r].at[i] : operand[r].at[0];
        break;
      }
      case FI_CONST:
        constants[r] = bits_f32((u32)ins[1]);
        operand[r] = (Operand){ &constants[r], 0 };
        if (r == count - 1) for (u32 i = 0; i < n; i++) dst[i] = constants[r];
        break;
      case FI_UNARY:
        status = unary_block((u32)ins[1], operand[ins[2]].at, operand[ins[2]].stride, dst, n);
        operand[r] = (Operand){ dst, 1 };
        break;
      case FI_BINARY:
        status = binary_block((u32)ins[1], operand[ins[2]].at, operand[ins[2]].stride, operand[ins[3]].at, operand[ins[3]].stride, dst, n);
        operand[r] = (Operand){ dst, 1 };
        break;
      default:
        /* Not an op: the instruction kind itself is unknown. */
        status = K_UNKNOWN_OP;
        break;
    }
    if (status != K_OK) return status | (r << 8);
    if (r == count - 1 && !direct) __builtin_memcpy(out + start, dst, n * sizeof(f32));
  }
  return K_OK;
}

/* Whether `out` is one of the program's inputs (read in place while it is written). */
static int output_is_input(const f32* out) {
  for (i32 r = 0; r < fused_args.count; r++) {
    const i32* ins = &fused_args.program[r * 4];
    if (ins[0] == FI_INPUT && (const f32*)(uintptr_t)fused_args.inputs[(u32)ins[1]] == out) return 1;
  }
  return 0;
}

/*
 * Runs the program in fused_args over `total` output elements; `flat` as in run_block. An unknown op
 * fails in the first block, before the last instruction writes to `out`: K_* | (instruction << 8).
 */
EXPORT(elementwise_f32) i32 elementwise_f32(f32* out, u32 total, u32 flat) {
  const int aliased = flat && output_is_input(out);
  for (u32 start = 0; start < total; start += FUSED_BLOCK) {
    const u32 n = total - start < FUSED_BLOCK ? total - start : FUSED_BLOCK;
    const i32 status = run_block(out, start, n, (int)flat, aliased);
    if (status != K_OK) return status;
  }
  return K_OK;
}

/* ---------------------------------------------------------------- matmul epilogue */

/*
 * out = act(out + bias) over rows of n, applied after matmul_f32: the add rounds to float32 as the
 * binary primitive does, and relu is unary_f32's js_max(x, 0) (NaN kept, -0 -> +0).
 */
EXPORT(matmul_epilogue) void matmul_epilogue(f32* out, const f32* bias, u32 rows, u32 n, u32 relu) {
  for (u32 r = 0; r < rows; r++, out += n) {
    if (bias) for (u32 j = 0; j < n; j++) out[j] = out[j] + bias[j];
    if (relu) for (u32 j = 0; j < n; j++) out[j] = js_max(out[j], 0.0f);
  }
}

/* ---------------------------------------------------------------- softmax cross-entropy */

/* exp of a contiguous run into `out` (vexp, zero-padded tail), returning the sum in double. */
static f64 exp_shifted_run(const f32* x, f32 max, f32* out, u32 n) {
  const v128_t vmax = wasm_f32x4_splat(max);
  v128_t sum2 = wasm_f64x2_splat(0.0);
  u32 i = 0;
  for (; i + 4 <= n; i += 4) {
    const v128_t e = vexp(wasm_f32x4_sub(wasm_v128_load(x + i), vmax));
    wasm_v128_store(out + i, e);
    sum2 = wasm_f64x2_add(sum2, wasm_f64x2_promote_low_f32x4(e));
    sum2 = wasm_f64x2_add(sum2, wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(e, e, 2, 3, 0, 1)));
  }
  f64 sum = wasm_f64x2_extract_lane(sum2, 0) + wasm_f64x2_extract_lane(sum2, 1);
  if (i < n) {
    f32 tmp[4] = {0, 0, 0, 0};
    const u32 count = n - i;
    for (u32 j = 0; j < count; j++) tmp[j] = x[i + j];
    wasm_v128_store(tmp, vexp(wasm_f32x4_sub(wasm_v128_load(tmp), vmax)));
    for (u32 j = 0; j < count; j++) {
      out[i + j] = tmp[j];
      sum += tmp[j];
    }
  }
  return sum;
}

/*
 * Per row: the max, exp(x - max) into backprop with its double sum, then one pass that turns it into
 * softmax - label and sums the loss -Σ label·(x - max - log Σ), finite where log(softmax) underflows.
 */
EXPORT(softmax_cross_entropy) void softmax_cross_entropy(const f32* x, const f32* labels, f32* loss, f32* backprop, u32 rows, u32 cols) {
  if (cols == 0) {
    for (u32 r = 0; r < rows; r++) loss[r] = 0;
    return;
  }
  for (u32 r = 0; r < rows; r++, x += cols, labels += cols, backprop += cols) {
    f32 max = x[0];
    for (u32 j = 1; j < cols; j++) max = js_max(max, x[j]);
    const f64 sum = exp_shifted_run(x, max, backprop, cols);
    const f64 scale = 1.0 / sum, logSum = log64(sum);
    f64 total = 0;
    for (u32 j = 0; j < cols; j++) {
      total -= (f64)labels[j] * ((f64)x[j] - (f64)max - logSum);
      backprop[j] = (f32)((f64)backprop[j] * scale - (f64)labels[j]);
    }
    loss[r] = (f32)total;
  }
}
