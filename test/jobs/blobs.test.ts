/**
 * Upload storage (src/jobs/blobs): files under DATA_DIR, and chunked rows in PostgreSQL
 * (when TEST_DATABASE_URL is set). Bytes cross chunk and part boundaries unchanged; a part
 * is replaced only once received whole; completion is locked across processes (another
 * session holding the lock makes `complete` and part PUTs answer 409); stored parts are
 * checked against the recorded sizes; retention removes orphaned bytes and local copies of
 * jobs that no longer run.
 */
import t from 'tap';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { writeNpy } from '../../src/io/npy.js';
import { blobsFor, checkSharedDataDir, sweepUploads, VOLUME_MARKER, type BlobStore } from '../../src/jobs/blobs/index.js';
import { resolveJobsConfig } from '../../src/jobs/config.js';
import { FileBlobStore } from '../../src/jobs/blobs/files.js';
import { PgBlobStore } from '../../src/jobs/blobs/postgres.js';
import { completeUpload, createUpload, receivePart } from '../../src/jobs/uploads.js';
import { UploadCompleteError, UploadCompletingError } from '../../src/service/problem.js';
import { openStoreEnv, storedEntries, STORE_KINDS, tempDir, type StoreEnv } from './helpers.js';

const limits = { maxBytes: 1 << 30, budgetLeft: null, what: 'test bytes' };
const bytesOf = (n: number, seed: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + seed) & 255));

/** A storage with tiny chunks (database) so that a few KB span several of them. */
function smallChunks(env: StoreEnv): BlobStore {
  if (env.cfg.uploadStorage === 'files') return new FileBlobStore(env.cfg.dataDir);
  return new PgBlobStore({ connectionString: env.cfg.databaseUrl!, schema: env.cfg.pgSchema, dataDir: env.cfg.dataDir, chunkBytes: 1000 });
}

async function collect(r: Readable): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const c of r) out.push(c as Buffer);
  return Buffer.concat(out);
}

for (const kind of STORE_KINDS) {
  t.test(`bytes in and out across chunks and parts (${kind})`, async (t) => {
    const env = await openStoreEnv(kind);
    const blobs = smallChunks(env);
    t.teardown(async () => {
      await blobs.close();
      await env.cleanup();
    });
    t.equal(blobs.kind, kind === 'postgres' ? 'database' : 'files');
    const u = await createUpload(env.store, env.cfg, null);
    await blobs.create(u.id);
    const p1 = bytesOf(2500, 1);
    const p2 = bytesOf(1, 2);
    const p3 = bytesOf(3001, 3);
    const first = await blobs.writePart(u.id, 1, Readable.from([bytesOf(4000, 9)]), limits);
    t.equal(first.size, 4000);
    // replaced by a second PUT of part 1, sent in pieces
    const w1 = await blobs.writePart(u.id, 1, Readable.from([p1.subarray(0, 7), p1.subarray(7, 1999), p1.subarray(1999)]), limits);
    t.same(w1, { size: 2500, sha256: (await import('node:crypto')).createHash('sha256').update(p1).digest('hex') });
    await blobs.writePart(u.id, 2, Readable.from([p2]), limits);
    await blobs.writePart(u.id, 3, Readable.from([p3]), limits);
    // an interrupted PUT of part 2 leaves the received part 2 as it was
    const failing = new Readable({
      read() {
        this.push(bytesOf(1500, 4));
        this.destroy(new Error('connection reset'));
      },
    });
    await t.rejects(blobs.writePart(u.id, 2, failing, limits), /connection reset/);
    const parts = [
      { n: 1, size: p1.length, sha256: '' },
      { n: 2, size: p2.length, sha256: '' },
      { n: 3, size: p3.length, sha256: '' },
    ];
    const all = Buffer.concat([p1, p2, p3]);
    t.same(await blobs.readPartsPrefix(u.id, parts, 2502), all.subarray(0, 2502), 'prefix across parts');
    t.same(await collect(blobs.partsStream(u.id, parts)), all, 'the parts as one stream');
    await blobs.join(u.id, parts, all.length);
    await env.store.completeUpload(u.id, { size: all.length, dtype: '|u1', shape: [all.length], now: Date.now() });
    await blobs.afterComplete(u.id);
    t.equal(await blobs.size(u.id), all.length);
    t.same(await blobs.readData(u.id), all, 'data = the parts in order');
    t.same(await blobs.readDataPrefix(u.id, 1200), all.subarray(0, 1200));
    t.same(await collect(blobs.dataStream(u.id)), all);
    const local = await blobs.localFile(u.id, `job-${randomUUID()}-pred_probs`);
    t.same(readFileSync(local.path), all, 'local copy');
    await local.release();
    if (blobs.kind === 'database') {
      t.same(readdirSync(join(env.cfg.dataDir, 'tmp')), [], 'the copy is deleted on release');
      const entries = await storedEntries(env, u.id);
      t.equal(entries.length, 3 + 1 + 4, 'chunks of ≤ 1000 bytes per part');
      t.ok(entries.every((e) => /^chunk [1-9]/.test(e)), 'no staging rows');
    }
    t.ok((await blobs.ids()).includes(u.id));
    await blobs.remove([u.id]);
    t.equal(await blobs.size(u.id), null, 'removed');
  });
}

