/**
 * POST /v1/segmentation/label-issues and /label-quality-scores (spec task-types-api.md
 * "Semantic segmentation"; algorithms: src/core/segmentation).
 *
 * JSON: labels int[N][H][W], pred_probs number[N][K][H][W]. multipart: labels `.npy` of
 * shape (N, H, W) (any int dtype), pred_probs `.npy` of shape (N, K, H, W) (float16/32/64).
 * A multipart pred_probs part is read into one buffer as it streams in (src/api/ingest.ts)
 * and used in place here: the engine never copies it (no transpose, no float64 copy).
 */
import { InputError } from '../core/errors.js';
import {
  commonLabelIssues,
  findLabelIssues,
  getLabelQualityScores,
  imageIssuesFromScores,
  nestedShape,
  segmentationData,
  type SegmentationData,
} from '../core/segmentation/index.js';
import type { FloatArray } from '../core/types.js';
import { parseNpy } from '../io/npy.js';
import { describeValue, formatNumber, PROB_MAX, PROB_MIN, toLabels, validateClassNames } from '../io/validate.js';
import {
  segLabelIssuesOptionsSchema,
  segLabelIssuesRequestSchema,
  segLabelIssuesResponseSchema,
  segLabelQualityScoresOptionsSchema,
  segLabelQualityScoresRequestSchema,
  segLabelQualityScoresResponseSchema,
  type SegLabelIssuesOptions,
  type SegLabelQualityScoresOptions,
} from '../schemas/segmentation.js';
import { requireField, requirePart, splitPayload } from './input.js';
import type { EndpointSpec, RequestPayload, ServiceResult } from './types.js';

const HINT = {
  labels: 'the given class of every pixel, N×H×W (int[N][H][W], or an int .npy of shape (N, H, W))',
  pred_probs: 'predicted probabilities N×K×H×W, class axis second (number[N][K][H][W], or a float .npy of shape (N, K, H, W))',
};

/** Every probability finite and within cleanlab's tolerance [−1e-6, 1 + 1e-6]; names the first bad value. */
function checkProbabilities(d: SegmentationData): void {
  const { pp, k, h, w } = d;
  for (let i = 0, e = pp.length; i < e; i++) {
    const v = pp[i]!;
    if (!(v >= PROB_MIN && v <= PROB_MAX)) {
      const hw = h * w;
      const path = `pred_probs[${Math.floor(i / (k * hw))}][${Math.floor(i / hw) % k}][${Math.floor((i % hw) / w)}][${i % w}]`;
      throw new InputError('pred_probs', `${path} = ${formatNumber(v)} is not a probability in [0, 1]`, { path });
    }
  }
}

function fromJson(json: Record<string, unknown>): SegmentationData {
  const labels = requireField(json, 'labels', HINT.labels);
  const pp = requireField(json, 'pred_probs', HINT.pred_probs);
  const ls = nestedShape(labels, 3, 'labels');
  const ps = nestedShape(pp, 4, 'pred_probs');
  const flatLabels = (labels as unknown[][][]).flat(2);
  const flatPp = (pp as unknown[][][][]).flat(3);
  const probs = Float64Array.from(flatPp, (v) => (typeof v === 'number' ? v : NaN));
  // labels: integers (the range is checked against K by the engine, naming the pixel)
  const lab = new Float64Array(flatLabels.length);
  flatLabels.forEach((v, i) => {
    if (typeof v !== 'number' || !Number.isInteger(v)) {
      const hw = (ls[1] ?? 0) * (ls[2] ?? 0);
      const path = `labels[${Math.floor(i / hw)}][${Math.floor((i % hw) / ls[2]!)}][${i % ls[2]!}]`;
      throw new InputError('labels', `${path} = ${describeValue(v)} is not an integer class index`, { path });
    }
    lab[i] = v;
  });
  return segmentationData(lab, ls, probs, ps);
}

function fromNpy(parts: Record<string, Uint8Array>): SegmentationData {
  const lab = parseNpy(requirePart(parts, 'labels', HINT.labels), 'labels');
  const pp = parseNpy(requirePart(parts, 'pred_probs', HINT.pred_probs), 'pred_probs');
  if (pp.kind !== 'f') throw new InputError('pred_probs', `pred_probs.npy has dtype '${pp.dtype}'; it must be float16, float32 or float64`);
  if (lab.kind === 'b') throw new InputError('labels', 'labels.npy has dtype bool; labels must be integer class indices');
  // int64 labels become int32 (one copy of the small array); other dtypes are used as they are
  const labels =
    lab.data instanceof BigInt64Array || lab.data instanceof BigUint64Array
      ? toLabels(lab.data, pp.shape[1] ?? 0, 'labels')
      : (lab.data as ArrayLike<number>);
  return segmentationData(labels, lab.shape, pp.data as FloatArray, pp.shape);
}

