import type { MatMulArgs, TypedArray } from '../../interface';

/*
 * Blocked matmul in the GotoBLAS layout: for each (NC columns, KC depth) block, B is packed into
 * NR-wide column panels and each MC-row block of A into MR-tall row panels, both as Float64Array so
 * the micro-kernel reads contiguous doubles with no float32 conversion. Packing reads through
 * (row, column) strides, so transposed operands cost only a strided pack and then run the same
 * kernel as the plain case. The 3x4 register tile keeps 12 accumulators plus 3 a values live, about
 * what x64's 16 vector registers hold without spilling; it measured fastest of the shapes tried.
 */
const MR = 3;
const NR = 4;
// Block sizes: a packed A block (MC x KC doubles) stays in L2 and a B micro-panel (KC x NR) in L1.
// MC and NC are multiples of MR and NR so only the matrix edges produce partial tiles.
const MC = 96;
const NC = 1024;
const KC_MAX = 512;
/** Below this many multiply-adds, packing costs more than it saves (measured crossover ~8^3 to 16^3). */
const SMALL_PROBLEM = 2048;
/** Thinner than this, most of a 3x4 tile is padding and each packed element is reused too rarely. */
const THIN = 2;
/** The axpy form of the direct path needs rows long enough to amortize its per-row loop. */
const AXPY_MIN_COLUMNS = 8;
/**
 * Up to this many columns, a packed A block would serve so few column panels that packing it costs
 * more than it saves: A is read in place instead, where a tile's three values at one depth lie
 * along a row or side by side (the seed's 100x784 · 784x10 and its gradient 784x100ᵀ · 100x10).
 */
const DIRECT_A_MAX_COLUMNS = 4 * NR;
/**
 * The in-place-A path's other tile width: 3x5 where it pads fewer columns than 3x4 (n = 10 computes 10
 * columns instead of 12; measured 12% less CPU time on the seed's forward product).
 */
const NR_WIDE = 5;

// Grow-only packing scratch shared by all calls: kernels are synchronous, so it is never in use twice.
let packedA = new Float64Array(0);
let packedB = new Float64Array(0);

/** What matmulEpilogue adds to a product block once its last depth block is in: out = act(out + bias). */
export interface Epilogue {
  /** Length n, added to every row; null for none. */
  readonly bias: TypedArray | null;
  readonly relu: boolean;
}

export function matmulKernel(a: TypedArray, b: TypedArray, out: TypedArray, args: MatMulArgs, epilogue: Epilogue | null = null): void {
  const { batch, m, n, k, transposeA, transposeB, aBatchStride, bBatchStride } = args;
  if (batch === 0 || m === 0 || n === 0) return;
  if (k === 0) {
    out.fill(0, 0, batch * m * n);
    if (epilogue !== null) applyEpilogue(epilogue, out, 0, batch * m, n, n, 0);
    return;
  }
  // Element (i, p) of op(A) is a[i * aRowStride + p * aDepthStride]; (p, j) of op(B) is b[p * bDepthStride + j * bColStride].
  const layout: Layout = {
    m, n, k,
    aRowStride: transposeA ? 1 : k,
    aDepthStride: transposeA ? m : 1,
    bDepthStride: transposeB ? 1 : n,
    bColStride: transposeB ? k : 1,
  };
  const worthPacking = m * n * k >= SMALL_PROBLEM && m > THIN && n > THIN;
  const blocked = worthPacking ? new BlockedMatmul(layout, epilogue) : null;
  for (let t = 0; t < batch; t++) {
    const aOffset = t * aBatchStride;
    const bOffset = t * bBatchStride;
    const outOffset = t * m * n;
    if (blocked !== null) blocked.run(a, aOffset, b, bOffset, out, outOffset);
    else directMatmul(layout, a, aOffset, b, bOffset, out, outOffset, epilogue);
  }
}

/**
 * out = act(out + bias) over a rows x cols block at `base` (row stride ldc) whose first column is
 * column `col0` of the product. Reads the stored float32 product, so the result is what separate
 * binary add and unary relu primitives give; relu is the unary kernel's (v + |v|) / 2 formula.
 */
