#!/usr/bin/env node
/**
 * Renders the app icon procedurally (no image editor, nothing to download): a small flow graph, three
 * inputs feeding two hidden nodes feeding one output, on a rounded square. Every shape is a signed
 * distance function sampled 4×4 times per pixel, so edges are antialiased at any size and the 256 px
 * icon is drawn at its own size rather than scaled down from the 512.
 *
 *   node scripts/render-icon.mjs            writes resources/icons/512x512.png and 256x256.png
 *   node scripts/render-icon.mjs --check    exits 1 when the committed PNGs differ from a fresh render
 *
 * electron-builder takes the folder for Linux (one PNG per size, named WxH) and derives the Windows
 * .ico and the macOS .icns from the 512 px PNG, so no .ico / .icns is kept here.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pngjs from 'pngjs';

const { PNG } = pngjs;
const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const ICON_DIR = join(ROOT, 'resources', 'icons');
export const ICON_SIZES = [512, 256];

// Geometry in a unit square (0..1, y down).
const NODES = {
  inputs: [[0.25, 0.28], [0.25, 0.5], [0.25, 0.72]],
  hidden: [[0.5, 0.37], [0.5, 0.63]],
  output: [[0.75, 0.5]],
};
const EDGES = [
  ...NODES.inputs.flatMap((a) => NODES.hidden.map((b) => [a, b])),
  ...NODES.hidden.map((a) => [a, NODES.output[0]]),
];
const BACKGROUND_TOP = [32, 42, 74];
const BACKGROUND_BOTTOM = [17, 22, 44];
const EDGE_COLOUR = [120, 170, 255];
const NODE_COLOUR = { inputs: [255, 255, 255], hidden: [140, 200, 255], output: [255, 170, 60] };

function roundedSquare(x, y) {
  const half = 0.46;
  const radius = 0.11;
  const qx = Math.abs(x - 0.5) - (half - radius);
  const qy = Math.abs(y - 0.5) - (half - radius);
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - radius;
}

function segment(x, y, [ax, ay], [bx, by]) {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(x - ax - t * dx, y - ay - t * dy);
}

function blend(under, over, alpha) {
  return under.map((u, i) => u + (over[i] - u) * alpha);
}

/** The colour (RGBA, 0..255) at one sample point. */
function sample(x, y) {
  if (roundedSquare(x, y) > 0) return [0, 0, 0, 0];
  let colour = blend(BACKGROUND_TOP, BACKGROUND_BOTTOM, y);
  for (const [a, b] of EDGES) if (segment(x, y, a, b) < 0.014) colour = blend(colour, EDGE_COLOUR, 0.85);
  for (const [kind, points] of Object.entries(NODES)) {
    for (const [cx, cy] of points) {
      const d = Math.hypot(x - cx, y - cy);
      if (d < 0.072) colour = [255, 255, 255];
      if (d < 0.058) colour = NODE_COLOUR[kind];
    }
  }
  return [...colour, 255];
}

/** A `size`×`size` RGBA PNG of the icon, 16 samples per pixel. */
export function renderIcon(size) {
  const png = new PNG({ width: size, height: size });
  const n = 4;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      const sum = [0, 0, 0, 0];
      for (let sy = 0; sy < n; sy++) {
        for (let sx = 0; sx < n; sx++) {
          const c = sample((px + (sx + 0.5) / n) / size, (py + (sy + 0.5) / n) / size);
          // Premultiplied, so transparent samples do not darken the edge.
          for (let i = 0; i < 3; i++) sum[i] += (c[i] * c[3]) / 255;
          sum[3] += c[3];
        }
      }
      const o = (py * size + px) * 4;
      const alpha = sum[3] / (n * n);
      for (let i = 0; i < 3; i++) png.data[o + i] = alpha === 0 ? 0 : Math.round((sum[i] / (n * n)) * (255 / alpha));
      png.data[o + 3] = Math.round(alpha);
    }
  }
  return PNG.sync.write(png, { colorType: 6 });
}

export function iconPath(size) {
  return join(ICON_DIR, `${size}x${size}.png`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const check = process.argv.includes('--check');
  const stale = [];
  for (const size of ICON_SIZES) {
    const bytes = renderIcon(size);
    const path = iconPath(size);
    if (check) {
      if (!existsSync(path) || !readFileSync(path).equals(bytes)) stale.push(path);
      continue;
    }
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, bytes);
    console.log(`wrote ${path} (${bytes.length} bytes)`);
  }
  if (stale.length > 0) {
    console.error(`render-icon: out of date (run node scripts/render-icon.mjs): ${stale.join(', ')}`);
    process.exit(1);
  }
}