function decode<O extends { class_names?: string[] | undefined }>(
  payload: RequestPayload,
  schema: Parameters<typeof splitPayload<O>>[1],
): { d: SegmentationData; options: O } {
  const { options, json, parts } = splitPayload(payload, schema, ['labels', 'pred_probs'], 'segmentation');
  const d = json ? fromJson(json) : fromNpy(parts);
  if (d.n < 1) throw new InputError('labels', 'labels has no images: at least one is required');
  if (d.k < 1) throw new InputError('pred_probs', 'pred_probs has no classes (K = 0)');
  checkProbabilities(d);
  validateClassNames(options.class_names, d.k);
  return { d, options };
}

/** Flat N·H·W 0/1 values → [N][H][W] nested numbers. */
function nest3(flat: ArrayLike<number>, d: SegmentationData): number[][][] {
  const out: number[][][] = [];
  for (let n = 0; n < d.n; n++) {
    const img: number[][] = [];
    for (let y = 0; y < d.h; y++) {
      const o = (n * d.h + y) * d.w;
      img.push(Array.from({ length: d.w }, (_, x) => flat[o + x]!));
    }
    out.push(img);
  }
  return out;
}

export function segLabelIssues(d: SegmentationData, o: SegLabelIssuesOptions): Record<string, unknown> {
  const mask = findLabelIssues(d, { downsample: o.downsample, batchSize: o.batch_size ?? null });
  const { imageScores } = getLabelQualityScores(d, { includePixelScores: false });
  const hw = d.h * d.w;
  const perImage = new Array<number>(d.n).fill(0);
  let total = 0;
  for (let n = 0; n < d.n; n++) {
    let c = 0;
    for (let p = n * hw, e = p + hw; p < e; p++) c += mask[p]!;
    perImage[n] = c;
    total += c;
  }
  const flagged = perImage.map((c, image) => ({ image, c })).filter((x) => x.c > 0);
  flagged.sort((a, b) => imageScores[a.image]! - imageScores[b.image]! || a.image - b.image);
  const shown = o.limit === 0 ? flagged.length : Math.min(o.limit, flagged.length);
  return {
    num_images: d.n,
    num_label_issues: total,
    num_pixel_issues: perImage,
    label_issues: flagged.slice(0, shown).map(({ image, c }) => ({ image, num_pixel_issues: c, label_quality: imageScores[image]! })),
    common_label_issues: commonLabelIssues(mask, d),
    ...(o.include_mask ? { mask: nest3(mask, d) } : {}),
  };
}

export function segLabelQualityScores(d: SegmentationData, o: SegLabelQualityScoresOptions): Record<string, unknown> {
  const warnings: string[] = [];
  const r = getLabelQualityScores(d, {
    method: o.method,
    ...(o.temperature !== undefined ? { temperature: o.temperature } : {}),
    downsample: o.downsample,
    batchSize: o.batch_size ?? null,
    includePixelScores: o.include_pixel_scores,
    warnings,
  });
  return {
    image_scores: Array.from(r.imageScores),
    ...(r.pixelScores ? { pixel_scores: nest3(r.pixelScores, d) } : {}),
    ...(o.threshold !== undefined ? { issues: Array.from(imageIssuesFromScores(r.imageScores, o.threshold)) } : {}),
    ...(warnings.length > 0 ? { warnings } : {}),
  };
}

function endpoint<O extends { class_names?: string[] | undefined }>(
  spec: Omit<EndpointSpec, 'handle' | 'fileParts'>,
  compute: (d: SegmentationData, o: O) => Record<string, unknown>,
): EndpointSpec {
  return {
    ...spec,
    fileParts: ['pred_probs', 'labels'],
    handle(payload: RequestPayload): ServiceResult {
      const { d, options } = decode(payload, spec.optionsSchema as Parameters<typeof splitPayload<O>>[1]);
      return { body: compute(d, options), n: d.n, k: d.k };
    },
  };
}

export const segLabelIssuesEndpoint = endpoint<SegLabelIssuesOptions>(
  {
    name: 'segmentation/label-issues',
    path: '/v1/segmentation/label-issues',
    summary: 'Find mislabelled pixels in segmentation masks',
    description:
      "cleanlab's segmentation.filter.find_label_issues (the batched label inspector over whole images, optional `downsample`), summarised per image (ranked by the softmin image score) and per (given, predicted) class pair (summary.common_label_issues); `include_mask` returns the N×H×W mask.",
    requestSchema: segLabelIssuesRequestSchema,
    optionsSchema: segLabelIssuesOptionsSchema,
    responseSchema: segLabelIssuesResponseSchema,
  },
  segLabelIssues,
);

export const segLabelQualityScoresEndpoint = endpoint<SegLabelQualityScoresOptions>(
  {
    name: 'segmentation/label-quality-scores',
    path: '/v1/segmentation/label-quality-scores',
    summary: 'Score every image (lower = more likely mislabelled pixels)',
    description:
      "cleanlab's segmentation.rank.get_label_quality_scores (`softmin` of the pixel scores, or `num_pixel_issues`) and, with `threshold`, rank.issues_from_scores (the images below it plus one, as cleanlab).",
    requestSchema: segLabelQualityScoresRequestSchema,
    optionsSchema: segLabelQualityScoresOptionsSchema,
    responseSchema: segLabelQualityScoresResponseSchema,
  },
  segLabelQualityScores,
);