if (STORE_KINDS.includes('postgres')) {
  t.test('database: completion is locked across sessions; parts are checked against their records', async (t) => {
    const env = await openStoreEnv('postgres');
    t.teardown(() => env.cleanup());
    const { store, cfg } = env;
    const npy = writeNpy(Float64Array.from({ length: 3000 }, (_, i) => i / 7), '<f8', [1000, 3]);
    const u = await createUpload(store, cfg, 'x.npy');
    await receivePart(store, cfg, u.id, 1, Readable.from([Buffer.from(npy.subarray(0, 5000))]), null);
    await receivePart(store, cfg, u.id, 2, Readable.from([Buffer.from(npy.subarray(5000))]), null);

    // another replica (its own database session) is completing it
    const other = new PgBlobStore({ connectionString: cfg.databaseUrl!, schema: cfg.pgSchema, dataDir: cfg.dataDir });
    t.teardown(() => other.close());
    const unlock = await other.lockCompletion(u.id);
    t.ok(unlock, 'the other session holds the completion lock');
    await t.rejects(completeUpload(store, cfg, u.id), UploadCompletingError, 'complete: 409 while another replica completes');
    await t.rejects(
      receivePart(store, cfg, u.id, 2, Readable.from([Buffer.from(npy.subarray(5000))]), null),
      UploadCompletingError,
      'a part cannot change under a completion',
    );
    t.same((await storedEntries(env, u.id)).filter((e) => e.startsWith('chunk -')), [], 'the refused part left no staging rows');
    await unlock!();
    const done = await completeUpload(store, cfg, u.id);
    t.match(done, { status: 'complete', shape: [1000, 3], size: npy.length });
    t.same(await blobsFor(cfg).readData(u.id), Buffer.from(npy));
    await t.rejects(receivePart(store, cfg, u.id, 1, Readable.from([Buffer.from('x')]), null), UploadCompleteError);

    // a record that does not match the stored bytes (a crash between the two) is refused
    const v = await createUpload(store, cfg, 'y.npy');
    await receivePart(store, cfg, v.id, 1, Readable.from([Buffer.from(npy.subarray(0, npy.length - 10))]), null);
    await store.putUploadPart(v.id, { n: 2, size: 10, sha256: 'x' });
    await t.rejects(completeUpload(store, cfg, v.id), { message: /Part 2 of upload .* has 0 bytes stored but 10 were received/ });
    t.equal((await store.getUpload(v.id))!.status, 'open', 'still open: send the part again');
  });
}

if (STORE_KINDS.includes('postgres')) {
  t.test('UPLOAD_STORAGE=files with a database: a DATA_DIR that is not the shared volume is refused at start', async (t) => {
    const env = await openStoreEnv('postgres');
    const other = tempDir();
    t.teardown(async () => {
      await env.cleanup();
      rmSync(other, { recursive: true, force: true });
    });
    const shared = resolveJobsConfig({ ...env.cfg, uploadStorage: 'files' });
    await checkSharedDataDir(shared); // the first replica records its volume
    await checkSharedDataDir(resolveJobsConfig({ ...shared })); // another replica on the same volume
    t.ok(readFileSync(join(shared.dataDir, VOLUME_MARKER), 'utf8').length > 36, 'the volume marker');
    const elsewhere = resolveJobsConfig({ ...shared, dataDir: other });
    await t.rejects(checkSharedDataDir(elsewhere), { name: 'ConfigError', message: /UPLOAD_STORAGE files needs DATA_DIR to be one volume shared by every replica/ });
    await checkSharedDataDir(env.cfg); // database storage: nothing to check
  });
}

for (const kind of STORE_KINDS) {
  t.test(`retention: orphaned bytes and stale local copies (${kind})`, async (t) => {
    const env = await openStoreEnv(kind);
    t.teardown(() => env.cleanup());
    const { store, cfg } = env;
    const blobs = blobsFor(cfg);
    const u = await createUpload(store, cfg, null);
    await blobs.writeData(u.id, Readable.from([bytesOf(100, 5)]), limits);
    const gone = await createUpload(store, cfg, null);
    await blobs.writeData(gone.id, Readable.from([bytesOf(100, 6)]), limits);
    await store.deleteUpload(gone.id); // its row goes, the process dies before its bytes go
    // local copies: one of a running job, one of a finished (or taken-over) one
    const running = randomUUID();
    const finished = randomUUID();
    for (const [id, status] of [
      [running, 'running'],
      [finished, 'finished'],
    ] as const) {
      await store.createJob({ id, kind: 'confident-joint', input: { type: 'json', body: {} }, idempotencyKey: null, requestHash: null, now: Date.now() });
      if (status === 'running') await store.claimNext('me', Date.now(), 60_000);
    }
    mkdirSync(join(cfg.dataDir, 'tmp'), { recursive: true });
    writeFileSync(join(cfg.dataDir, 'tmp', `job-${running}-pred_probs.abcd1234.npy`), 'x');
    writeFileSync(join(cfg.dataDir, 'tmp', `job-${finished}-pred_probs.abcd1234.npy`), 'x');
    const r = await sweepUploads(store, cfg);
    t.equal(r.scratch, 1);
    t.same(readdirSync(join(cfg.dataDir, 'tmp')), [`job-${running}-pred_probs.abcd1234.npy`], 'the running job keeps its copy');
    if (blobs.kind === 'database') {
      t.equal(r.orphans, 1, 'the orphaned chunk is removed');
      t.same(await blobs.ids(), [u.id]);
    }
    t.equal(await blobs.size(u.id), 100, 'live uploads are untouched');
  });
}
