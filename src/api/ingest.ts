/**
 * Turning an HTTP request into the service's RequestPayload, without touching the array
 * data on the event loop:
 * - application/json → the raw bytes (`json-bytes`); JSON.parse runs in the worker;
 * - multipart/form-data → each `.npy` file part as bytes, plus the `options` text part and,
 *   where the endpoint reads example content, the JSON Lines `examples` part (file or text);
 * - Arrow IPC → the raw bytes, options from `?options=<json>` or `x-labelcheck-options`.
 * Parsing, shape and value checks all happen in the worker (src/service, src/io).
 */
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import { ByteCollector, collectStream } from './collect.js';
import { InputError, isInputError } from '../core/errors.js';
import { checkJsonValue, parseJsonSafe } from '../io/safe-json.js';
import type { RequestPayload } from '../service/types.js';
import { MalformedMultipartError, PayloadTooLargeError, UnsupportedMediaTypeError } from '../service/problem.js';

export interface IngestLimits {
  /** Largest text part (`options`, or `examples` sent as text). */
  fieldSizeBytes: number;
  /** Largest file part (BODY_LIMIT_MB), `examples` sent as a file included. */
  fileSizeBytes: number;
}

export interface IngestParts {
  /** File parts this endpoint reads (`name*` = any name with that prefix). */
  fileParts: readonly string[];
  /** Accept a JSON Lines part `examples` (review.md §1), as a file or a text part. */
  examples?: boolean;
}

/** A 413 naming the multipart part (the error mapper puts `part.fieldname` in `errors[]`). */
function partTooLarge(name: string, detail: string): Error {
  const err = new PayloadTooLargeError(detail);
  (err as Error & { part?: { fieldname: string } }).part = { fieldname: name };
  return err;
}

/** What the /v1 content-type parsers put in `request.body`. */
export type RawBody = { type: 'json'; bytes: Uint8Array } | { type: 'arrow'; bytes: Uint8Array };

export const OPTIONS_HEADER = 'x-labelcheck-options';

export const ARROW_STREAM = 'application/vnd.apache.arrow.stream';
export const ARROW_FILE = 'application/vnd.apache.arrow.file';

/** Media types accepted by the /v1 compute routes. */
export const ACCEPTED_MEDIA_TYPES = ['application/json', 'multipart/form-data', ARROW_STREAM, ARROW_FILE] as const;

/** Parse a small JSON options text; a syntax error is a 400 naming `options`. */
export function parseOptionsText(text: string, where: string): unknown {
  return parseJsonSafe(text, 'options', where);
}

function partAllowed(fileParts: readonly string[], name: string): boolean {
  return fileParts.some((p) => (p.endsWith('*') ? name.startsWith(p.slice(0, -1)) : p === name));
}

/**
 * Read one file part into a buffer (sized from its `.npy` header for array parts), copying
 * chunk by chunk (collect.ts) instead of Buffer.concat-ing at the end on the event loop.
 */
async function readFilePart(
  file: Readable & { truncated?: boolean },
  name: string,
  limit: number,
  raw: IncomingMessage,
  npySized = true,
): Promise<Uint8Array> {
  const tooLarge = (): Error => partTooLarge(name, `The multipart file part '${name}' exceeds the limit of ${formatMiB(limit)} (BODY_LIMIT_MB)`);
  const watch = watchTruncation(raw, name);
  try {
    const bytes = await Promise.race([
      collectStream(file, new ByteCollector({ limit, npySized, onTooLarge: tooLarge })),
      watch.promise,
    ]);
    // busboy stops at limits.fileSize and marks the stream truncated.
    if (file.truncated) throw tooLarge();
    return bytes;
  } catch (err) {
    file.resume(); // discard whatever else arrives for this part
    throw err;
  } finally {
    watch.cancel();
  }
}

/** Grace period between the end of the request body and the end of a file part. */
const PART_END_GRACE_MS = 250;

/**
 * busboy does not always end or fail a file stream whose multipart body stops early (a
 * truncated upload, a client that went away): the part would wait forever. Once the
 * request body has ended (or its connection closed) the parser has seen every byte, so
 * a part still open after a short grace period is truncated.
 */
function watchTruncation(raw: IncomingMessage, name: string): { promise: Promise<never>; cancel(): void } {
  let timer: NodeJS.Timeout | undefined;
  let onEnd: (() => void) | undefined;
  const promise = new Promise<never>((_resolve, reject) => {
    const fail = (): void => {
      reject(new MalformedMultipartError(`the body ended inside the file part '${name}' (truncated upload?)`));
    };
    onEnd = () => {
      timer ??= setTimeout(fail, PART_END_GRACE_MS);
    };
    if (raw.readableEnded || raw.destroyed) onEnd();
    else {
      raw.once('end', onEnd);
      raw.once('close', onEnd);
    }
  });
  promise.catch(() => undefined); // handled by the race; avoid an unhandled rejection after cancel
  return {
    promise,
    cancel() {
      if (timer) clearTimeout(timer);
      if (onEnd) {
        raw.removeListener('end', onEnd);
        raw.removeListener('close', onEnd);
      }
    },
  };
}

function formatMiB(bytes: number): string {
  const m = bytes / (1024 * 1024);
  return `${Number.isInteger(m) ? m : m.toFixed(2)} MiB`;
}

/**
 * Read a multipart body: `.npy` file parts as bytes, the `options` text part as JSON, and
 * (when `accept.examples`) the `examples` part as raw bytes, decoded in the worker.
 */
