/**
 * CSV data sets, pure (the caller reads the file): one example per row, a label column and one column
 * per pixel. Rules, each stated in the result's `notes`:
 * - the first row is a header when any of its fields is not a number;
 * - the label column is the one named `label` (any case) when there is a header with one, else the first;
 * - pixels are 0–255 when any pixel in the file is above 1, else 0–1 (decided per file);
 * - the pixel count per row must be the model's height × width, or a square (then resized).
 */
import { DataLossError, ResourceExhaustedError } from '../errors';
import { resizeGray } from './image-pixels';

export interface CsvExamples {
  /** Label text per row, as written (class names are derived by the caller, over every file). */
  labels: string[];
  /** Float32 in [0, 1], `[rows, height, width]` row-major. */
  pixels: Float32Array;
  height: number;
  width: number;
  notes: string[];
}

/** The most rows one CSV file may hold (the same cap as an image folder's image count). */
export const MAX_CSV_ROWS = 200_000;

export function parseCsvExamples(text: string, file: string, imageShape: readonly [number, number], maxRows = MAX_CSV_ROWS): CsvExamples {
  const lines = text.split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1].trim() === '') lines.pop();
  if (lines.length === 0) throw new DataLossError(`${file}: the CSV file is empty`);
  const first = splitRow(lines[0]);
  const header = first.some((field) => field.trim() === '' || !Number.isFinite(Number(field)));
  const labelColumn = header ? Math.max(0, first.findIndex((f) => f.trim().toLowerCase() === 'label')) : 0;
  const start = header ? 1 : 0;
  const rows = lines.length - start;
  if (rows === 0) throw new DataLossError(`${file}: the CSV file has a header row but no examples`);
  if (rows > maxRows) throw new ResourceExhaustedError(`${file}: ${rows} rows, more than the ${maxRows} examples a data set may hold`);

  const columns = first.length;
  const pixelCount = columns - 1;
  const [height, width] = rowShape(pixelCount, imageShape, file);
  const raw = new Float32Array(rows * pixelCount); // checked above: at most maxRows × the row width
  const labels: string[] = new Array<string>(rows);
  let max = 0;
  for (let r = 0; r < rows; r++) {
    const lineNo = start + r + 1;
    const fields = splitRow(lines[start + r]);
    if (fields.length !== columns) {
      throw new DataLossError(`${file}:${lineNo}: ${fields.length} columns, expected ${columns} (a label and ${pixelCount} pixels, as in line ${start + 1})`);
    }
    let p = r * pixelCount;
    for (let c = 0; c < columns; c++) {
      if (c === labelColumn) {
        const label = fields[c].trim();
        if (label === '') throw new DataLossError(`${file}:${lineNo}: the label (column ${c + 1}) is empty`);
        labels[r] = label;
        continue;
      }
      const v = Number(fields[c]);
      if (fields[c].trim() === '' || !Number.isFinite(v) || v < 0 || v > 255) {
        throw new DataLossError(`${file}:${lineNo}: column ${c + 1} is '${fields[c]}', not a pixel value in 0–255 or 0–1`);
      }
      if (v > max) max = v;
      raw[p++] = v;
    }
  }
  const scale = max > 1 ? 255 : 1;
  const notes = [
    header ? `header row; label column '${first[labelColumn].trim()}'` : 'no header row; the label is column 1',
    scale === 255 ? 'pixels 0–255 (values above 1 found)' : 'pixels 0–1 (no value above 1)',
  ];
  const side = Math.sqrt(pixelCount);
  const resized = pixelCount !== imageShape[0] * imageShape[1];
  const pixels = resized ? new Float32Array(rows * height * width) : raw;
  for (let r = 0; r < rows; r++) {
    const row = raw.subarray(r * pixelCount, (r + 1) * pixelCount);
    for (let i = 0; i < row.length; i++) row[i] /= scale;
    if (resized) resizeGray({ width: side, height: side, pixels: row }, height, width, pixels.subarray(r * height * width, (r + 1) * height * width));
  }
  if (resized) notes.push(`rows of ${side}×${side} pixels resized to ${width}×${height}`);
  return { labels, pixels, height, width, notes };
}

/** The output shape: always the model's; a row is accepted when it is that size or a square. */
function rowShape(pixelCount: number, imageShape: readonly [number, number], file: string): [number, number] {
  const [h, w] = imageShape;
  const side = Math.round(Math.sqrt(pixelCount));
  if (pixelCount === h * w || (pixelCount > 0 && side * side === pixelCount)) return [h, w];
  throw new DataLossError(
    `${file}:1: ${pixelCount} pixel columns per row; expected ${h * w} (${w}×${h}, the model's input) or a square number`,
  );
}

/** Comma-separated fields; double-quoted fields may hold commas ("" is a quote). */
function splitRow(line: string): string[] {
  if (!line.includes('"')) return line.split(',');
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      fields.push(field);
      field = '';
    } else field += ch;
  }
  fields.push(field);
  return fields;
}