function applyEpilogue(
  epilogue: Epilogue, out: TypedArray, base: number, rows: number, cols: number, ldc: number, col0: number,
): void {
  const { bias, relu } = epilogue;
  for (let r = 0, o = base; r < rows; r++, o += ldc) {
    if (bias !== null) for (let c = 0; c < cols; c++) out[o + c] += bias[col0 + c];
    if (!relu) continue;
    for (let c = 0; c < cols; c++) {
      const v = out[o + c];
      const x = (v + Math.abs(v)) * 0.5;
      out[o + c] = x === x ? x : v === v ? 0 : v;
    }
  }
}

interface Layout {
  readonly m: number;
  readonly n: number;
  readonly k: number;
  readonly aRowStride: number;
  readonly aDepthStride: number;
  readonly bDepthStride: number;
  readonly bColStride: number;
}

/**
 * Straight from the operands, for small or thin problems (matrix-vector). When B's rows are
 * contiguous and long, each output row accumulates scaled B rows (axpy, sequential reads);
 * otherwise each output is a dot product along k.
 */
function directMatmul(
  layout: Layout, a: TypedArray, aOffset: number, b: TypedArray, bOffset: number, out: TypedArray, outOffset: number,
  epilogue: Epilogue | null,
): void {
  const { m, n, k, aRowStride, aDepthStride, bDepthStride, bColStride } = layout;
  if (bColStride === 1 && n >= AXPY_MIN_COLUMNS) {
    const row = new Float64Array(n);
    for (let i = 0; i < m; i++) {
      row.fill(0);
      for (let p = 0, ia = aOffset + i * aRowStride, ib = bOffset; p < k; p++, ia += aDepthStride, ib += bDepthStride) {
        const scale = a[ia];
        for (let j = 0; j < n; j++) row[j] += scale * b[ib + j];
      }
      const outRow = outOffset + i * n;
      for (let j = 0; j < n; j++) out[outRow + j] = row[j];
      if (epilogue !== null) applyEpilogue(epilogue, out, outRow, 1, n, n, 0);
    }
    return;
  }
  for (let i = 0; i < m; i++) {
    const aRow = aOffset + i * aRowStride;
    const outRow = outOffset + i * n;
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let p = 0, ia = aRow, ib = bOffset + j * bColStride; p < k; p++, ia += aDepthStride, ib += bDepthStride) {
        sum += a[ia] * b[ib];
      }
      out[outRow + j] = sum;
    }
    if (epilogue !== null) applyEpilogue(epilogue, out, outRow, 1, n, n, 0);
  }
}

class BlockedMatmul {
  private readonly depthBlock: number;
  /** Which B block packedB holds, so a batch-broadcast B (stride 0) that fits one block is packed once. */
  private packedBKey = -1;
  private readonly tile = new Float64Array(MR * NR_WIDE);
  /** B's panel width: NR, or NR_WIDE on the in-place-A path where that pads less. */
  private readonly nr: number;
  /** B is skinny and A's rows or columns are contiguous: the micro-kernel reads A where it lies. */
  private readonly directA: boolean;

  constructor(private readonly layout: Layout, private readonly epilogue: Epilogue | null) {
    // Equal depth blocks: k = 600 becomes 2 x 300 rather than 512 + 88, keeping every block efficient.
    this.directA = (layout.aDepthStride === 1 || layout.aRowStride === 1) && layout.n <= DIRECT_A_MAX_COLUMNS;
    this.nr = this.directA && roundUp(layout.n, NR_WIDE) < roundUp(layout.n, NR) ? NR_WIDE : NR;
    const blocks = Math.ceil(layout.k / KC_MAX);
    this.depthBlock = Math.ceil(layout.k / blocks);
    const aPanelRows = roundUp(Math.min(MC, layout.m), MR);
    const bPanelCols = roundUp(Math.min(NC, layout.n), this.nr);
    if (packedA.length < aPanelRows * this.depthBlock) packedA = new Float64Array(aPanelRows * this.depthBlock);
    if (packedB.length < bPanelCols * this.depthBlock) packedB = new Float64Array(bPanelCols * this.depthBlock);
  }

