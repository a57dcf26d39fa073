/**
 * Decoding of a classification request (labels + pred_probs + options) from any payload
 * kind into typed arrays, with the one validation module of src/io. Arrays never go
 * through zod; the remaining fields are returned raw for the endpoint's options schema.
 */
import { InputError } from '../core/errors.js';
import type { ClassificationInput } from '../io/validate.js';
import { ingestArrow, ingestJson, ingestNpy } from '../io/ingest.js';
import { parseJsonSafe } from '../io/safe-json.js';
import type { ZodType } from 'zod';
import { describe, parseOptions } from './options.js';
import { decodeExamplesBytes, parseExamplesJsonl } from './examples.js';
import type { EndpointSpec, RequestPayload, ServiceResult } from './types.js';

export type { ClassificationInput } from '../io/validate.js';

export interface DecodedRequest<A, O> {
  arrays: A;
  /** Every field except the arrays, validated by the endpoint's options schema. */
  options: O;
}

/** Parse a JSON body (bytes or object) into a plain object. */
export function jsonBodyObject(payload: { kind: 'json'; body: unknown } | { kind: 'json-bytes'; bytes: Uint8Array }): Record<string, unknown> {
  let body: unknown;
  if (payload.kind === 'json-bytes') {
    body = parseJsonSafe(payload.bytes, 'body', 'The request body');
  } else {
    body = payload.body;
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new InputError('body', `The request body must be a JSON object, got ${describe(body)}`, { path: 'body' });
  }
  return body as Record<string, unknown>;
}

/** Split named array fields from the rest of a JSON object. */
export function splitFields(
  body: Record<string, unknown>,
  arrayFields: readonly string[],
): { arrays: Record<string, unknown>; options: Record<string, unknown> } {
  const arrays: Record<string, unknown> = {};
  const options: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    // JSON.parse makes "__proto__" an own key; assigning it would set the prototype.
    if (key === '__proto__') throw new InputError('body', 'The request body has a "__proto__" key, which is not accepted', { path: 'body' });
    if (arrayFields.includes(key)) arrays[key] = value;
    else options[key] = value;
  }
  return { arrays, options };
}

export function requireField(arrays: Record<string, unknown>, field: string, hint: string): unknown {
  const value = arrays[field];
  if (value === undefined || value === null) {
    throw new InputError(field, `${field} is required: ${hint}`);
  }
  return value;
}

/** multipart/form-data: a required `.npy` file part. */
export function requirePart(parts: Record<string, Uint8Array>, field: string, hint: string): Uint8Array {
  const bytes = parts[field];
  if (!bytes) {
    throw new InputError(field, `multipart file part '${field}' is required: ${hint}`);
  }
  return bytes;
}

export function optionsObject(raw: unknown): Record<string, unknown> {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new InputError('options', `options must be a JSON object, got ${describe(raw)}`);
  }
  return raw as Record<string, unknown>;
}

/**
 * The options object of a multipart request, with the JSON Lines `examples` part (if any)
 * decoded into `examples`. Sending the content both ways is a 400 naming `examples`.
 */
export function npyOptions(payload: { options: unknown; examples?: Uint8Array | undefined }): Record<string, unknown> {
  const options = optionsObject(payload.options);
  if (payload.examples === undefined) return options;
  if (options.examples !== undefined) {
    throw new InputError('examples', "examples were sent twice: in the 'options' part and as the JSON Lines part 'examples'; send one");
  }
  return { ...options, examples: parseExamplesJsonl(decodeExamplesBytes(payload.examples)) };
}

/** A request's options (validated) and the sources of its arrays: JSON values, or `.npy` parts. */
export type SplitPayload<O> =
  | { options: O; json: Record<string, unknown>; parts?: undefined }
  | { options: O; parts: Record<string, Uint8Array>; json?: undefined };

/**
 * The common first step of the decoders that read JSON and multipart `.npy` but no Arrow
 * body: the options are validated first (they are cheap, and a typo should not wait for
 * a large array to decode), then the array sources are handed back. `dataName` names the
 * data in the error for an Arrow body ("multi-label").
 */
export function splitPayload<O>(
  payload: RequestPayload,
  optionsSchema: ZodType<O>,
  arrayFields: readonly string[],
  dataName: string,
): SplitPayload<O> {
  switch (payload.kind) {
    case 'json':
    case 'json-bytes': {
      const split = splitFields(jsonBodyObject(payload), arrayFields);
      return { options: parseOptions(optionsSchema, split.options), json: split.arrays };
    }
    case 'npy':
      return { options: parseOptions(optionsSchema, npyOptions(payload)), parts: payload.parts };
    case 'arrow':
      throw new InputError('body', `Arrow bodies are not supported for ${dataName} data; send JSON or multipart/form-data with .npy files`);
  }
}

const LABELS_HINT = 'the given label of each example, integers in [0, K)';
const PRED_PROBS_HINT = 'an N×K array of out-of-sample predicted probabilities';

/**
 * Decode and validate labels + pred_probs (api.md §1, src/io's one validation module) from
 * any payload kind. The options are validated first: they are cheap, and a typo should
 * not wait for a large array to decode.
 */
export function decodeClassification<O extends { class_names?: string[] | undefined }>(
  payload: RequestPayload,
  optionsSchema: ZodType<O>,
): DecodedRequest<ClassificationInput, O> {
  switch (payload.kind) {
    case 'json':
    case 'json-bytes': {
      const split = splitFields(jsonBodyObject(payload), ['labels', 'pred_probs']);
      const options = parseOptions(optionsSchema, split.options);
      requireField(split.arrays, 'pred_probs', PRED_PROBS_HINT);
      requireField(split.arrays, 'labels', LABELS_HINT);
      const arrays = ingestJson({ ...split.arrays, class_names: options.class_names });
      return { arrays, options };
    }
    case 'npy': {
      const options = parseOptions(optionsSchema, npyOptions(payload));
      const arrays = ingestNpy({
        predProbs: requirePart(payload.parts, 'pred_probs', PRED_PROBS_HINT),
        labels: requirePart(payload.parts, 'labels', LABELS_HINT),
        classNames: options.class_names,
      });
      return { arrays, options };
    }
    case 'arrow': {
      const options = parseOptions(optionsSchema, optionsObject(payload.options));
      return { arrays: ingestArrow(payload.bytes, { classNames: options.class_names }), options };
    }
  }
}

/** An endpoint over the shared classification inputs (labels + pred_probs + options). */
export function classificationEndpoint<O extends { class_names?: string[] | undefined }>(
  spec: Omit<EndpointSpec, 'handle' | 'optionsSchema' | 'fileParts'> & { optionsSchema: ZodType<O> },
  compute: (input: ClassificationInput, options: O) => Record<string, unknown>,
): EndpointSpec {
  return {
    ...spec,
    fileParts: ['pred_probs', 'labels'],
    handle(payload: RequestPayload): ServiceResult {
      const { arrays, options } = decodeClassification(payload, spec.optionsSchema);
      return { body: compute(arrays, options), n: arrays.predProbs.n, k: arrays.predProbs.k };
    },
  };
}