export async function readMultipart(request: FastifyRequest, accept: IngestParts, limits: IngestLimits): Promise<RequestPayload> {
  const { fileParts } = accept;
  const parts: Record<string, Uint8Array> = {};
  let options: unknown = undefined;
  let sawOptions = false;
  let examples: Uint8Array | undefined;
  // A bad part is remembered and reported after the body has been read to its end, so the
  // client (which usually sends the whole body before reading the answer) gets the 400.
  let firstError: InputError | undefined;
  const fail = (err: InputError): void => {
    firstError ??= err;
  };
  const expected = fileParts.length > 0 ? fileParts.map((p) => `'${p}'`).join(', ') : '(none)';
  try {
    for await (const part of request.parts()) {
      const name = part.fieldname;
      if (name === 'examples' && accept.examples === true) {
        if (firstError || examples !== undefined) {
          if (examples !== undefined) fail(new InputError('examples', "The multipart part 'examples' was sent twice; send one JSON Lines part"));
          if (part.type === 'file') part.file.resume();
          continue;
        }
        if (part.type === 'file') {
          examples = await readFilePart(part.file, name, limits.fileSizeBytes, request.raw, false);
          continue;
        }
        if (part.valueTruncated) {
          throw partTooLarge(
            'examples',
            `The multipart text part 'examples' exceeds ${limits.fieldSizeBytes} bytes; send it as a file part (up to ${formatMiB(limits.fileSizeBytes)}, BODY_LIMIT_MB)`,
          );
        }
        // A part declared application/json arrives parsed (one line); a plain text part is a string.
        examples = new TextEncoder().encode(typeof part.value === 'string' ? part.value : JSON.stringify(part.value));
        continue;
      }
      if (part.type === 'file') {
        if (firstError || !partAllowed(fileParts, name) || parts[name] !== undefined) {
          if (!firstError) {
            fail(
              parts[name] !== undefined
                ? new InputError(name, `The multipart file part '${name}' was sent twice; send each array once`)
                : new InputError(
                    name,
                    `Unexpected multipart file part '${name}'; this endpoint reads the file parts ${expected}, and every other field goes in the 'options' JSON text part`,
                  ),
            );
          }
          part.file.resume(); // discard
          continue;
        }
        parts[name] = await readFilePart(part.file, name, limits.fileSizeBytes, request.raw);
        continue;
      }
      // A text field.
      if (name === 'options') {
        if (sawOptions) {
          fail(new InputError('options', "The multipart text part 'options' was sent twice; send one JSON object"));
          continue;
        }
        sawOptions = true;
        if (part.valueTruncated) {
          throw new PayloadTooLargeError(
            `The multipart text part 'options' exceeds ${limits.fieldSizeBytes} bytes; send large arrays as .npy file parts`,
          );
        }
        const value = part.value;
        // A part declared application/json arrives parsed; a plain text part is a string.
        if (typeof value !== 'string') checkJsonValue(value, 'options');
        options = typeof value === 'string' ? parseOptionsText(value, "The multipart text part 'options'") : value;
        continue;
      }
      if (partAllowed(fileParts, name)) {
        fail(
          new InputError(
            name,
            `'${name}' must be sent as a .npy file part (requests: files={'${name}': <bytes of np.save>}), not as a text field`,
          ),
        );
      } else {
        fail(
          new InputError(
            name,
            `Unexpected multipart text part '${name}'; put every option in the 'options' part as one JSON object (e.g. data={'options': json.dumps({'${name}': ...})})`,
          ),
        );
      }
    }
  } catch (err) {
    if (isInputError(err)) throw err;
    const e = err as { statusCode?: number; code?: string; message?: string };
    // Size limits (413) and multipart errors with their own meaning keep their status.
    if (
      e.statusCode === 413 ||
      e.code === 'LC_MALFORMED_MULTIPART' ||
      e.code === 'FST_INVALID_JSON_FIELD_ERROR' ||
      e.code === 'FST_PROTO_VIOLATION'
    ) {
      throw err;
    }
    throw new MalformedMultipartError(e.message ?? String(err));
  }
  if (firstError) throw firstError;
  if (examples === undefined) return { kind: 'npy', parts, options };
  const o = options as Record<string, unknown> | undefined;
  if (o !== null && typeof o === 'object' && !Array.isArray(o) && o.examples !== undefined) {
    throw new InputError('examples', "examples were sent twice: in the 'options' part and as the JSON Lines part 'examples'; send one");
  }
  return { kind: 'npy', parts, options, examples };
}

/** Options for an Arrow body: `?options=<json>` wins over the `x-labelcheck-options` header. */
export function arrowOptions(request: FastifyRequest): unknown {
  const query = request.query as { options?: unknown } | undefined;
  const q = query?.options;
  if (typeof q === 'string') return parseOptionsText(q, 'The query parameter options');
  const header = request.headers[OPTIONS_HEADER];
  const h = Array.isArray(header) ? header[0] : header;
  if (typeof h === 'string') return parseOptionsText(h, `The header ${OPTIONS_HEADER}`);
  return undefined;
}

/** The payload of a /v1 compute request, whatever its content type. */
export async function readPayload(request: FastifyRequest, accept: IngestParts, limits: IngestLimits): Promise<RequestPayload> {
  if (request.isMultipart()) return readMultipart(request, accept, limits);
  const body = request.body as RawBody | undefined;
  if (body === undefined || body === null) {
    throw new UnsupportedMediaTypeError(
      request.headers['content-type'] ? JSON.stringify(request.headers['content-type']) : '(no Content-Type and no body)',
      'application/json, multipart/form-data (.npy parts) or application/vnd.apache.arrow.stream',
    );
  }
  if (body.type === 'json') return { kind: 'json-bytes', bytes: body.bytes };
  return { kind: 'arrow', bytes: body.bytes, options: arrowOptions(request) };
}