  run(a: TypedArray, aOffset: number, b: TypedArray, bOffset: number, out: TypedArray, outOffset: number): void {
    const { m, n, k } = this.layout;
    const singleBBlock = n <= NC && k <= this.depthBlock;
    for (let jc = 0; jc < n; jc += NC) {
      const nc = Math.min(NC, n - jc);
      for (let pc = 0; pc < k; pc += this.depthBlock) {
        const kc = Math.min(this.depthBlock, k - pc);
        if (!(singleBBlock && this.packedBKey === bOffset)) {
          this.packB(b, bOffset, pc, kc, jc, nc);
          this.packedBKey = singleBBlock ? bOffset : -1;
        }
        for (let ic = 0; ic < m; ic += MC) {
          const mc = Math.min(MC, m - ic);
          if (this.directA) {
            const aStart = aOffset + ic * this.layout.aRowStride + pc * this.layout.aDepthStride;
            this.multiplyRows(a, aStart, mc, out, outOffset + ic * n + jc, nc, kc, pc > 0);
          }
          else {
            this.packA(a, aOffset, ic, mc, pc, kc);
            this.multiplyPanels(out, outOffset + ic * n + jc, mc, nc, kc, pc > 0);
          }
          // The block is final after its last depth block: finish it while it is still in cache.
          if (this.epilogue !== null && pc + kc >= k) applyEpilogue(this.epilogue, out, outOffset + ic * n + jc, mc, nc, n, jc);
        }
      }
    }
  }

  /** packedB[panel][p][r] = op(B)[pc + p][jc + panel * nr + r], zero past column n. */
  private packB(b: TypedArray, bOffset: number, pc: number, kc: number, jc: number, nc: number): void {
    const { bDepthStride, bColStride } = this.layout;
    const nr = this.nr;
    const dst = packedB;
    let d = 0;
    for (let j0 = 0; j0 < nc; j0 += nr) {
      const width = Math.min(nr, nc - j0);
      let src = bOffset + pc * bDepthStride + (jc + j0) * bColStride;
      for (let p = 0; p < kc; p++, src += bDepthStride, d += nr) {
        if (width === NR && nr === NR) {
          dst[d] = b[src];
          dst[d + 1] = b[src + bColStride];
          dst[d + 2] = b[src + 2 * bColStride];
          dst[d + 3] = b[src + 3 * bColStride];
        } else {
          for (let r = 0; r < nr; r++) dst[d + r] = r < width ? b[src + r * bColStride] : 0;
        }
      }
    }
  }

  /** packedA[panel][p][r] = op(A)[ic + panel * MR + r][pc + p], zero past row m. */
  private packA(a: TypedArray, aOffset: number, ic: number, mc: number, pc: number, kc: number): void {
    const { aRowStride, aDepthStride } = this.layout;
    const dst = packedA;
    let d = 0;
    for (let i0 = 0; i0 < mc; i0 += MR) {
      const height = Math.min(MR, mc - i0);
      let src = aOffset + (ic + i0) * aRowStride + pc * aDepthStride;
      for (let p = 0; p < kc; p++, src += aDepthStride, d += MR) {
        if (height === MR) {
          dst[d] = a[src];
          dst[d + 1] = a[src + aRowStride];
          dst[d + 2] = a[src + 2 * aRowStride];
        } else {
          for (let r = 0; r < MR; r++) dst[d + r] = r < height ? a[src + r * aRowStride] : 0;
        }
      }
    }
  }

  /** C[mc x nc] (+)= packedA · packedB, one MR x NR register tile at a time. */
  private multiplyPanels(out: TypedArray, outBase: number, mc: number, nc: number, kc: number, accumulate: boolean): void {
    const n = this.layout.n;
    const tile = this.tile;
    for (let j0 = 0; j0 < nc; j0 += NR) {
      const cols = Math.min(NR, nc - j0);
      for (let i0 = 0; i0 < mc; i0 += MR) {
        const rows = Math.min(MR, mc - i0);
        const base = outBase + i0 * n + j0;
        if (rows === MR && cols === NR) {
          microKernel(packedA, i0 * kc, packedB, j0 * kc, kc, out, base, n, accumulate ? STORE_ADD : STORE_SET);
        } else {
          // Edge tiles go through a scratch tile so the kernel never writes past row m or column n.
          microKernel(packedA, i0 * kc, packedB, j0 * kc, kc, tile, 0, NR, STORE_SET);
          storeEdgeTile(tile, NR, out, base, n, rows, cols, accumulate);
        }
      }
    }
  }

