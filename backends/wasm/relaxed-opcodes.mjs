/**
 * Turns clang 14's relaxed-SIMD prototype encoding into the shipped one, for kernels-relaxed.wasm.
 *
 * Debian bookworm's clang 14 (what CI builds with) emits `__builtin_wasm_fma_f32x4(a, b, c)` as the
 * prototype's f32x4.fma, opcode 0xfd 0xaf 0x01, which no released engine accepts. The relaxed SIMD
 * standard renumbered it f32x4.relaxed_madd, 0xfd 0x85 0x02, computing a * b + c. The compiler treats
 * the builtin as opaque and pushes its operands in source order, so writing `fma(a, b, c)` for
 * a * b + c (kernels.h's MADD) and swapping the opcode gives exactly that. Both encodings are three
 * bytes, so no size or offset in the module changes.
 *
 * The code section is decoded instruction by instruction (never a byte search: the pattern can occur
 * inside an immediate), and any other prototype relaxed opcode, or any instruction this decoder does
 * not know, fails the build instead of passing through unconverted.
 */

/** Bumped when the rewrite changes, so the relaxed artifact's manifest hash goes stale. */
export const REWRITE_VERSION = 1;

const PROTOTYPE_FMA_F32X4 = 0xaf;
/** f32x4.relaxed_madd as a LEB128 sub-opcode of the 0xfd prefix (0x105). */
const RELAXED_MADD_F32X4 = [0x85, 0x02];
/**
 * The other opcodes LLVM 14 gives relaxed SIMD's prototype (swizzle, truncations, f32x4.fms, the f64x2
 * fma/fms, laneselects, min/max). All sit in gaps of the SIMD128 numbering, as do 0xbb and 0xc2.
 */
const UNSUPPORTED_SIMD = new Set([0xa2, 0xa5, 0xa6, 0xb0, 0xb2, 0xb3, 0xb4, 0xbb, 0xc2, 0xc5, 0xc6, 0xcf, 0xd0, 0xd2, 0xd3, 0xd4, 0xe2, 0xee]);
const BLOCK_TYPES = new Set([0x40, 0x7f, 0x7e, 0x7d, 0x7c, 0x7b, 0x70, 0x6f]);

class Reader {
  constructor(bytes, at, end) {
    this.bytes = bytes;
    this.at = at;
    this.end = end;
  }

  byte() {
    if (this.at >= this.end) throw new Error(`relaxed-opcodes: read past the end at byte ${this.at}`);
    return this.bytes[this.at++];
  }

  u32() {
    let result = 0;
    for (let shift = 0; ; shift += 7) {
      if (shift > 28) throw new Error(`relaxed-opcodes: LEB128 too long at byte ${this.at}`);
      const b = this.byte();
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
    }
  }

  /** Any signed or unsigned LEB128, skipped. */
  leb() {
    for (let n = 0; n < 10; n++) if ((this.byte() & 0x80) === 0) return;
    throw new Error(`relaxed-opcodes: LEB128 too long at byte ${this.at}`);
  }

  skip(n) {
    if (this.at + n > this.end) throw new Error(`relaxed-opcodes: immediate runs past the end at byte ${this.at}`);
    this.at += n;
  }

  memarg() {
    this.u32();
    this.u32();
  }
}

/** Skips the immediates of one 0xfd (SIMD) instruction; returns true for the prototype f32x4.fma. */
function simd(r, op) {
  if (op === PROTOTYPE_FMA_F32X4) return true;
  if (op > 0xff || UNSUPPORTED_SIMD.has(op)) throw new Error(`relaxed-opcodes: SIMD opcode 0x${op.toString(16)} at byte ${r.at} is not SIMD128 or f32x4.fma; kernels use only MADD from relaxed SIMD`);
  if (op <= 11 || op === 92 || op === 93) r.memarg();
  else if (op === 12 || op === 13) r.skip(16);
  else if (op >= 21 && op <= 34) r.skip(1);
  else if (op >= 84 && op <= 91) {
    r.memarg();
    r.skip(1);
  }
  return false;
}

