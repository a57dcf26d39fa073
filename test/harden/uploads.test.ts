/**
 * Issue 16: upload completion is atomic, idempotent and crash-safe (every store).
 * Concurrent `complete` calls: one joins, the others get 409 while it runs, and every call
 * after it returns the same completed upload; a SIGKILL in the middle of the join leaves
 * the upload completable, and completing it then gives the exact bytes.
 */
import t from 'tap';
import { fork } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Readable } from 'node:stream';
import { writeNpy } from '../../src/io/npy.js';
import { uploadDataPath, uploadDir } from '../../src/jobs/files.js';
import { completeUpload, createUpload, receivePart } from '../../src/jobs/uploads.js';
import { UploadCompletingError } from '../../src/service/problem.js';
import { openStoreEnv, STORE_KINDS } from '../jobs/helpers.js';

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
    t.equal(sha(readFileSync(uploadDataPath(env.cfg.dataDir, id))), sha(bytes), 'the joined file is exact');
    const again = await completeUpload(env.store, env.cfg, id);
    t.equal(again.status, 'complete');
    t.same(again.shape, [n, 4]);
    t.same(readdirSync(uploadDir(env.cfg.dataDir, id)), ['data.npy'], 'parts removed, no temp files');
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
    // kill it as soon as the join has started (its temp file exists)
    let killedMidJoin = false;
    for (let i = 0; i < 6000 && child.exitCode === null; i++) {
      if (readdirSync(uploadDir(env.cfg.dataDir, id)).some((f) => f.endsWith('.tmp'))) {
        child.kill('SIGKILL');
        killedMidJoin = true;
        break;
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    await exited;
    const after = await env.store.getUpload(id);
    t.ok(after, 'the upload still exists');
    if (killedMidJoin) t.equal(after!.status, 'open', 'killed before the store update: still open');
    const done = await completeUpload(env.store, env.cfg, id);
    t.equal(done.status, 'complete');
    t.equal(sha(readFileSync(uploadDataPath(env.cfg.dataDir, id))), sha(bytes), 'completing again gives the exact file');
    t.same(readdirSync(uploadDir(env.cfg.dataDir, id)).filter((f) => !f.endsWith('.tmp')), ['data.npy']);
  });
}