  /**
   * multiplyPanels with A read in place: the block's rows start at `aStart`, `aStart + aRowStride`, ...
   * and step by aDepthStride. Past row mc an edge tile repeats its last row, whose sums are dropped.
   */
  private multiplyRows(
    a: TypedArray, aStart: number, mc: number, out: TypedArray, outBase: number, nc: number, kc: number, accumulate: boolean,
  ): void {
    const { n, aRowStride, aDepthStride } = this.layout;
    const nr = this.nr;
    const kernel = nr === NR_WIDE ? rowsKernelWide : rowsKernel;
    const tile = this.tile;
    for (let j0 = 0; j0 < nc; j0 += nr) {
      const cols = Math.min(nr, nc - j0);
      for (let i0 = 0; i0 < mc; i0 += MR) {
        const rows = Math.min(MR, mc - i0);
        const r0 = aStart + i0 * aRowStride;
        const r1 = rows > 1 ? r0 + aRowStride : r0;
        const r2 = rows > 2 ? r1 + aRowStride : r1;
        const base = outBase + i0 * n + j0;
        if (rows === MR && cols === nr) {
          kernel(a, r0, r1, r2, aDepthStride, packedB, j0 * kc, kc, out, base, n, accumulate ? STORE_ADD : STORE_SET);
        } else {
          kernel(a, r0, r1, r2, aDepthStride, packedB, j0 * kc, kc, tile, 0, nr, STORE_SET);
          storeEdgeTile(tile, nr, out, base, n, rows, cols, accumulate);
        }
      }
    }
  }
}

const STORE_SET = 0;
const STORE_ADD = 1;

/** C tile (MR x NR at `base`, row stride ldc) = or += the sum over p of packedA column p times packedB row p. */
function microKernel(
  pa: Float64Array, aStart: number, pb: Float64Array, bStart: number, kc: number,
  c: TypedArray | Float64Array, base: number, ldc: number, mode: number,
): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
  for (let p = 0, ia = aStart, ib = bStart; p < kc; p++, ia += MR, ib += NR) {
    const a0 = pa[ia], a1 = pa[ia + 1], a2 = pa[ia + 2];
    const b0 = pb[ib], b1 = pb[ib + 1], b2 = pb[ib + 2], b3 = pb[ib + 3];
    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
    c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
  }
  const r1 = base + ldc;
  const r2 = r1 + ldc;
  if (mode === STORE_ADD) {
    c[base] += c00; c[base + 1] += c01; c[base + 2] += c02; c[base + 3] += c03;
    c[r1] += c10; c[r1 + 1] += c11; c[r1 + 2] += c12; c[r1 + 3] += c13;
    c[r2] += c20; c[r2 + 1] += c21; c[r2 + 2] += c22; c[r2 + 3] += c23;
  } else {
    c[base] = c00; c[base + 1] = c01; c[base + 2] = c02; c[base + 3] = c03;
    c[r1] = c10; c[r1 + 1] = c11; c[r1 + 2] = c12; c[r1 + 3] = c13;
    c[r2] = c20; c[r2 + 1] = c21; c[r2 + 2] = c22; c[r2 + 3] = c23;
  }
}

