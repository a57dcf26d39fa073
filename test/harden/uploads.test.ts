/**
 * Issue 16: upload completion is atomic, idempotent and crash-safe (every store, with its
 * default upload storage: files with SQLite, rows in the database with PostgreSQL).
 * Concurrent `complete` calls: one joins, the others get 409 while it runs, and every call
 * after it returns the same completed upload; a SIGKILL in the middle of the join (files: its
 * temp file exists; database: it holds the completion lock) leaves the upload completable,
 * and completing it then gives the exact bytes.
 */
import t, { type Test } from 'tap';
import { fork } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Readable } from 'node:stream';
import pg from 'pg';
import { writeNpy } from '../../src/io/npy.js';
import { blobsFor } from '../../src/jobs/blobs/index.js';
import { LOCK_CLASS } from '../../src/jobs/blobs/postgres.js';
import { completeUpload, createUpload, receivePart } from '../../src/jobs/uploads.js';
import { UploadCompletingError } from '../../src/service/problem.js';
import { openStoreEnv, storedEntries, STORE_KINDS, type StoreEnv } from '../jobs/helpers.js';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

async function sendInParts(env: Awaited<ReturnType<typeof openStoreEnv>>, bytes: Uint8Array, parts: number): Promise<string> {
  const u = await createUpload(env.store, env.cfg, 'x.npy');
  const size = Math.ceil(bytes.length / parts);
  for (let i = 0; i < parts; i++) {
    const chunk = Buffer.from(bytes.subarray(i * size, (i + 1) * size));
    await receivePart(env.store, env.cfg, u.id, i + 1, Readable.from([chunk]), chunk.length);
  }
  return u.id;
}

/** What is left of a completed upload: only its data (files: data.npy; database: the parts' chunks, no staging rows). */
async function onlyData(t: Test, env: StoreEnv, id: string): Promise<void> {
  const entries = (await storedEntries(env, id)).filter((f) => !f.endsWith('.tmp'));
  if (env.cfg.uploadStorage === 'files') t.same(entries, ['data.npy'], 'parts removed');
  else t.ok(entries.length > 0 && entries.every((e) => /^chunk [1-9]/.test(e)), `only the parts' chunks (${entries.length})`);
}

/** Is the join under way in the child? Files: its temp file exists; database: it holds the completion lock. */
async function joining(env: StoreEnv, id: string, db: pg.Client | null): Promise<boolean> {
  if (!db) return (await storedEntries(env, id)).some((f) => f.endsWith('.tmp'));
  const r = await db.query(`SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND classid = $1 AND objid = hashtext($2)::oid AND granted`, [LOCK_CLASS, id]);
  return (r.rowCount ?? 0) > 0;
}

for (const kind of STORE_KINDS) {
  t.test(`concurrent complete: one join, 409 while it runs, same result after (${kind})`, async (t) => {
    const env = await openStoreEnv(kind);
    t.teardown(() => env.cleanup());
    const n = 200_000;
    const bytes = writeNpy(Float32Array.from({ length: n * 4 }, (_, i) => (i % 7) / 7), '<f4', [n, 4]);
    const id = await sendInParts(env, bytes, 4);
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => completeUpload(env.store, env.cfg, id)));
    const ok = results.filter((r) => r.status === 'fulfilled');
    const conflicts = results.filter((r) => r.status === 'rejected' && r.reason instanceof UploadCompletingError && r.reason.statusCode === 409);
    t.equal(ok.length + conflicts.length, 5, 'every call is 200 or 409');
    t.ok(ok.length >= 1, 'one completes');
    t.equal(sha(await blobsFor(env.cfg).readData(id)), sha(bytes), 'the joined file is exact');
    const again = await completeUpload(env.store, env.cfg, id);
    t.equal(again.status, 'complete');
    t.same(again.shape, [n, 4]);
    t.notOk((await storedEntries(env, id)).some((f) => f.endsWith('.tmp')), 'no temp files');
    await onlyData(t, env, id);
  });

  t.test(`SIGKILL during complete leaves the upload completable (${kind})`, async (t) => {
    const env = await openStoreEnv(kind);
    t.teardown(() => env.cleanup());
    const n = 4_000_000;
    const bytes = writeNpy(Float32Array.from({ length: n * 4 }, (_, i) => i % 1000), '<f4', [n, 4]);
    const id = await sendInParts(env, bytes, 8);
    const child = fork(fileURLToPath(new URL('./complete-child.ts', import.meta.url)), [], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, LC_TEST_JOBS_CONFIG: JSON.stringify(env.cfg), LC_TEST_UPLOAD: id },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const exited = new Promise<void>((r) => child.on('exit', () => r()));
    const db = env.cfg.uploadStorage === 'database' ? new pg.Client({ connectionString: env.cfg.databaseUrl! }) : null;
    await db?.connect();
    // kill it as soon as the join has started
    let killedMidJoin = false;
    for (let i = 0; i < 6000 && child.exitCode === null; i++) {
      if (await joining(env, id, db)) {
        child.kill('SIGKILL');
        killedMidJoin = true;
        break;
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    await exited;
    await db?.end();
    const after = await env.store.getUpload(id);
    t.ok(after, 'the upload still exists');
    if (killedMidJoin) t.equal(after!.status, 'open', 'killed before the store update: still open');
    const done = await completeUpload(env.store, env.cfg, id);
    t.equal(done.status, 'complete');
    t.equal(sha(await blobsFor(env.cfg).readData(id)), sha(bytes), 'completing again gives the exact file');
    await onlyData(t, env, id);
  });
}
