/**
 * Warm a compute worker before it serves its first request: run a few small requests of
 * the shapes users send (float32 and float64 `.npy` with int64 labels, a JSON body; K = 10
 * and K = 100) through the same code path as real requests, response serialisation
 * included. V8 then has type feedback and optimised code for the engine's hot loops, so
 * the first real request runs about as fast as a warm worker's (without this it ran
 * 1.4–1.8× slower: see README, Performance). Takes a few hundred milliseconds per worker,
 * at start-up, before /readyz reports ready.
 */
import { writeNpy } from '../io/npy.js';
import { executeRequest, type RequestPayload } from '../service/index.js';

/**
 * A deterministic dataset with label errors: row i's true class is i mod k, its
 * probabilities favour that class with a confidence that varies by row, and every 13th
 * label is wrong — so every flagging, ranking and calibration step has work to do.
 */
function warmupData(n: number, k: number): { probs: Float64Array; labels: Int32Array } {
  const probs = new Float64Array(n * k);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const y = i % k;
    const top = 0.35 + 0.6 * (((i * 2654435761) >>> 0) / 4294967296);
    const rest = (1 - top) / (k - 1);
    for (let j = 0; j < k; j++) probs[i * k + j] = j === y ? top : rest;
    labels[i] = i % 13 === 0 ? (y + 1 + (i % (k - 1))) % k : y;
  }
  return { probs, labels };
}

function npyPayload(n: number, k: number, dtype: '<f4' | '<f8'): RequestPayload {
  const { probs, labels } = warmupData(n, k);
  return {
    kind: 'npy',
    parts: { pred_probs: writeNpy(probs, dtype, [n, k]), labels: writeNpy(labels, '<i8', [n]) },
    options: { limit: 0 },
  };
}

function jsonPayload(n: number, k: number): RequestPayload {
  const { probs, labels } = warmupData(n, k);
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) rows.push(Array.from(probs.subarray(i * k, (i + 1) * k)));
  const text = JSON.stringify({ labels: Array.from(labels), pred_probs: rows });
  return { kind: 'json-bytes', bytes: new TextEncoder().encode(text) };
}

/** Rounds of the request mix: enough for V8 to optimise the loops that matter. */
const ROUNDS = 4;

/** Run the warm-up requests; returns the milliseconds it took. */
export function warmUp(rounds = ROUNDS): number {
  const started = performance.now();
  const encoder = new TextEncoder();
  for (let r = 0; r < rounds; r++) {
    // Fresh payloads each round: decoding may take views of (or move) the bytes.
    for (const payload of [npyPayload(20_000, 10, '<f4'), npyPayload(3_000, 100, '<f4'), npyPayload(5_000, 10, '<f8'), jsonPayload(2_000, 10)]) {
      const { body } = executeRequest('label-issues', payload);
      encoder.encode(JSON.stringify(body));
    }
  }
  return performance.now() - started;
}