/** microKernel with the three rows of A read in place (r0, r1, r2: their offsets at depth 0 of the block; ds: the depth stride). */
function rowsKernel(
  a: TypedArray, r0: number, r1: number, r2: number, ds: number, pb: Float64Array, bStart: number, kc: number,
  c: TypedArray | Float64Array, base: number, ldc: number, mode: number,
): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
  for (let p = 0, q = 0, ib = bStart; p < kc; p++, q += ds, ib += NR) {
    const a0 = a[r0 + q], a1 = a[r1 + q], a2 = a[r2 + q];
    const b0 = pb[ib], b1 = pb[ib + 1], b2 = pb[ib + 2], b3 = pb[ib + 3];
    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
    c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
  }
  const o1 = base + ldc;
  const o2 = o1 + ldc;
  if (mode === STORE_ADD) {
    c[base] += c00; c[base + 1] += c01; c[base + 2] += c02; c[base + 3] += c03;
    c[o1] += c10; c[o1 + 1] += c11; c[o1 + 2] += c12; c[o1 + 3] += c13;
    c[o2] += c20; c[o2 + 1] += c21; c[o2 + 2] += c22; c[o2 + 3] += c23;
  } else {
    c[base] = c00; c[base + 1] = c01; c[base + 2] = c02; c[base + 3] = c03;
    c[o1] = c10; c[o1 + 1] = c11; c[o1 + 2] = c12; c[o1 + 3] = c13;
    c[o2] = c20; c[o2 + 1] = c21; c[o2 + 2] = c22; c[o2 + 3] = c23;
  }
}

/** rowsKernel for a 3x5 tile (B packed NR_WIDE wide): each b value is loaded once and used by the three rows. */
function rowsKernelWide(
  a: TypedArray, r0: number, r1: number, r2: number, ds: number, pb: Float64Array, bStart: number, kc: number,
  c: TypedArray | Float64Array, base: number, ldc: number, mode: number,
): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c04 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0, c14 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c24 = 0;
  for (let p = 0, q = 0, ib = bStart; p < kc; p++, q += ds, ib += NR_WIDE) {
    const a0 = a[r0 + q], a1 = a[r1 + q], a2 = a[r2 + q];
    let bv = pb[ib];
    c00 += a0 * bv; c10 += a1 * bv; c20 += a2 * bv;
    bv = pb[ib + 1];
    c01 += a0 * bv; c11 += a1 * bv; c21 += a2 * bv;
    bv = pb[ib + 2];
    c02 += a0 * bv; c12 += a1 * bv; c22 += a2 * bv;
    bv = pb[ib + 3];
    c03 += a0 * bv; c13 += a1 * bv; c23 += a2 * bv;
    bv = pb[ib + 4];
    c04 += a0 * bv; c14 += a1 * bv; c24 += a2 * bv;
  }
  const o1 = base + ldc;
  const o2 = o1 + ldc;
  if (mode === STORE_ADD) {
    c[base] += c00; c[base + 1] += c01; c[base + 2] += c02; c[base + 3] += c03; c[base + 4] += c04;
    c[o1] += c10; c[o1 + 1] += c11; c[o1 + 2] += c12; c[o1 + 3] += c13; c[o1 + 4] += c14;
    c[o2] += c20; c[o2 + 1] += c21; c[o2 + 2] += c22; c[o2 + 3] += c23; c[o2 + 4] += c24;
  } else {
    c[base] = c00; c[base + 1] = c01; c[base + 2] = c02; c[base + 3] = c03; c[base + 4] = c04;
    c[o1] = c10; c[o1 + 1] = c11; c[o1 + 2] = c12; c[o1 + 3] = c13; c[o1 + 4] = c14;
    c[o2] = c20; c[o2 + 1] = c21; c[o2 + 2] = c22; c[o2 + 3] = c23; c[o2 + 4] = c24;
  }
}

/** Writes the valid rows x cols corner of an edge tile (row stride nr); later depth blocks add onto the earlier ones. */
function storeEdgeTile(
  tile: Float64Array, nr: number, out: TypedArray, base: number, ldc: number, rows: number, cols: number, accumulate: boolean,
): void {
  for (let r = 0; r < rows; r++) {
    const o = base + r * ldc;
    const t = r * nr;
    if (accumulate) for (let c = 0; c < cols; c++) out[o + c] += tile[t + c];
    else for (let c = 0; c < cols; c++) out[o + c] = tile[t + c];
  }
}

function roundUp(value: number, multiple: number): number {
  return Math.ceil(value / multiple) * multiple;
}
