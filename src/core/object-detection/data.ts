/**
 * Object-detection inputs (spec task-types.md D1): cleanlab's per-image label dicts and
 * per-class prediction arrays, turned into flat typed arrays per image, with cleanlab's
 * `assert_valid_inputs` checks.
 */
import { InputError } from '../errors.js';

/** cleanlab's label dict of one image: M boxes [x1, y1, x2, y2] and their M classes. */
export interface OdLabel {
  bboxes: ArrayLike<ArrayLike<number>>;
  labels: ArrayLike<number>;
}

/** cleanlab's predictions of one image: K arrays, array k holding rows [x1, y1, x2, y2, confidence]. */
export type OdPrediction = ArrayLike<ArrayLike<ArrayLike<number>>>;

/** One image, flat: label boxes in order, predictions concatenated class by class. */
export interface OdImage {
  /** M×4 label boxes */
  lb: Float64Array;
  /** M label classes */
  ll: Int32Array;
  /** m×4 predicted boxes, class-major */
  pb: Float64Array;
  /** m predicted classes (the index of the array each row came from) */
  pl: Int32Array;
  /** m confidences */
  pc: Float64Array;
}

/** A dataset: the images and K (= the number of prediction arrays per image). */
export interface OdData {
  images: OdImage[];
  k: number;
}

export const OD_LENGTH_MESSAGE = (a: number, b: number): string =>
  `labels and predictions length needs to match. len(labels) == ${a} while len(predictions) == ${b}.`;
export const OD_PREDICTION_FORMAT_MESSAGE =
  'Prediction values have to be of format [x1,y1,x2,y2,pred_prob]. Please refer to the documentation for predicted probabilities of object detection models used in cleanlab for details';

/** cleanlab `assert_valid_inputs` (D1): lengths, labels[0] a dict, predictions[0][0] with 5 columns. */
export function assertValidOdInputs(labels: ArrayLike<OdLabel>, predictions: ArrayLike<OdPrediction>): void {
  if (labels.length !== predictions.length) throw new InputError('predictions', OD_LENGTH_MESSAGE(labels.length, predictions.length));
  if (labels.length === 0) return;
  const l0 = labels[0] as unknown;
  if (typeof l0 !== 'object' || l0 === null || Array.isArray(l0)) {
    throw new InputError('labels[0]', 'Labels has to be a list of dicts. Each dict has to have the keys "bboxes" and "labels".');
  }
  const p0 = predictions[0] as unknown;
  if (!Array.isArray(p0) && !ArrayBuffer.isView(p0)) throw new InputError('predictions[0]', 'Predictions has to be a list or np.ndarray.');
  const p00 = (p0 as OdPrediction)[0];
  if (p00 !== undefined && p00.length > 0 && p00[0]!.length !== 5) throw new InputError('predictions[0][0]', OD_PREDICTION_FORMAT_MESSAGE);
}

/**
 * Flatten cleanlab-format inputs (no validation beyond D1's: the service validates shapes
 * and values before). K = len(predictions[0]).
 */
export function odData(labels: ArrayLike<OdLabel>, predictions: ArrayLike<OdPrediction>): OdData {
  assertValidOdInputs(labels, predictions);
  const k = predictions.length > 0 ? predictions[0]!.length : 0;
  const images: OdImage[] = [];
  for (let i = 0; i < labels.length; i++) {
    const L = labels[i]!;
    const M = L.labels.length;
    const lb = new Float64Array(M * 4);
    const ll = new Int32Array(M);
    for (let j = 0; j < M; j++) {
      const b = L.bboxes[j]!;
      for (let c = 0; c < 4; c++) lb[j * 4 + c] = b[c]!;
      ll[j] = L.labels[j]!;
    }
    const P = predictions[i]!;
    let m = 0;
    for (let c = 0; c < P.length; c++) m += P[c]!.length;
    const pb = new Float64Array(m * 4);
    const pl = new Int32Array(m);
    const pc = new Float64Array(m);
    let t = 0;
    for (let c = 0; c < P.length; c++) {
      const arr = P[c]!;
      for (let r = 0; r < arr.length; r++, t++) {
        const row = arr[r]!;
        for (let q = 0; q < 4; q++) pb[t * 4 + q] = row[q]!;
        pl[t] = c;
        pc[t] = row[4]!;
      }
    }
    images.push({ lb, ll, pb, pl, pc });
  }
  return { images, k };
}

/** Drop predictions with confidence < threshold (cleanlab `_prune_by_threshold`, D6 step 1). */
export function pruneByConfidence(data: OdData, threshold = 0): OdData {
  const images = data.images.map((im) => {
    let keep = 0;
    for (let j = 0; j < im.pc.length; j++) if (!(im.pc[j]! < threshold)) keep++;
    if (keep === im.pc.length) return im;
    const pb = new Float64Array(keep * 4);
    const pl = new Int32Array(keep);
    const pc = new Float64Array(keep);
    for (let j = 0, t = 0; j < im.pc.length; j++) {
      if (im.pc[j]! < threshold) continue;
      pb.set(im.pb.subarray(j * 4, j * 4 + 4), t * 4);
      pl[t] = im.pl[j]!;
      pc[t] = im.pc[j]!;
      t++;
    }
    return { ...im, pb, pl, pc };
  });
  return { images, k: data.k };
}
