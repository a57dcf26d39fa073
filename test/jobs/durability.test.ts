/**
 * Durability with real processes, on every store: a `labelcheck worker`-like child process
 * is SIGKILLed in the middle of a chunked job; a new worker process takes the job over once
 * the lease expires and finishes it with exactly the result of the synchronous route.
 */
import t from 'tap';
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { writeNpy } from '../../src/io/npy.js';
import { blobsFor } from '../../src/jobs/blobs/index.js';
import { executeRequest } from '../../src/service/index.js';
import { openStoreEnv, rows, STORE_KINDS, synthetic } from './helpers.js';

const child = fileURLToPath(new URL('./worker-child.ts', import.meta.url));
const data = synthetic(150_000, 10, 5, 0.2);

function startWorker(cfg: object, owner: string): ChildProcess {
  return fork(child, [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, LC_TEST_JOBS_CONFIG: JSON.stringify(cfg), LC_TEST_OWNER: owner },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const kind of STORE_KINDS) {
  t.test(`SIGKILL mid-run, restart finishes the job (${kind})`, async (t) => {
    const env = await openStoreEnv(kind, { leaseMs: 1500, pollMs: 50, maxChunkRows: 100 });
    const { store, cfg } = env;
    const children: ChildProcess[] = [];
    t.teardown(async () => {
      for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
      await env.cleanup();
    });

    // the job: label-issues over two uploaded .npy files
    const ids: Record<string, string> = {};
    for (const [field, bytes, shape] of [
      ['pred_probs', writeNpy(data.probs, '<f8', [data.n, data.k]), [data.n, data.k]],
      ['labels', writeNpy(data.labels, '<i4', [data.n]), [data.n]],
    ] as const) {
      const id = randomUUID();
      await store.createUpload({ id, filename: null, ownerJobId: null, now: Date.now(), expiresAt: Date.now() + 3600_000 });
      await blobsFor(cfg).writeData(id, Readable.from([Buffer.from(bytes)]), { maxBytes: Infinity, budgetLeft: null, what: field });
      await store.completeUpload(id, { size: bytes.length, dtype: field === 'labels' ? '<i4' : '<f8', shape: [...shape], now: Date.now() });
      ids[field] = id;
    }
    const jobId = randomUUID();
    await store.createJob({
      id: jobId,
      kind: 'label-issues',
      input: { type: 'npy', uploads: ids, options: { limit: 0 } },
      idempotencyKey: null,
      requestHash: null,
      now: Date.now(),
    });

    const a = startWorker(cfg, 'worker-A');
    children.push(a);
    let job = await store.getJob(jobId);
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      job = await store.getJob(jobId);
      if (job?.status === 'running' && job.progress && job.progress.pass >= 2 && job.progress.rows_done > 0) break;
      if (job?.status === 'succeeded' || job?.status === 'failed') break;
      await sleep(10);
    }
    t.equal(job?.status, 'running', 'worker A is in the middle of the job');
    t.equal(job?.leaseOwner, 'worker-A');
    t.ok(job!.progress!.pass >= 2, `killed during pass ${job!.progress!.pass} at row ${job!.progress!.rows_done}`);
    a.kill('SIGKILL');
    await new Promise((r) => a.once('exit', r));
    t.equal(a.signalCode, 'SIGKILL');
    const orphan = await store.getJob(jobId);
    t.equal(orphan?.status, 'running', 'the killed worker left the job running with a lease that will expire');

    const b = startWorker(cfg, 'worker-B');
    children.push(b);
    let done = orphan;
    while (Date.now() < deadline) {
      done = await store.getJob(jobId);
      if (done?.status === 'succeeded' || done?.status === 'failed') break;
      await sleep(50);
    }
    b.kill('SIGTERM');
    await new Promise((r) => b.once('exit', r));
    t.equal(done?.status, 'succeeded', JSON.stringify(done?.error));
    t.equal(done?.attempts, 2, 'taken over once');

    // exactly the synchronous result
    const want = executeRequest('label-issues', { kind: 'json', body: { labels: data.labels, pred_probs: rows(data), limit: 0 } }).body as {
      label_issues: { index: number; given_label: number; suggested_label: number; label_quality: number }[];
    };
    const { label_issues: wantIssues, ...wantRest } = want;
    t.same(await store.getResult(jobId), wantRest, 'result body identical');
    const got = await store.getLabelIssues(jobId, 0, wantIssues.length + 10);
    t.equal(got.length, wantIssues.length);
    t.same(got, wantIssues, 'label issues identical, same order');
  });
}
