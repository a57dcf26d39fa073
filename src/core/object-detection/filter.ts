/**
 * cleanlab `object_detection.filter.find_label_issues` (spec task-types.md D8): per-class AP
 * thresholds over 10 IoU thresholds (float32 as cleanlab), per-box decisions, image flags,
 * optional ranking by the image scores.
 */
import { argsortBy, type TieOrder } from '../argsort.js';
import { InputError } from '../errors.js';
import { pairwiseSum } from '../numeric.js';
import type { OdData } from './data.js';
import { classImageMatch, greedyTp, IOU_THRESHOLDS } from './matching.js';
import { asOdData, computeBoxScores, getLabelQualityScores, issuesFromScores, type OdInputs } from './scores.js';

const f32 = Math.fround;

/** Average precision of class c at IoU threshold τ (D8 steps 1–4), float32. */
function averagePrecision(data: OdData, c: number, tau: number, ties: TieOrder): number {
  const conf: number[] = [];
  const tpAll: number[] = [];
  let G = 0;
  for (let n = 0; n < data.images.length; n++) {
    const m = classImageMatch(data, n, c, ties);
    G += m.numLabels;
    const { tp } = greedyTp(m, tau);
    const im = data.images[n]!;
    for (let t = 0; t < m.preds.length; t++) {
      conf.push(-im.pc[m.preds[t]!]!);
      tpAll.push(tp[t]!);
    }
  }
  if (G === 0 || conf.length === 0) return 0;
  const ord = argsortBy(Float64Array.from(conf), ties);
  const P = ord.length;
  const mrec = new Float64Array(P + 2);
  const mpre = new Float64Array(P + 2);
  let tpc = 0;
  let fpc = 0;
  const denom = Math.max(G, 1.1920928955078125e-7);
  for (let r = 0; r < P; r++) {
    if (tpAll[ord[r]!]) tpc++;
    else fpc++;
    mrec[r + 1] = tpc / denom;
    mpre[r + 1] = f32(tpc / (tpc + fpc));
  }
  mrec[P + 1] = 1;
  for (let i = P + 1; i >= 1; i--) mpre[i - 1] = Math.max(mpre[i - 1]!, mpre[i]!);
  const terms: number[] = [];
  for (let i = 0; i < P + 1; i++) if (mrec[i + 1] !== mrec[i]) terms.push((mrec[i + 1]! - mrec[i]!) * mpre[i + 1]!);
  return f32(pairwiseSum(terms));
}

/** numpy's float32 mean of 10 values (D8 step 5). */
function mean32of10(a: ArrayLike<number>): number {
  let s = f32(f32(f32(a[0]! + a[1]!) + f32(a[2]! + a[3]!)) + f32(f32(a[4]! + a[5]!) + f32(a[6]! + a[7]!)));
  s = f32(s + a[8]!);
  s = f32(s + a[9]!);
  return f32(s / 10);
}

/** Per-class thresholds `mean32(AP over τ) · 0.25` (cleanlab `_get_per_class_ap` × 0.25). */
export function perClassApThresholds(inputs: OdInputs, opt: { ties?: TieOrder } = {}): Float64Array {
  const data = asOdData(inputs);
  const ties = opt.ties ?? 'stable';
  const out = new Float64Array(data.k);
  for (let c = 0; c < data.k; c++) {
    const aps = IOU_THRESHOLDS.map((tau) => averagePrecision(data, c, tau, ties));
    out[c] = mean32of10(aps) * 0.25;
  }
  return out;
}

export interface OdFindOptions {
  returnIndicesRankedByScore?: boolean;
  overlappingLabelCheck?: boolean;
  ties?: TieOrder;
}

/** The class of every label box must be a prediction class (cleanlab: KeyError). */
export function assertLabelClasses(data: OdData): void {
  data.images.forEach((im, n) => {
    for (let i = 0; i < im.ll.length; i++) {
      const c = im.ll[i]!;
      if (c < 0 || c >= data.k) {
        throw new InputError('labels', `labels[${n}].labels[${i}] = ${c} is not a class index in [0, ${data.k - 1}] (predictions have ${data.k} classes).`, {
          path: `labels[${n}].labels[${i}]`,
        });
      }
    }
  });
}

/** Image flags (D8 per-box decisions). */
export function findLabelIssuesMask(inputs: OdInputs, opt: Omit<OdFindOptions, 'returnIndicesRankedByScore'> = {}): Uint8Array {
  const data = asOdData(inputs);
  assertLabelClasses(data);
  const thr = perClassApThresholds(data, opt.ties ? { ties: opt.ties } : {});
  const bs = computeBoxScores(data, opt.overlappingLabelCheck ?? true);
  const mask = new Uint8Array(data.images.length);
  const issue = (s: number, c: number): boolean => (s !== s ? 1.0 : s) <= thr[c]! * 0.8;
  data.images.forEach((im, n) => {
    const o = bs.overlooked[n]!;
    for (let j = 0; j < o.length && !mask[n]; j++) if (issue(o[j]!, im.pl[j]!)) mask[n] = 1;
    const b = bs.badloc[n]!;
    const s = bs.swap[n]!;
    for (let i = 0; i < b.length && !mask[n]; i++) if (issue(b[i]!, im.ll[i]!) || issue(s[i]!, im.ll[i]!)) mask[n] = 1;
  });
  return mask;
}

/**
 * cleanlab `object_detection.filter.find_label_issues`: the boolean mask, or with
 * `returnIndicesRankedByScore` the flagged images ordered by their default image scores.
 */
export function findLabelIssues(inputs: OdInputs, opt: OdFindOptions = {}): Uint8Array | Int32Array {
  const data = asOdData(inputs);
  const mask = findLabelIssuesMask(data, opt);
  if (!opt.returnIndicesRankedByScore) return mask;
  const order = issuesFromScores(getLabelQualityScores(data), { threshold: 1.0, ...(opt.ties ? { ties: opt.ties } : {}) });
  return order.filter((i) => mask[i] === 1);
}
