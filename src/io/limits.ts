/**
 * Work limits of one request (issue 16), shared by every decoder and endpoint of a thread.
 * The server sets them from its validated configuration (src/config.ts: MAX_CLASSES,
 * MAX_CELLS, MAX_CLASS_NAME_LENGTH, MAX_JSON_DEPTH, MAX_ITER, MAX_RESPONSE_MB,
 * COMPUTE_TIMEOUT_MS) in the main thread and in each worker thread; the library and the
 * CLI run with the defaults. A request over a limit is an InputError (400) that names
 * the setting, before the work it would bound is done.
 */
import { InputError } from '../core/errors.js';

export interface Limits {
  /** Largest K (classes / columns of pred_probs). */
  maxClasses: number;
  /** Largest N×K of an array computed in memory (synchronous routes, in-memory jobs). */
  maxCells: number;
  /** Longest class name (characters). */
  maxClassNameLength: number;
  /** Deepest nesting of a JSON body or options text. */
  maxJsonDepth: number;
  /** Largest `max_iter` of an iterative method (dawid_skene). */
  maxIter: number;
  /** Largest serialised response body, bytes. */
  maxResponseBytes: number;
  /** Compute time of one request before its worker is stopped and replaced (0 = none). */
  computeTimeoutMs: number;
}

export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  maxClasses: 1000,
  maxCells: 200_000_000,
  maxClassNameLength: 1000,
  maxJsonDepth: 64,
  maxIter: 10_000,
  maxResponseBytes: 512 * 1024 * 1024,
  computeTimeoutMs: 300_000,
});

let current: Limits = { ...DEFAULT_LIMITS };

/** The limits in force in this thread. */
export function limits(): Readonly<Limits> {
  return current;
}

/** Replace some limits (the server calls this at start-up in every thread). */
export function setLimits(partial: Partial<Limits>): void {
  current = { ...current, ...partial };
}

const fmt = (n: number): string => n.toLocaleString('en-US');

/** K and N×K of a matrix about to be allocated or computed on. */
export function checkMatrixSize(field: string, n: number, k: number, columns = 'classes'): void {
  const l = current;
  if (k > l.maxClasses) {
    throw new InputError(
      field,
      `${field} has ${fmt(k)} ${columns} (K); this server accepts at most ${fmt(l.maxClasses)} (MAX_CLASSES)`,
    );
  }
  checkCells(field, n, k);
}

/** N×M of any matrix computed in memory. */
export function checkCells(field: string, n: number, k: number): void {
  const l = current;
  if (n * k > l.maxCells) {
    throw new InputError(
      field,
      `${field} has ${fmt(n)} × ${fmt(k)} = ${fmt(n * k)} values; this server computes at most ${fmt(l.maxCells)} ` +
        'in one request (MAX_CELLS); submit a job over uploaded .npy files for larger data',
    );
  }
}

/** `max_iter` of an iterative method. */
export function checkMaxIter(field: string, maxIter: number): void {
  if (maxIter > current.maxIter) {
    throw new InputError(field, `${field} is ${fmt(maxIter)}; this server allows at most ${fmt(current.maxIter)} iterations (MAX_ITER)`);
  }
}

/** The serialised size of a response. */
export function checkResponseSize(bytes: number): void {
  if (bytes > current.maxResponseBytes) throw responseTooLarge(bytes);
}

export function responseTooLarge(bytes: number | null): InputError {
  const mb = (b: number): string => `${(b / 2 ** 20).toFixed(1)} MB`;
  return new InputError(
    'body',
    `The response would be ${bytes === null ? 'larger than a string can hold' : mb(bytes)}, over this server's limit of ` +
      `${mb(current.maxResponseBytes)} (MAX_RESPONSE_MB); ask for less (e.g. a smaller \`limit\`, fewer classes) or submit a job`,
  );
}