/** Skips the immediates of one 0xfc (saturating truncation, bulk memory, table) instruction. */
function misc(r, op) {
  if (op <= 7) return;
  if (op === 8 || op === 10 || op === 12 || op === 14) {
    r.u32();
    r.u32();
  } else if (op <= 17) r.u32();
  else throw new Error(`relaxed-opcodes: unknown 0xfc opcode ${op} at byte ${r.at}`);
}

/** Decodes one function body, rewriting each prototype f32x4.fma in place; returns how many. */
function rewriteBody(bytes, r) {
  let rewritten = 0;
  for (let groups = r.u32(); groups > 0; groups--) {
    r.u32();
    r.byte();
  }
  while (r.at < r.end) {
    const op = r.byte();
    if (op === 0xfd) {
      const subAt = r.at;
      const sub = r.u32();
      if (simd(r, sub)) {
        if (r.at - subAt !== 2) throw new Error(`relaxed-opcodes: f32x4.fma at byte ${subAt} is not the 2-byte encoding`);
        bytes[subAt] = RELAXED_MADD_F32X4[0];
        bytes[subAt + 1] = RELAXED_MADD_F32X4[1];
        rewritten++;
      }
    } else if (op === 0xfc) misc(r, r.u32());
    else if (op === 0xfe) {
      if (r.u32() === 0x03) r.skip(1);
      else r.memarg();
    } else if (op === 0x02 || op === 0x03 || op === 0x04) {
      if (BLOCK_TYPES.has(r.bytes[r.at])) r.skip(1);
      else r.leb();
    } else if (op === 0x0c || op === 0x0d || op === 0x10 || (op >= 0x20 && op <= 0x26) || op === 0xd2) r.u32();
    else if (op === 0x0e) {
      for (let n = r.u32() + 1; n > 0; n--) r.u32();
    } else if (op === 0x11) {
      r.u32();
      r.u32();
    } else if (op === 0x1c) r.skip(r.u32());
    else if (op >= 0x28 && op <= 0x3e) r.memarg();
    else if (op === 0x3f || op === 0x40 || op === 0xd0) r.skip(1);
    else if (op === 0x41 || op === 0x42) r.leb();
    else if (op === 0x43) r.skip(4);
    else if (op === 0x44) r.skip(8);
    else if (op <= 0x01 || op === 0x05 || op === 0x0b || op === 0x0f || op === 0x1a || op === 0x1b || (op >= 0x45 && op <= 0xc4) || op === 0xd1) continue;
    else throw new Error(`relaxed-opcodes: unknown opcode 0x${op.toString(16)} at byte ${r.at - 1}`);
  }
  if (bytes[r.end - 1] !== 0x0b) throw new Error(`relaxed-opcodes: a function body at byte ${r.end} does not finish with end`);
  return rewritten;
}

/**
 * A copy of `module` with every prototype f32x4.fma rewritten to f32x4.relaxed_madd. Fails when
 * there is none (the relaxed artifact would then be the SIMD128 one under another name).
 */
export function relaxMaddOpcodes(module) {
  const bytes = Uint8Array.from(module);
  if (bytes.length < 8 || bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) throw new Error('relaxed-opcodes: not a WebAssembly module');
  const r = new Reader(bytes, 8, bytes.length);
  let rewritten = 0;
  while (r.at < bytes.length) {
    const id = r.byte();
    const size = r.u32();
    const end = r.at + size;
    if (id === 10) {
      for (let count = r.u32(); count > 0; count--) {
        const bodySize = r.u32();
        rewritten += rewriteBody(bytes, new Reader(bytes, r.at, r.at + bodySize));
        r.at += bodySize;
      }
      if (r.at !== end) throw new Error('relaxed-opcodes: the code section has bytes after its last function');
    }
    r.at = end;
  }
  if (rewritten === 0) throw new Error('relaxed-opcodes: no f32x4.fma found; was the module compiled with -DTINYFLOW_RELAXED_SIMD?');
  return Buffer.from(bytes);
}
