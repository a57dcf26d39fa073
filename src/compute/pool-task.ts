/**
 * Piscina worker: runs the service's `executeRequest` off the main event loop. Input bytes
 * arrive as transferred buffers; the JSON response is serialised here and transferred
 * back, so neither JSON.parse of a large request nor JSON.stringify of a large response
 * ever runs on the thread that answers /healthz.
 *
 * InputError is returned as data (`ok: false`): structured cloning would strip its class.
 * Anything else is a bug and is thrown, so the pool rejects and the API answers 500.
 */
import { threadId, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { move, transferableSymbol, valueSymbol } from 'piscina';
import { isInputError } from '../core/errors.js';
import { checkResponseSize, responseTooLarge, setLimits, type Limits } from '../io/limits.js';
import { executeRequest, type EndpointName } from '../service/index.js';
import type { ComputeReply, ComputeTask } from './protocol.js';
import { warmUp } from './warmup.js';

const encoder = new TextEncoder();

// Warm up before this thread takes its first task (piscina loads the module first), under
// the default limits: a server configured with small limits (MAX_CLASSES, MAX_RESPONSE_MB…)
// must not fail its warm-up, and a failed warm-up only costs speed, never the worker.
if (process.env.POOL_WARMUP !== 'off') {
  try {
    warmUp();
  } catch {
    // the first real requests run cold
  }
}
const given = (workerData as { limits?: Partial<Limits> } | undefined)?.limits;
if (given) setLimits(given);

/** JSON text of a response body, within MAX_RESPONSE_MB. */
function serialise(body: unknown): Uint8Array {
  let text: string;
  try {
    text = JSON.stringify(body);
  } catch (err) {
    if (err instanceof RangeError) throw responseTooLarge(null); // "Invalid string length"
    throw err;
  }
  // UTF-16 length bounds the UTF-8 length from below: check before encoding a huge text.
  checkResponseSize(text.length);
  const json = encoder.encode(text);
  checkResponseSize(json.length);
  return json;
}

export default function run(task: ComputeTask): ComputeReply | ReturnType<typeof move> {
  if (task.op === 'ping') return { ok: true, op: 'ping', pid: process.pid, threadId };
  const started = performance.now();
  try {
    const result = executeRequest(task.endpoint as EndpointName, task.payload);
    if (task.output === 'object') {
      return {
        ok: true,
        op: 'execute',
        body: result.body,
        n: result.n,
        k: result.k,
        computeMs: performance.now() - started,
      };
    }
    const json = serialise(result.body);
    const reply: ComputeReply = {
      ok: true,
      op: 'execute',
      json,
      n: result.n,
      k: result.k,
      computeMs: performance.now() - started,
    };
    // A Transferable wrapper: piscina posts `reply` with the JSON bytes' buffer in the
    // transfer list (moved, not copied).
    return move({ [transferableSymbol]: [json.buffer], [valueSymbol]: reply } as never);
  } catch (err) {
    if (isInputError(err)) {
      return { ok: false, field: err.field, message: err.message, issues: err.issues };
    }
    throw err;
  }
}
