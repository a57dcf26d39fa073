/**
 * cleanlab `segmentation.summary` data functions (spec task-types.md C5, C6).
 */
import { pixelArgmax } from './filter.js';
import type { SegmentationData } from './data.js';

export interface PixelIssueRecord {
  given_label: string;
  predicted_label: string;
  num_pixel_issues: number;
}

/**
 * cleanlab `common_label_issues(issues, labels, pred_probs, class_names=…, exclude=…,
 * top=…)`: flagged pixels per (given, predicted) class pair, most frequent first (stable),
 * the first `top` (default 20). `exclude` lists *predicted* classes not to count. Class
 * labels are names: `classNames`, else "0", "1", ….
 */
export function commonLabelIssues(
  mask: ArrayLike<number>,
  d: SegmentationData,
  opts: { classNames?: readonly string[] | null; exclude?: readonly number[] | null; top?: number | null } = {},
): PixelIssueRecord[] {
  const { k } = d;
  const hw = d.h * d.w;
  const names = opts.classNames ?? Array.from({ length: k }, (_, i) => String(i));
  const exclude = new Set(opts.exclude ?? []);
  const counts = new Map<number, Float64Array>();
  const buf = new Float64Array(k);
  for (let i = 0, e = d.n * hw; i < e; i++) {
    if (!mask[i]) continue;
    const p = pixelArgmax(d.pp, k, hw, Math.floor(i / hw), i % hw, buf);
    if (exclude.has(p)) continue;
    const g = d.labels[i]!;
    let row = counts.get(g);
    if (!row) counts.set(g, (row = new Float64Array(k)));
    row[p]!++;
  }
  const rows: PixelIssueRecord[] = [];
  for (let g = 0; g < names.length; g++) {
    const row = counts.get(g);
    if (!row) continue;
    for (let p = 0; p < k; p++) {
      if (row[p]! > 0) rows.push({ given_label: names[g]!, predicted_label: names[p] ?? String(p), num_pixel_issues: row[p]! });
    }
  }
  const sorted = rows
    .map((r, i) => ({ r, i }))
    .sort((a, b) => b.r.num_pixel_issues - a.r.num_pixel_issues || a.i - b.i)
    .map((x) => x.r);
  return sorted.slice(0, opts.top ?? 20);
}

/**
 * cleanlab `filter_by_class(class_index, issues, labels, pred_probs)`: the flagged pixels
 * whose given or predicted class is in `classIndex` (one class or a list).
 */
export function filterByClass(classIndex: number | readonly number[], mask: ArrayLike<number>, d: SegmentationData): Uint8Array {
  const cls = new Set(typeof classIndex === 'number' ? [classIndex] : classIndex);
  const hw = d.h * d.w;
  const out = new Uint8Array(d.n * hw);
  const buf = new Float64Array(d.k);
  for (let i = 0; i < out.length; i++) {
    if (!mask[i]) continue;
    if (cls.has(d.labels[i]!) || cls.has(pixelArgmax(d.pp, d.k, hw, Math.floor(i / hw), i % hw, buf))) out[i] = 1;
  }
  return out;
}
