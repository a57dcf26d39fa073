/**
 * Collect a request body (or one multipart file part) into ONE buffer, copying each chunk
 * as it arrives. The usual "push chunks, Buffer.concat at the end" does a single large
 * copy on the event loop when the body is complete: 40 MB takes tens of milliseconds
 * that /healthz would wait for. Here every chunk (≤ 64 KiB) is copied in its own tick,
 * into a buffer sized up front from Content-Length, or from the `.npy` header of a file
 * part, or grown geometrically when neither is known.
 *
 * The result owns its memory (never a view of Node's shared Buffer pool), so it can be
 * transferred to a worker thread without a copy: see `markTransferable`.
 */
import type { Readable } from 'node:stream';
import { errorCodes } from 'fastify';
import { markTransferable } from '../compute/pool.js';
import { readNpyHeader } from '../io/npy.js';
import { TruncatedBodyError } from '../service/problem.js';

const MIN_GROWTH = 1024 * 1024;
/** Bytes of a file part to look at for a `.npy` header before sizing the buffer. */
const NPY_PREFIX_BYTES = 4096;

export interface CollectorOptions {
  /** Largest accepted size in bytes; more → `onTooLarge()` is thrown. */
  limit: number;
  /** Exact expected size (Content-Length), when known. */
  expectedSize?: number;
  /** Size the buffer from the first bytes of a `.npy` file. */
  npySized?: boolean;
  /** The error to throw past the limit (default: fastify's FST_ERR_CTP_BODY_TOO_LARGE). */
  onTooLarge?: () => Error;
}

export class ByteCollector {
  readonly #limit: number;
  readonly #onTooLarge: () => Error;
  #npySized: boolean;
  #buf: Buffer | undefined;
  #len = 0;
  /** Chunks held back until the `.npy` header can be read. */
  #pending: Buffer[] = [];
  #pendingLen = 0;

  constructor(opts: CollectorOptions) {
    this.#limit = opts.limit;
    this.#onTooLarge = opts.onTooLarge ?? (() => new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE());
    this.#npySized = opts.npySized === true && opts.expectedSize === undefined;
    if (opts.expectedSize !== undefined && opts.expectedSize > 0) this.#allocate(Math.min(opts.expectedSize, opts.limit));
  }

  get length(): number {
    return this.#len + this.#pendingLen;
  }

  push(chunk: Buffer): void {
    if (this.length + chunk.length > this.#limit) throw this.#onTooLarge();
    if (this.#npySized) {
      this.#pending.push(chunk);
      this.#pendingLen += chunk.length;
      if (this.#pendingLen >= NPY_PREFIX_BYTES) this.#sizeFromNpyHeader();
      return;
    }
    this.#append(chunk);
  }

  /** The collected bytes: a buffer of exactly this length, or a view of one we own. */
  finish(): Uint8Array {
    if (this.#npySized) this.#sizeFromNpyHeader();
    if (!this.#buf) return new Uint8Array(0);
    return this.#len === this.#buf.length ? this.#buf : this.#buf.subarray(0, this.#len);
  }

  #sizeFromNpyHeader(): void {
    this.#npySized = false;
    const pending = this.#pending;
    this.#pending = [];
    this.#pendingLen = 0;
    const prefix = pending.length === 1 ? pending[0]! : Buffer.concat(pending);
    let size: number | undefined;
    try {
      const header = readNpyHeader(prefix, 'part');
      size = header.headerLength + header.dataLength;
    } catch {
      size = undefined; // not (yet) a readable .npy header: the decoder will say why
    }
    if (size !== undefined && size >= prefix.length && size <= this.#limit) this.#allocate(size);
    this.#append(prefix);
  }

  #allocate(size: number): void {
    // allocUnsafeSlow: an ArrayBuffer of its own (never the shared pool), not zero-filled.
    const buf = Buffer.allocUnsafeSlow(size);
    markTransferable(buf.buffer);
    if (this.#buf && this.#len > 0) this.#buf.copy(buf, 0, 0, this.#len);
    this.#buf = buf;
  }

  #append(chunk: Buffer): void {
    const need = this.#len + chunk.length;
    if (!this.#buf || need > this.#buf.length) {
      const grown = Math.max(need, (this.#buf?.length ?? 0) * 2, MIN_GROWTH);
      this.#allocate(Math.min(grown, Math.max(need, this.#limit)));
    }
    chunk.copy(this.#buf!, this.#len);
    this.#len = need;
  }
}

/** Read a whole stream through a ByteCollector. */
export function collectStream(stream: Readable, collector: ByteCollector): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      stream.removeListener('data', onData);
      stream.removeListener('end', onEnd);
      stream.removeListener('error', onError);
      stream.removeListener('close', onClose);
    };
    const onData = (chunk: Buffer | string): void => {
      try {
        collector.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
      } catch (err) {
        cleanup();
        stream.resume(); // drain the rest so the client can read our answer
        reject(err);
      }
    };
    const onEnd = (): void => {
      cleanup();
      resolve(collector.finish());
    };
    const onError = (err: Error & { statusCode?: number }): void => {
      cleanup();
      if (!(typeof err.statusCode === 'number' && err.statusCode >= 400)) err.statusCode = 400;
      reject(err);
    };
    // Destroyed without 'end' (a truncated multipart body, a client that went away).
    const onClose = (): void => {
      if (stream.readableEnded) return;
      cleanup();
      reject(new TruncatedBodyError());
    };
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
    stream.on('close', onClose);
    stream.resume();
  });
}

/** Read a request body with the body limit, sized from Content-Length when present. */
export async function collectBody(payload: Readable, headers: Record<string, string | string[] | undefined>, limit: number): Promise<Uint8Array> {
  const raw = headers['content-length'];
  const declared = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : undefined;
  if (declared !== undefined && declared > limit) throw new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE();
  const bytes = await collectStream(payload, new ByteCollector({ limit, expectedSize: declared }));
  if (declared !== undefined && bytes.length !== declared) throw new errorCodes.FST_ERR_CTP_INVALID_CONTENT_LENGTH();
  return bytes;
}
