/**
 * A stand-in compute worker for pool tests (not a test file): echoes the request, and on
 * request sleeps (to fill the pool) or throws an unexpected error (to test the 500 path).
 */
import { threadId } from 'node:worker_threads';
import type { ComputeReply, ComputeTask } from '../../src/compute/protocol.js';

export default function run(task: ComputeTask): ComputeReply {
  if (task.op === 'ping') return { ok: true, op: 'ping', pid: process.pid, threadId };
  const p = task.payload;
  const body = p.kind === 'json-bytes' ? JSON.parse(Buffer.from(p.bytes.buffer, p.bytes.byteOffset, p.bytes.byteLength).toString('utf8')) : {};
  if (body.sleep_ms) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, body.sleep_ms);
  if (body.crash) throw new TypeError('boom: internal detail that must not leak');
  const out = { endpoint: task.endpoint, kind: p.kind, byte_length: p.kind === 'json-bytes' || p.kind === 'arrow' ? p.bytes.byteLength : 0, echo: body };
  if (task.output === 'object') return { ok: true, op: 'execute', body: out, n: 1, k: 2, computeMs: 0 };
  return { ok: true, op: 'execute', json: new TextEncoder().encode(JSON.stringify(out)), n: 1, k: 2, computeMs: 0 };
}
