/**
 * Object-detection inputs (spec task-types-api.md "Object detection") decoded into the
 * core's flat per-image arrays, with the service's validation: every box 4 finite
 * coordinates with x2 ≥ x1 and y2 ≥ y1, confidences in [0, 1], integer classes in [0, K),
 * K prediction arrays per image, as many label dicts as prediction lists. Errors name the
 * field path (`labels[3].bboxes[1]`, `predictions[2][0][4]`).
 *
 * JSON: cleanlab's format. `.npy` parts (multipart): `labels_bboxes` (T×4 float),
 * `labels_labels` (T int), `labels_counts` (N int, boxes per image), `predictions` (P×5
 * float, image by image, class by class within an image), `predictions_counts` (N×K int).
 */
import { InputError } from '../core/errors.js';
import type { OdData, OdImage } from '../core/object-detection/data.js';
import type { NpyArray } from './npy.js';
import { describeValue, formatNumber } from './validate.js';

function fail(path: string, message: string): never {
  throw new InputError(path.split(/[.[]/)[0]!, `${path}: ${message}`, { path });
}

/** Check one box (4 coordinates at b[o..o+4)); `what` names it in messages. */
function checkBox(b: ArrayLike<number>, o: number, path: string): void {
  for (let c = 0; c < 4; c++) {
    const v = b[o + c]!;
    if (!Number.isFinite(v)) fail(`${path}[${c}]`, `${formatNumber(v)} is not a finite coordinate`);
  }
  if (b[o + 2]! < b[o]!) fail(path, `x2 = ${formatNumber(b[o + 2]!)} < x1 = ${formatNumber(b[o]!)}; boxes are [x1, y1, x2, y2] with x1 <= x2`);
  if (b[o + 3]! < b[o + 1]!) fail(path, `y2 = ${formatNumber(b[o + 3]!)} < y1 = ${formatNumber(b[o + 1]!)}; boxes are [x1, y1, x2, y2] with y1 <= y2`);
}

function checkClass(v: number, k: number, path: string): void {
  if (!Number.isInteger(v) || v < 0 || v >= k) {
    fail(path, `${formatNumber(v)} is not a class index in [0, ${k - 1}] (the predictions have K = ${k} class arrays)`);
  }
}

function checkConfidence(v: number, path: string): void {
  if (!(v >= 0 && v <= 1)) fail(path, `confidence ${formatNumber(v)} is not in [0, 1]`);
}

function numberRow(value: unknown, width: number, path: string): number[] {
  if (!Array.isArray(value)) fail(path, `expected an array of ${width} numbers, got ${describeValue(value)}`);
  if (value.length !== width) fail(path, `has ${value.length} values, expected ${width}`);
  for (let c = 0; c < width; c++) if (typeof value[c] !== 'number') fail(`${path}[${c}]`, `expected a number, got ${describeValue(value[c])}`);
  return value as number[];
}

/** Decode and validate cleanlab-format JSON `labels` and `predictions`. */
export function decodeObjectDetectionJson(labels: unknown, predictions: unknown): OdData {
  if (!Array.isArray(predictions)) fail('predictions', `expected one list of K per-class arrays per image, got ${describeValue(predictions)}`);
  if (!Array.isArray(labels)) fail('labels', `expected one {"bboxes", "labels"} object per image, got ${describeValue(labels)}`);
  if (predictions.length === 0) fail('predictions', 'is empty: it needs one entry per image (N >= 1)');
  if (labels.length !== predictions.length) {
    fail('predictions', `has ${predictions.length} images but labels has ${labels.length}; they must match`);
  }
  const first = predictions[0];
  if (!Array.isArray(first) || first.length === 0) fail('predictions[0]', 'expected a list of K >= 1 per-class arrays of [x1, y1, x2, y2, confidence] rows');
  const k = first.length;
  const images: OdImage[] = [];
  for (let i = 0; i < labels.length; i++) {
    const L = labels[i] as Record<string, unknown> | null;
    if (L === null || typeof L !== 'object' || Array.isArray(L)) fail(`labels[${i}]`, `expected an object {"bboxes": number[M][4], "labels": int[M]}, got ${describeValue(L)}`);
    const bb = L['bboxes'];
    const ll = L['labels'];
    if (!Array.isArray(bb)) fail(`labels[${i}].bboxes`, `expected number[M][4] ([] for an image without boxes), got ${describeValue(bb)}`);
    if (!Array.isArray(ll)) fail(`labels[${i}].labels`, `expected int[M] ([] for an image without boxes), got ${describeValue(ll)}`);
    if (bb.length !== ll.length) fail(`labels[${i}].labels`, `has ${ll.length} classes for ${bb.length} boxes; give one class per box`);
    const M = bb.length;
    const lb = new Float64Array(M * 4);
    const lc = new Int32Array(M);
    for (let j = 0; j < M; j++) {
      const path = `labels[${i}].bboxes[${j}]`;
      lb.set(numberRow(bb[j], 4, path), j * 4);
      checkBox(lb, j * 4, path);
      const c = ll[j];
      if (typeof c !== 'number') fail(`labels[${i}].labels[${j}]`, `expected an integer class index, got ${describeValue(c)}`);
      checkClass(c, k, `labels[${i}].labels[${j}]`);
      lc[j] = c;
    }
    const P = predictions[i];
    if (!Array.isArray(P)) fail(`predictions[${i}]`, `expected a list of K = ${k} per-class arrays, got ${describeValue(P)}`);
    if (P.length !== k) fail(`predictions[${i}]`, `has ${P.length} class arrays; predictions[0] has K = ${k} (one array per class, [] when empty)`);
    const rows: number[][] = [];
    const cls: number[] = [];
    for (let c = 0; c < k; c++) {
      const arr = P[c];
      if (!Array.isArray(arr)) fail(`predictions[${i}][${c}]`, `expected an array of [x1, y1, x2, y2, confidence] rows, got ${describeValue(arr)}`);
      for (let r = 0; r < arr.length; r++) {
        const path = `predictions[${i}][${c}][${r}]`;
        const row = numberRow(arr[r], 5, path);
        checkBox(row, 0, path);
        checkConfidence(row[4]!, `${path}[4]`);
        rows.push(row);
        cls.push(c);
      }
    }
    images.push(flatImage(lb, lc, rows, cls));
  }
  return { images, k };
}

function flatImage(lb: Float64Array, ll: Int32Array, rows: ArrayLike<ArrayLike<number>>, cls: ArrayLike<number>): OdImage {
  const m = rows.length;
  const pb = new Float64Array(m * 4);
  const pl = new Int32Array(m);
  const pc = new Float64Array(m);
  for (let t = 0; t < m; t++) {
    const r = rows[t]!;
    for (let q = 0; q < 4; q++) pb[t * 4 + q] = r[q]!;
    pc[t] = r[4]!;
    pl[t] = cls[t]!;
  }
  return { lb, ll, pb, pl, pc };
}

function asNumbers(arr: NpyArray): ArrayLike<number> {
  const d = arr.data;
  return d instanceof BigInt64Array || d instanceof BigUint64Array ? Float64Array.from(d, (v) => Number(v)) : (d as ArrayLike<number>);
}

function shapeIs(arr: NpyArray, field: string, dims: number, cols?: number): void {
  const ok = arr.shape.length === dims && (cols === undefined || arr.shape[dims - 1] === cols);
  if (!ok) {
    const want = dims === 1 ? '(n,)' : `(n, ${cols ?? 'K'})`;
    fail(field, `${field}.npy has shape (${arr.shape.join(', ')}); expected ${want}`);
  }
}

/** Decode and validate the `.npy` parts (see the module comment). */
export function decodeObjectDetectionNpy(parts: {
  labels_bboxes: NpyArray;
  labels_labels: NpyArray;
  labels_counts: NpyArray;
  predictions: NpyArray;
  predictions_counts: NpyArray;
}): OdData {
  shapeIs(parts.labels_bboxes, 'labels_bboxes', 2, 4);
  shapeIs(parts.labels_labels, 'labels_labels', 1);
  shapeIs(parts.labels_counts, 'labels_counts', 1);
  shapeIs(parts.predictions, 'predictions', 2, 5);
  shapeIs(parts.predictions_counts, 'predictions_counts', 2);
  const n = parts.labels_counts.shape[0]!;
  const [pn, k] = parts.predictions_counts.shape as [number, number];
  if (n === 0) fail('labels_counts', 'is empty: it needs one count per image (N >= 1)');
  if (pn !== n) fail('predictions_counts', `has ${pn} rows (images) but labels_counts has ${n}; they must match`);
  if (k === 0) fail('predictions_counts', 'has 0 columns; it needs one column per class (K >= 1)');
  const lcount = asNumbers(parts.labels_counts);
  const pcount = asNumbers(parts.predictions_counts);
  const boxes = asNumbers(parts.labels_bboxes);
  const classes = asNumbers(parts.labels_labels);
  const preds = asNumbers(parts.predictions);
  const T = parts.labels_bboxes.shape[0]!;
  if (parts.labels_labels.shape[0] !== T) fail('labels_labels', `has ${parts.labels_labels.shape[0]} classes for ${T} boxes in labels_bboxes`);
  let sumL = 0;
  for (let i = 0; i < n; i++) {
    const c = lcount[i]!;
    if (!Number.isInteger(c) || c < 0) fail(`labels_counts[${i}]`, `${formatNumber(c)} is not a box count`);
    sumL += c;
  }
  if (sumL !== T) fail('labels_counts', `sums to ${sumL} but labels_bboxes has ${T} boxes`);
  let sumP = 0;
  for (let t = 0; t < n * k; t++) {
    const c = pcount[t]!;
    if (!Number.isInteger(c) || c < 0) fail(`predictions_counts[${Math.floor(t / k)}][${t % k}]`, `${formatNumber(c)} is not a box count`);
    sumP += c;
  }
  if (sumP !== parts.predictions.shape[0]) fail('predictions_counts', `sums to ${sumP} but predictions has ${parts.predictions.shape[0]} rows`);
  const images: OdImage[] = [];
  let lo = 0;
  let po = 0;
  for (let i = 0; i < n; i++) {
    const M = lcount[i]!;
    const lb = new Float64Array(M * 4);
    const ll = new Int32Array(M);
    for (let j = 0; j < M; j++, lo++) {
      for (let q = 0; q < 4; q++) lb[j * 4 + q] = boxes[lo * 4 + q]!;
      checkBox(lb, j * 4, `labels_bboxes[${lo}]`);
      checkClass(classes[lo]!, k, `labels_labels[${lo}]`);
      ll[j] = classes[lo]!;
    }
    const rows: number[][] = [];
    const cls: number[] = [];
    for (let c = 0; c < k; c++) {
      for (let r = 0; r < pcount[i * k + c]!; r++, po++) {
        const row = Array.from({ length: 5 }, (_, q) => preds[po * 5 + q]!);
        checkBox(row, 0, `predictions[${po}]`);
        checkConfidence(row[4]!, `predictions[${po}][4]`);
        rows.push(row);
        cls.push(c);
      }
    }
    images.push(flatImage(lb, ll, rows, cls));
  }
  return { images, k };
}
