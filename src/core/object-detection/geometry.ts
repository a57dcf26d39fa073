/**
 * Object-detection geometry in cleanlab's exact float order (spec task-types.md D2, D3):
 * IoU, the centre-distance similarity and `min_possible_similarity`.
 */
import type { OdData, OdImage } from './data.js';

/** IoU of boxes a (at a[ao..ao+4)) and b (at b[bo..bo+4)). */
export function iou(a: ArrayLike<number>, ao: number, b: ArrayLike<number>, bo: number): number {
  const xl = Math.max(a[ao]!, b[bo]!);
  const yt = Math.max(a[ao + 1]!, b[bo + 1]!);
  const xr = Math.min(a[ao + 2]!, b[bo + 2]!);
  const yb = Math.min(a[ao + 3]!, b[bo + 3]!);
  if (xr < xl || yb < yt) return 0;
  const inter = (xr - xl) * (yb - yt);
  const A = (a[ao + 2]! - a[ao]!) * (a[ao + 3]! - a[ao + 1]!);
  const B = (b[bo + 2]! - b[bo]!) * (b[bo + 3]! - b[bo + 1]!);
  return inter / Math.max(A + B - inter, 1e-6);
}

/** 1 − (1 − exp(−d/10)) of the centre distance d, the two subtractions done literally. */
export function centreSimilarity(a: ArrayLike<number>, ao: number, b: ArrayLike<number>, bo: number): number {
  const dx = (a[ao]! + a[ao + 2]!) / 2 - (b[bo]! + b[bo + 2]!) / 2;
  const dy = (a[ao + 1]! + a[ao + 3]!) / 2 - (b[bo + 1]! + b[bo + 3]!) / 2;
  const d = Math.sqrt(dx * dx + dy * dy);
  const e = Math.exp(-d * 0.1);
  return 1 - (1 - e);
}

/** Per-image matrices: label×prediction IoU and similarity, label×label IoU. */
export interface ImageGeometry {
  /** M×m IoU of label i and prediction j */
  iouLP: Float64Array;
  /** M×m similarity of label i and prediction j */
  simLP: Float64Array;
  /** M×M IoU between label boxes */
  iouLL: Float64Array;
}

export function imageGeometry(im: OdImage, alpha: number): ImageGeometry {
  const M = im.ll.length;
  const m = im.pl.length;
  const iouLP = new Float64Array(M * m);
  const simLP = new Float64Array(M * m);
  const iouLL = new Float64Array(M * M);
  const beta = 1 - alpha;
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < m; j++) {
      const v = iou(im.lb, i * 4, im.pb, j * 4);
      iouLP[i * m + j] = v;
      simLP[i * m + j] = v * alpha + beta * centreSimilarity(im.lb, i * 4, im.pb, j * 4);
    }
    for (let j = 0; j < M; j++) iouLL[i * M + j] = iou(im.lb, i * 4, im.lb, j * 4);
  }
  return { iouLP, simLP, iouLL };
}

/** `min_possible_similarity` (D3): the smallest non-zero label–prediction similarity, 1 when none. */
export function minPossibleSimilarity(geoms: ImageGeometry[]): number {
  let mn = 1;
  for (const g of geoms) {
    let imgMin = 1;
    const s = g.simLP;
    for (let t = 0; t < s.length; t++) {
      const v = s[t]!;
      if (v !== 0 && v < imgMin) imgMin = v;
    }
    if (imgMin < mn) mn = imgMin;
  }
  return mn;
}

export function datasetGeometry(data: OdData, alpha: number): ImageGeometry[] {
  return data.images.map((im) => imageGeometry(im, alpha));
}
