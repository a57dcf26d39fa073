/**
 * Turning an HTTP request into the service's RequestPayload, without touching the array
 * data on the event loop:
 * - application/json → the raw bytes (`json-bytes`); JSON.parse runs in the worker;
 * - multipart/form-data → each `.npy` file part as bytes, plus the `options` text part;
 * - Arrow IPC → the raw bytes, options from `?options=<json>` or `x-labelcheck-options`.
 * Parsing, shape and value checks all happen in the worker (src/service, src/io).
 */
import type { FastifyRequest } from 'fastify';
import { InputError, isInputError } from '../core/errors.js';
import type { RequestPayload } from '../service/types.js';
import { MalformedMultipartError, MultipartTooLargeError, UnsupportedMediaTypeError } from './errors.js';

/** What the /v1 content-type parsers put in `request.body`. */
export type RawBody = { type: 'json'; bytes: Buffer } | { type: 'arrow'; bytes: Buffer };

export const OPTIONS_HEADER = 'x-labelcheck-options';

/** Parse a small JSON options text; a syntax error is a 400 naming `options`. */
export function parseOptionsText(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new InputError('options', `${where} is not valid JSON: ${(e as Error).message}`, { path: 'options' });
  }
}

function partAllowed(fileParts: readonly string[], name: string): boolean {
  return fileParts.some((p) => (p.endsWith('*') ? name.startsWith(p.slice(0, -1)) : p === name));
}

/** Read a multipart body: `.npy` file parts as bytes, the `options` text part as JSON. */
export async function readMultipart(
  request: FastifyRequest,
  fileParts: readonly string[],
  limits: { fieldSizeBytes: number },
): Promise<RequestPayload> {
  const parts: Record<string, Uint8Array> = {};
  let options: unknown = undefined;
  let sawOptions = false;
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
        parts[name] = await part.toBuffer();
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
          throw new MultipartTooLargeError(
            `The multipart text part 'options' exceeds ${limits.fieldSizeBytes} bytes; send large arrays as .npy file parts`,
          );
        }
        const value = part.value;
        // A part declared application/json arrives parsed; a plain text part is a string.
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
    if (typeof e.statusCode === 'number') throw err; // size limits (413) and the like
    throw new MalformedMultipartError(e.message ?? String(err));
  }
  if (firstError) throw firstError;
  return { kind: 'npy', parts, options };
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
export async function readPayload(
  request: FastifyRequest,
  fileParts: readonly string[],
  limits: { fieldSizeBytes: number },
): Promise<RequestPayload> {
  if (request.isMultipart()) return readMultipart(request, fileParts, limits);
  const body = request.body as RawBody | undefined;
  if (body === undefined || body === null) {
    throw new UnsupportedMediaTypeError(
      request.headers['content-type'] ? JSON.stringify(request.headers['content-type']) : '(no Content-Type and no body)',
    );
  }
  if (body.type === 'json') return { kind: 'json-bytes', bytes: body.bytes };
  return { kind: 'arrow', bytes: body.bytes, options: arrowOptions(request) };
}
