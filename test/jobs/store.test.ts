import t from 'tap';
import { randomUUID } from 'node:crypto';
import { openJobStore } from '../../src/jobs/store/index.js';
import type { JobInput, JobStore, NewJob } from '../../src/jobs/store/types.js';
import { openStoreEnv, STORE_KINDS } from './helpers.js';

const input: JobInput = { type: 'json', body: { labels: [0, 1], pred_probs: [[0.9, 0.1], [0.2, 0.8]] } };

function newJob(now: number, extra: Partial<NewJob> = {}): NewJob {
  return { id: randomUUID(), kind: 'label-issues', input, idempotencyKey: null, requestHash: null, now, ...extra };
}

const HOUR = 3600_000;

for (const kind of STORE_KINDS) {
  t.test(`${kind} store`, async (t) => {
    const env = await openStoreEnv(kind);
    const store: JobStore = env.store;
    t.teardown(() => env.cleanup());

    t.test('init is idempotent (migrations run once)', async (t) => {
      await store.init();
      const again = await openJobStore(env.cfg);
      await again.init();
      await again.close();
      t.pass('re-init did not throw');
      t.equal(store.kind, kind);
    });

    t.test('create, get, input round trip', async (t) => {
      const j = newJob(1000);
      const { job, created } = await store.createJob(j);
      t.equal(created, true);
      t.equal(job.status, 'queued');
      t.equal(job.attempts, 0);
      t.equal(job.createdAt, 1000);
      t.equal(job.startedAt, null);
      t.same(await store.getJobInput(j.id), input);
      t.same(await store.getJob(j.id), job);
      t.equal(await store.getJob(randomUUID()), null);
      await store.deleteJob(j.id);
    });

    t.test('idempotency key returns the same job', async (t) => {
      const a = newJob(2000, { idempotencyKey: 'key-' + kind, requestHash: 'h1' });
      const b = newJob(2001, { idempotencyKey: 'key-' + kind, requestHash: 'h2' });
      const r1 = await store.createJob(a);
      const r2 = await store.createJob(b);
      t.equal(r1.created, true);
      t.equal(r2.created, false);
      t.equal(r2.job.id, a.id);
      t.equal(r2.job.requestHash, 'h1', 'the stored request hash lets the API detect a different request');
      t.equal(await store.getJob(b.id), null);
      await store.deleteJob(a.id);
    });

    t.test('queue: claim order, lease, heartbeat, expiry re-claim, attempts', async (t) => {
      const j1 = newJob(10);
      const j2 = newJob(20);
      await store.createJob(j2); // inserted first but created later
      await store.createJob(j1);
      const c1 = await store.claimNext('w1', 100, 1000);
      t.equal(c1?.id, j1.id, 'oldest first');
      t.equal(c1?.status, 'running');
      t.equal(c1?.attempts, 1);
      t.equal(c1?.leaseOwner, 'w1');
      t.equal(c1?.leaseExpiresAt, 1100);
      t.equal(c1?.startedAt, 100);
      const c2 = await store.claimNext('w2', 100, 1000);
      t.equal(c2?.id, j2.id);
      t.equal(await store.claimNext('w3', 500, 1000), null, 'nothing runnable while leases are valid');

      t.equal(await store.heartbeat(j1.id, 'w1', 900, 1000, { pass: 1, passes: 3, rows_done: 5, rows_total: 10 }), true);
      t.same((await store.getJob(j1.id))?.progress, { pass: 1, passes: 3, rows_done: 5, rows_total: 10 });
      t.equal((await store.getJob(j1.id))?.leaseExpiresAt, 1900);
      t.equal(await store.heartbeat(j1.id, 'other', 900, 1000, null), false, 'only the owner renews');

      // w2 "dies": its lease expires at 1100; at 1200 another worker takes the job over.
      const c3 = await store.claimNext('w3', 1200, 1000);
      t.equal(c3?.id, j2.id, 'expired lease is re-claimed');
      t.equal(c3?.attempts, 2);
      t.equal(c3?.startedAt, 100, 'first start time kept');
      t.equal(await store.heartbeat(j2.id, 'w2', 1300, 1000, null), false, 'the old owner lost the job');
      t.equal(await store.complete(j2.id, 'w2', 1300, HOUR, { x: 1 }, null), false, 'the old owner cannot complete');
      t.equal(await store.release(j2.id, 'w3'), true, 'release puts it back');
      t.equal((await store.getJob(j2.id))?.status, 'queued');
      t.equal((await store.getJob(j2.id))?.attempts, 1, 'a released run does not count as an attempt');
      await store.deleteJob(j1.id);
      await store.deleteJob(j2.id);
    });

    t.test('concurrent claimers never get the same job', async (t) => {
      const ids = [];
      for (let i = 0; i < 6; i++) {
        const j = newJob(5000 + i);
        ids.push(j.id);
        await store.createJob(j);
      }
      const claims = await Promise.all(Array.from({ length: 10 }, (_, i) => store.claimNext(`c${i}`, 6000, 60_000)));
      const got = claims.filter((c) => c !== null).map((c) => c!.id);
      t.equal(got.length, 6);
      t.equal(new Set(got).size, 6);
      t.same([...got].sort(), [...ids].sort());
      for (const id of ids) await store.deleteJob(id);
    });

    t.test('complete: result and paginated label issues in stable order', async (t) => {
      const j = newJob(100);
      await store.createJob(j);
      await store.claimNext('w', 200, 10_000);
      t.equal(await store.clearLabelIssues(j.id, 'w'), true);
      const n = 25;
      const idx = Array.from({ length: n }, (_, i) => (i * 7919) % 1000);
      const q = idx.map((i) => i / 1000 + 1e-17 * i);
      t.equal(
        await store.appendLabelIssues(j.id, 'w', 0, {
          index: idx.slice(0, 10),
          given: idx.slice(0, 10).map((i) => i % 3),
          suggested: idx.slice(0, 10).map((i) => (i + 1) % 3),
          quality: q.slice(0, 10),
        }),
        true,
      );
      t.equal(
        await store.appendLabelIssues(j.id, 'w', 10, {
          index: idx.slice(10),
          given: idx.slice(10).map((i) => i % 3),
          suggested: idx.slice(10).map((i) => (i + 1) % 3),
          quality: Float64Array.from([...q.slice(10, 24), Number.NaN]),
        }),
        true,
      );
      t.equal(await store.getResult(j.id), null, 'no result before completion');
      const body = { num_label_issues: n, joint: [[0.1, 0.2], [0.3, 0.4]], x: 1 / 3 };
      t.equal(await store.complete(j.id, 'w', 300, HOUR, body, n), true);
      const job = await store.getJob(j.id);
      t.equal(job?.status, 'succeeded');
      t.equal(job?.finishedAt, 300);
      t.equal(job?.expiresAt, 300 + HOUR);
      t.equal(job?.leaseOwner, null);
      t.equal(job?.labelIssuesCount, n);
      t.same(await store.getResult(j.id), body);
      const all = await store.getLabelIssues(j.id, 0, 100);
      t.equal(all.length, n);
      t.same(
        all.map((r) => r.index),
        idx,
      );
      t.equal(all[3]!.label_quality, q[3], 'float64 quality round-trips exactly');
      t.ok(Number.isNaN(all[24]!.label_quality), 'NaN round-trips');
      const page = await store.getLabelIssues(j.id, 7, 5);
      t.same(
        page.map((r) => r.index),
        idx.slice(7, 12),
      );
      t.same(await store.getLabelIssues(j.id, 30, 5), []);
      t.equal(await store.heartbeat(j.id, 'w', 400, 1000, null), false, 'finished job has no lease');
      await store.deleteJob(j.id);
      t.same(await store.getLabelIssues(j.id, 0, 100), [], 'delete removes label issues');
      t.equal(await store.getResult(j.id), null);
    });

    t.test('fail stores the problem and drops partial label issues', async (t) => {
      const j = newJob(100);
      await store.createJob(j);
      await store.claimNext('w', 200, 10_000);
      await store.appendLabelIssues(j.id, 'w', 0, { index: [1], given: [0], suggested: [1], quality: [0.5] });
      const problem = { type: 'about:blank', title: 'Bad input', status: 400, detail: 'labels[3] is 7', errors: [{ path: 'labels[3]', message: 'out of range' }] };
      t.equal(await store.fail(j.id, 'w', 300, HOUR, problem), true);
      const job = await store.getJob(j.id);
      t.equal(job?.status, 'failed');
      t.same(job?.error, problem);
      t.same(await store.getLabelIssues(j.id, 0, 10), []);
      await store.deleteJob(j.id);
    });

    t.test('cancel: queued and running jobs; finished unchanged', async (t) => {
      const q = newJob(100);
      const r = newJob(101);
      await store.createJob(q);
      await store.createJob(r);
      // claim q? claim takes oldest: q. Cancel r while queued, q while running.
      const claimed = await store.claimNext('w', 200, 10_000);
      t.equal(claimed?.id, q.id);
      const c1 = await store.cancel(r.id, 300, HOUR);
      t.equal(c1?.status, 'cancelled');
      t.equal(c1?.finishedAt, 300);
      const c2 = await store.cancel(q.id, 310, HOUR);
      t.equal(c2?.status, 'cancelled');
      t.equal(await store.heartbeat(q.id, 'w', 320, 1000, null), false, 'the worker learns of the cancel');
      t.equal(await store.complete(q.id, 'w', 320, HOUR, {}, 0), false, 'and cannot complete it');
      const c3 = await store.cancel(q.id, 400, HOUR);
      t.equal(c3?.finishedAt, 310, 'cancel of a finished job changes nothing');
      t.equal(await store.cancel(randomUUID(), 1, 1), null);
      t.equal(await store.claimNext('w', 500, 1000), null, 'cancelled jobs are not claimed');
      await store.deleteJob(q.id);
      await store.deleteJob(r.id);
    });

    t.test('list with paging and status filter', async (t) => {
      const ids: string[] = [];
      for (let i = 0; i < 7; i++) {
        const j = newJob(10_000 + i);
        ids.push(j.id);
        await store.createJob(j);
      }
      await store.claimNext('w', 20_000, 1000); // the oldest is running
      const p1 = await store.listJobs({ offset: 0, limit: 3 });
      t.equal(p1.total, 7);
      t.same(
        p1.jobs.map((j) => j.id),
        [ids[6], ids[5], ids[4]],
        'newest first',
      );
      const p3 = await store.listJobs({ offset: 6, limit: 3 });
      t.same(
        p3.jobs.map((j) => j.id),
        [ids[0]],
      );
      const running = await store.listJobs({ offset: 0, limit: 10, status: 'running' });
      t.equal(running.total, 1);
      t.equal(running.jobs[0]!.id, ids[0]);
      for (const id of ids) await store.deleteJob(id);
    });

    t.test('uploads: parts, sizes, complete, owner deletion', async (t) => {
      const u = await store.createUpload({ id: randomUUID(), filename: 'p.npy', ownerJobId: null, now: 1, expiresAt: 1 + HOUR });
      t.equal(u.status, 'open');
      t.equal(u.size, 0);
      await store.putUploadPart(u.id, { n: 2, size: 50, sha256: 'b' });
      await store.putUploadPart(u.id, { n: 1, size: 100, sha256: 'a' });
      await store.putUploadPart(u.id, { n: 2, size: 70, sha256: 'c' });
      t.same(await store.listUploadParts(u.id), [
        { n: 1, size: 100, sha256: 'a' },
        { n: 2, size: 70, sha256: 'c' },
      ]);
      t.equal((await store.getUpload(u.id))?.size, 170);
      t.equal(await store.uploadBytes(), 170);
      const done = await store.completeUpload(u.id, { size: 170, dtype: '<f4', shape: [10, 4], now: 5 });
      t.equal(done?.status, 'complete');
      t.same(done?.shape, [10, 4]);
      t.equal(done?.dtype, '<f4');
      t.same(await store.listUploadParts(u.id), []);
      await store.touchUpload(u.id, 10 * HOUR);
      t.equal((await store.getUpload(u.id))?.expiresAt, 10 * HOUR);
      await store.touchUpload(u.id, 5);
      t.equal((await store.getUpload(u.id))?.expiresAt, 10 * HOUR, 'touch never shortens');
      t.equal(await store.deleteUpload(u.id), true);
      t.equal(await store.getUpload(u.id), null);

      const j = newJob(1);
      await store.createJob(j);
      const owned = await store.createUpload({ id: randomUUID(), filename: null, ownerJobId: j.id, now: 1, expiresAt: 2 });
      const del = await store.deleteJob(j.id);
      t.equal(del.deleted, true);
      t.same(del.ownedUploads, [owned.id]);
      t.equal(await store.getUpload(owned.id), null);
      t.same(await store.deleteJob(j.id), { deleted: false, ownedUploads: [] });
    });

    t.test('retention: purge removes expired finished jobs and uploads only', async (t) => {
      const old = newJob(1);
      const fresh = newJob(2);
      const queued = newJob(3);
      for (const j of [old, fresh, queued]) await store.createJob(j);
      await store.claimNext('w', 10, 1000); // old
      await store.complete(old.id, 'w', 20, HOUR, { a: 1 }, null);
      await store.claimNext('w', 30, 1000); // fresh
      await store.complete(fresh.id, 'w', 5 * HOUR, HOUR, { a: 2 }, null);
      const ownedByOld = await store.createUpload({ id: randomUUID(), filename: null, ownerJobId: old.id, now: 1, expiresAt: 1 });
      const freeOld = await store.createUpload({ id: randomUUID(), filename: null, ownerJobId: null, now: 1, expiresAt: 2 * HOUR });
      const freeNew = await store.createUpload({ id: randomUUID(), filename: null, ownerJobId: null, now: 1, expiresAt: 9 * HOUR });
      // a queued job that never ran must stay regardless of age
      const res = await store.purgeExpired(3 * HOUR);
      t.same(res.jobIds, [old.id]);
      t.same([...res.uploadIds].sort(), [ownedByOld.id, freeOld.id].sort());
      t.equal(await store.getJob(old.id), null);
      t.equal(await store.getResult(old.id), null);
      t.not(await store.getJob(fresh.id), null);
      t.not(await store.getJob(queued.id), null);
      t.not(await store.getUpload(freeNew.id), null);
      for (const j of [fresh, queued]) await store.deleteJob(j.id);
      await store.deleteUpload(freeNew.id);
    });
  });
}
