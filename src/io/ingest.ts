/**
 * One call per transport: decode the classification arrays and validate them (api.md §1).
 * Each returns `{ labels: Int32Array, predProbs: ProbMatrix, classNames? }` or throws
 * InputError. Typed arrays may be views into the input bytes (.npy, Arrow) — copy before
 * transferring their buffers to another thread if the input buffer is shared/pooled.
 */
import { InputError } from '../core/errors.js';
import { decodeArrowClassification, type ArrowColumns } from './arrow.js';
import { decodeLabels, decodePredProbs } from './json.js';
import { npyToLabelValues, npyToProbMatrix, parseNpy } from './npy.js';
import { validateClassificationInput, type ClassificationInput } from './validate.js';

/** From a parsed JSON body (or any object) with `labels`, `pred_probs`, optional `class_names`. */
export function ingestJson(body: { labels?: unknown; pred_probs?: unknown; class_names?: unknown }): ClassificationInput {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new InputError('body', 'the request body must be a JSON object with labels and pred_probs');
  }
  // pred_probs first: K is needed to explain label errors.
  const predProbs = decodePredProbs(body.pred_probs, 'pred_probs');
  const labels = decodeLabels(body.labels, 'labels');
  return validateClassificationInput({ labels, predProbs, classNames: body.class_names });
}

/** From the bytes of two `.npy` files (multipart parts, CLI files). */
export function ingestNpy(parts: { predProbs: Uint8Array; labels: Uint8Array; classNames?: unknown }): ClassificationInput {
  const predProbs = npyToProbMatrix(parseNpy(parts.predProbs, 'pred_probs'), 'pred_probs');
  const labels = npyToLabelValues(parseNpy(parts.labels, 'labels'), 'labels');
  return validateClassificationInput({ labels, predProbs, classNames: parts.classNames });
}

/** From an Arrow IPC stream (or file) with `labels` and `pred_probs` columns. */
export function ingestArrow(bytes: Uint8Array, opts: { classNames?: unknown; columns?: ArrowColumns } = {}): ClassificationInput {
  const { labels, predProbs } = decodeArrowClassification(bytes, opts.columns);
  return validateClassificationInput(
    { labels, predProbs, classNames: opts.classNames },
    { labels: opts.columns?.labels, predProbs: opts.columns?.predProbs },
  );
}
