/**
 * The greedy per-image matching of cleanlab's AP computation (spec task-types.md D8 step 1,
 * D9 confusion matrix): predictions of one class visited by descending confidence (site D1),
 * each taking the still-free label of maximal IoU when that IoU reaches τ.
 */
import { argsortBy, type TieOrder } from '../argsort.js';
import type { OdData } from './data.js';
import { iou } from './geometry.js';

/** The 10 IoU thresholds 0.5, 0.55, …, 0.95 as numpy's `np.linspace(.5, .95, 10)`-style float64 values. */
export const IOU_THRESHOLDS: readonly number[] = [0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.8999999999999999, 0.95];

/** Per image, for one class: the rows of its predictions and labels, max IoU and argmax label. */
export interface ClassImageMatch {
  /** indices (into the image's concatenated predictions) of class c, in array order */
  preds: Int32Array;
  /** number of label boxes of class c */
  numLabels: number;
  /** per prediction: max IoU over the class's labels (−1 without labels) and the first label attaining it */
  maxIou: Float64Array;
  argLabel: Int32Array;
  /** visiting order: ARGSORT(−confidence) within the image */
  order: Int32Array;
}

export function classImageMatch(data: OdData, image: number, c: number, ties: TieOrder): ClassImageMatch {
  const im = data.images[image]!;
  const preds: number[] = [];
  for (let j = 0; j < im.pl.length; j++) if (im.pl[j] === c) preds.push(j);
  const labs: number[] = [];
  for (let i = 0; i < im.ll.length; i++) if (im.ll[i] === c) labs.push(i);
  const np = preds.length;
  const maxIou = new Float64Array(np).fill(-1);
  const argLabel = new Int32Array(np).fill(-1);
  for (let t = 0; t < np; t++) {
    for (let u = 0; u < labs.length; u++) {
      const v = iou(im.pb, preds[t]! * 4, im.lb, labs[u]! * 4);
      if (v > maxIou[t]!) {
        maxIou[t] = v;
        argLabel[t] = u;
      }
    }
  }
  const negConf = Float64Array.from(preds, (j) => -im.pc[j]!);
  return { preds: Int32Array.from(preds), numLabels: labs.length, maxIou, argLabel, order: argsortBy(negConf, ties) };
}

/** TP flags per prediction (in the class's array order) at IoU threshold τ; also the matched-label count. */
export function greedyTp(m: ClassImageMatch, tau: number): { tp: Uint8Array; matched: number } {
  const np = m.preds.length;
  const tp = new Uint8Array(np);
  if (m.numLabels === 0) return { tp, matched: 0 };
  const taken = new Uint8Array(m.numLabels);
  let matched = 0;
  for (let r = 0; r < np; r++) {
    const t = m.order[r]!;
    const u = m.argLabel[t]!;
    if (m.maxIou[t]! >= tau && taken[u] === 0) {
      taken[u] = 1;
      tp[t] = 1;
      matched++;
    }
  }
  return { tp, matched };
}
