/**
 * cleanlab `object_detection.summary`, the data-returning functions (spec task-types.md D9).
 * Dicts whose key order matters are returned as `[key, value]` pairs in cleanlab's order.
 */
import type { TieOrder } from '../argsort.js';
import { InputError } from '../errors.js';
import { pyRound2 } from '../float-kernels.js';
import type { OdData } from './data.js';
import { classImageMatch, greedyTp, IOU_THRESHOLDS } from './matching.js';
import { asOdData, type OdInputs } from './scores.js';

export type ClassKey = number | string;
export type Pairs<T> = Array<[ClassKey, T]>;

/** cleanlab `object_counts_per_image` → [label box counts, prediction counts (all classes)]. */
export function objectCountsPerImage(inputs: OdInputs): [number[], number[]] {
  const data = asOdData(inputs);
  return [data.images.map((im) => im.ll.length), data.images.map((im) => im.pl.length)];
}

/** Python `sorted(..., key=count, reverse=True)`: stable, equal counts keep their order (N4). */
function sortDescStable<T>(xs: T[], key: (x: T) => number): T[] {
  return xs
    .map((x, i) => ({ x, i, k: key(x) }))
    .sort((a, b) => b.k - a.k || a.i - b.i)
    .map((e) => e.x);
}

/** cleanlab `get_sorted_bbox_count_idxs` → two lists of [image, count], count descending. */
export function getSortedBboxCountIdxs(inputs: OdInputs): [Array<[number, number]>, Array<[number, number]>] {
  const [l, p] = objectCountsPerImage(inputs);
  const pairs = (c: number[]): Array<[number, number]> => sortDescStable(c.map((v, i) => [i, v] as [number, number]), (e) => e[1]);
  return [pairs(l), pairs(p)];
}

/** Class → value pairs in first-appearance order of the label boxes, resp. predictions (class-major per image). */
function byClass<T>(data: OdData, side: 'labels' | 'predictions', init: () => T, add: (acc: T, box: Float64Array, j: number) => void): Array<[number, T]> {
  const map = new Map<number, T>();
  for (const im of data.images) {
    const cls = side === 'labels' ? im.ll : im.pl;
    const boxes = side === 'labels' ? im.lb : im.pb;
    for (let j = 0; j < cls.length; j++) {
      const c = cls[j]!;
      let acc = map.get(c);
      if (acc === undefined) map.set(c, (acc = init()));
      add(acc, boxes, j);
    }
  }
  return [...map.entries()];
}

/** Class names as cleanlab takes them: a dict keyed by `str(class)`. */
export type ClassNames = Record<string, string>;

/**
 * cleanlab `bounding_box_size_distribution` → [labels, predictions], each class → list of
 * box areas; with `classNames`, classes missing from it are skipped; `sort`: by count desc.
 */
export function boundingBoxSizeDistribution(inputs: OdInputs, opt: { classNames?: ClassNames | null; sort?: boolean } = {}): [Pairs<number[]>, Pairs<number[]>] {
  const data = asOdData(inputs);
  const side = (s: 'labels' | 'predictions'): Pairs<number[]> => {
    let pairs: Pairs<number[]> = byClass<number[]>(data, s, () => [], (acc, b, j) => acc.push((b[j * 4 + 2]! - b[j * 4]!) * (b[j * 4 + 3]! - b[j * 4 + 1]!)));
    if (opt.classNames) {
      const names = opt.classNames;
      pairs = pairs.filter(([c]) => String(c) in names).map(([c, v]) => [names[String(c)]!, v]);
    }
    return opt.sort ? sortDescStable(pairs, (e) => e[1].length) : pairs;
  };
  return [side('labels'), side('predictions')];
}

/** cleanlab `class_label_distribution` → [labels, predictions], class → round(count / (total + 1e-6), 2). */
export function classLabelDistribution(inputs: OdInputs, opt: { classNames?: ClassNames | null } = {}): [Pairs<number>, Pairs<number>] {
  const data = asOdData(inputs);
  const side = (s: 'labels' | 'predictions'): Pairs<number> => {
    const counts = byClass<{ n: number }>(data, s, () => ({ n: 0 }), (acc) => void acc.n++);
    let total = 0;
    for (const [, v] of counts) total += v.n;
    return counts.map(([c, v]) => {
      const frac = pyRound2(v.n / (total + 1e-6));
      if (!opt.classNames) return [c, frac];
      const name = opt.classNames[String(c)];
      if (name === undefined) throw new InputError('class_names', `'${c}'`);
      return [name, frac];
    });
  };
  return [side('labels'), side('predictions')];
}

export interface ConfusionCounts {
  TP: number;
  FP: number;
  FN: number;
}

function classKeys(k: number, classNames: ClassNames | null | undefined): ClassKey[] {
  const keys: ClassKey[] = [];
  for (let c = 0; c < k; c++) {
    if (!classNames) keys.push(c);
    else {
      const name = classNames[String(c)];
      if (name === undefined) throw new InputError('class_names', `'${c}'`);
      keys.push(name);
    }
  }
  return keys;
}

/**
 * cleanlab `get_average_per_class_confusion_matrix`: TP/FP/FN of the greedy matching summed
 * over images and the 10 IoU thresholds, divided by 10·K (cleanlab's divisor).
 */
export function getAveragePerClassConfusionMatrix(inputs: OdInputs, opt: { classNames?: ClassNames | null; ties?: TieOrder } = {}): Pairs<ConfusionCounts> {
  const data = asOdData(inputs);
  const k = data.k;
  const keys = classKeys(k, opt.classNames);
  const ties = opt.ties ?? 'stable';
  const sums: ConfusionCounts[] = Array.from({ length: k }, () => ({ TP: 0, FP: 0, FN: 0 }));
  for (const tau of IOU_THRESHOLDS) {
    for (let c = 0; c < k; c++) {
      for (let n = 0; n < data.images.length; n++) {
        const m = classImageMatch(data, n, c, ties);
        const { matched } = greedyTp(m, tau);
        sums[c]!.TP += matched;
        sums[c]!.FP += m.preds.length - matched;
        sums[c]!.FN += m.numLabels - matched;
      }
    }
  }
  const div = IOU_THRESHOLDS.length * k;
  return sums.map((s, c) => [keys[c]!, { TP: s.TP / div, FP: s.FP / div, FN: s.FN / div }]);
}

export interface ClassMetrics {
  'average precision': number;
  'average recall': number;
  'average f1': number;
}

/** cleanlab `calculate_per_class_metrics` from the averaged confusion counts. */
export function calculatePerClassMetrics(inputs: OdInputs, opt: { classNames?: ClassNames | null; ties?: TieOrder } = {}): Pairs<ClassMetrics> {
  return getAveragePerClassConfusionMatrix(inputs, opt).map(([key, m]) => {
    const precision = m.TP / (m.TP + m.FP + 1e-100);
    const recall = m.TP / (m.TP + m.FN + 1e-100);
    const f1 = (2 * (precision * recall)) / (precision + recall + 1e-100);
    return [key, { 'average precision': precision, 'average recall': recall, 'average f1': f1 }];
  });
}
