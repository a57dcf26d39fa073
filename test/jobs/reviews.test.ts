/**
 * The review routes (review.md §1–§4) through the real app on every store: example content,
 * the blind queue, verdicts (idempotent PUT, DELETE, restart), the summary, the corrections
 * export, corrected accuracy from the verdicts, the HTML report, and bad input.
 */
import t from 'tap';
import type { FastifyInstance } from 'fastify';
import { parseNpy, writeNpy } from '../../src/io/npy.js';
import { openJobStore, type JobStore } from '../../src/jobs/store/index.js';
import { executeRequest } from '../../src/service/index.js';
import { parseExamplesJsonl } from '../../src/service/examples.js';
import { multipart, openStoreEnv, STORE_KINDS, type StoreEnv } from './helpers.js';
import { demoExamplesJsonl, demoRequest, reviewApp, runDemoJob, runJob } from '../helpers/review-app.js';

const demo = demoRequest();
const N = demo.labels.length;
const K = demo.class_names.length;
const captions = parseExamplesJsonl(demoExamplesJsonl());
const argmax = demo.pred_probs.map((row) => row.indexOf(Math.max(...row)));

const get = async (app: FastifyInstance, url: string) => {
  const r = await app.inject({ method: 'GET', url });
  return r;
};
const put = (app: FastifyInstance, id: string, index: number | string, body: unknown) =>
  app.inject({ method: 'PUT', url: `/v1/jobs/${id}/reviews/${index}`, payload: body as object });

/** Upload `bytes` in parts cut at `cuts` (byte offsets) and complete it; returns the complete response. */
async function upload(app: FastifyInstance, filename: string | undefined, bytes: Uint8Array, cuts: number[] = []) {
  const created = await app.inject({ method: 'POST', url: '/v1/uploads', ...(filename ? { payload: { filename } } : {}) });
  if (created.statusCode !== 201) throw new Error(created.body);
  const id = created.json().id as string;
  const bounds = [0, ...cuts, bytes.length];
  for (let n = 1; n < bounds.length; n++) {
    const r = await app.inject({
      method: 'PUT',
      url: `/v1/uploads/${id}/parts/${n}`,
      payload: Buffer.from(bytes.subarray(bounds[n - 1], bounds[n])),
      headers: { 'content-type': 'application/octet-stream' },
    });
    if (r.statusCode !== 200) throw new Error(r.body);
  }
  return app.inject({ method: 'POST', url: `/v1/uploads/${id}/complete` });
}

async function uploadOk(app: FastifyInstance, filename: string | undefined, bytes: Uint8Array, cuts: number[] = []): Promise<string> {
  const r = await upload(app, filename, bytes, cuts);
  if (r.statusCode !== 200) throw new Error(`complete: ${r.statusCode} ${r.body}`);
  return r.json().id as string;
}

for (const kind of STORE_KINDS) {
  t.test(`reviews on ${kind}`, async (t) => {
    const env: StoreEnv = await openStoreEnv(kind);
    let app = reviewApp(env);
    await app.ready();
    let reopened: JobStore | null = null;
    t.teardown(async () => {
      await app.close();
      await reopened?.close();
      await env.cleanup();
    });
    const id = await runDemoJob(app, env);
    const issues = (await get(app, `/v1/jobs/${id}/label-issues?limit=100000`)).json().label_issues as { index: number; given_label: number; suggested_label: number }[];
    const flagged = issues.map((i) => i.index);

    t.test('the queue: flagged rows worst first, with content and top-3', async (t) => {
      const q = (await get(app, `/v1/jobs/${id}/review-queue?limit=5`)).json();
      t.equal(q.total, flagged.length);
      t.same(q.class_names, demo.class_names);
      t.same(
        q.items.map((i: { index: number }) => i.index),
        flagged.slice(0, 5),
      );
      const first = q.items[0];
      t.equal(first.given_label, demo.labels[first.index]);
      t.equal(first.suggested_label, argmax[first.index]);
      t.equal(first.top_classes.length, 3);
      t.equal(first.top_classes[0].prob, Math.max(...demo.pred_probs[first.index]!));
      t.ok(first.top_classes[0].prob >= first.top_classes[1].prob && first.top_classes[1].prob >= first.top_classes[2].prob);
      t.same(first.content, { id: captions.ids![first.index], text: captions.texts![first.index] });
      t.equal(q.next_cursor, '5');
      const page2 = (await get(app, `/v1/jobs/${id}/review-queue?limit=5&cursor=5`)).json();
      t.same(
        page2.items.map((i: { index: number }) => i.index),
        flagged.slice(5, 10),
      );

      const withControls = async (seed: number) => {
        const out: number[] = [];
        let cursor: string | null = '0';
        while (cursor !== null) {
          const p: { items: { index: number }[]; next_cursor: string | null } = (await get(app, `/v1/jobs/${id}/review-queue?controls=0.1&seed=${seed}&limit=1000&cursor=${cursor}`)).json();
          out.push(...p.items.map((i: { index: number }) => i.index));
          cursor = p.next_cursor;
        }
        return out;
      };
      const a = await withControls(7);
      t.equal(a.length, flagged.length + Math.round(0.1 * (N - flagged.length)));
      t.same(await withControls(7), a, 'same controls and seed → same queue');
      t.same(
        a.filter((i) => flagged.includes(i)),
        flagged,
        'flagged rows keep their order among the controls',
      );
      t.notSame(await withControls(8), a, 'another seed → another queue');
      const bad = await get(app, `/v1/jobs/${id}/review-queue?controls=2`);
      t.equal(bad.statusCode, 400);
      t.match(bad.json().errors[0].path, /controls/);
    });

    // Verdicts with a known outcome: A relabelled, B confirmed, C dropped (flagged); D a control, relabelled.
    const [A, B, C] = flagged;
    const D = [...Array(N).keys()].find((i) => !flagged.includes(i) && argmax[i] === demo.labels[i])!;
    const other = (i: number) => (demo.labels[i]! + 1) % K;

    t.test('verdicts: validation, idempotent PUT, DELETE', async (t) => {
      const ok = await put(app, id, A!, { reviewer: 'ana', label: argmax[A!] });
      t.equal(ok.statusCode, 200, ok.body);
      t.match(ok.json(), { index: A, reviewer: 'ana', label: argmax[A!] });
      for (const [body, field] of [
        [{ reviewer: 'ana', label: K }, 'label'],
        [{ reviewer: 'ana', label: -1 }, 'label'],
        [{ reviewer: 'ana', label: 1.5 }, 'label'],
        [{ reviewer: '', label: 1 }, 'reviewer'],
        [{ label: 1 }, 'reviewer'],
        [{ reviewer: 'ana' }, 'label'],
        [{ reviewer: 'ana', label: 1, extra: true }, 'extra'],
      ] as const) {
        const r = await put(app, id, A!, body);
        t.equal(r.statusCode, 400, JSON.stringify(body));
        t.ok(
          (r.json().errors as { path: string }[]).some((e) => e.path.includes(field)),
          `${JSON.stringify(body)} names ${field}: ${r.body}`,
        );
      }
      const outOfRange = await put(app, id, N, { reviewer: 'ana', label: 1 });
      t.equal(outOfRange.statusCode, 400);
      t.match(outOfRange.json().errors[0].path, 'index');
      t.equal((await put(app, id, 'x', { reviewer: 'ana', label: 1 })).statusCode, 400);
      const noBody = await app.inject({ method: 'PUT', url: `/v1/jobs/${id}/reviews/${A}` });
      t.equal(noBody.statusCode, 400);
      t.equal((await put(app, '00000000-0000-4000-8000-000000000000', 1, { reviewer: 'a', label: 1 })).statusCode, 404);

      // same reviewer + index replaces
      await put(app, id, B!, { reviewer: 'ana', label: other(B!) });
      await put(app, id, B!, { reviewer: 'ana', label: demo.labels[B!] });
      const mine = (await get(app, `/v1/jobs/${id}/verdicts?reviewer=ana`)).json().verdicts;
      t.same(
        mine.map((v: { index: number; label: number }) => [v.index, v.label]),
        [
          [A, argmax[A!]],
          [B, demo.labels[B!]],
        ].sort((x, y) => x[0]! - y[0]!),
        'one verdict per reviewer and index',
      );
      const del = await app.inject({ method: 'DELETE', url: `/v1/jobs/${id}/reviews/${B}?reviewer=ana` });
      t.equal(del.statusCode, 204);
      const again = await app.inject({ method: 'DELETE', url: `/v1/jobs/${id}/reviews/${B}?reviewer=ana` });
      t.equal(again.statusCode, 404);
      const noReviewer = await app.inject({ method: 'DELETE', url: `/v1/jobs/${id}/reviews/${B}` });
      t.equal(noReviewer.statusCode, 400);
    });

    t.test('summary, corrections and corrected accuracy follow the verdicts', async (t) => {
      const before = (await app.inject({ method: 'POST', url: `/v1/jobs/${id}/corrected-accuracy`, payload: {} })).json();
      // ana's verdict on A already stands
      for (const [r, l] of [
        ['bo', argmax[A!]],
        ['cy', demo.labels[A!]],
      ] as const) t.equal((await put(app, id, A!, { reviewer: r, label: l })).statusCode, 200);
      for (const [r, l] of [
        ['ana', demo.labels[B!]],
        ['bo', demo.labels[B!]],
        ['cy', null],
      ] as const) await put(app, id, B!, { reviewer: r, label: l });
      for (const [r, l] of [
        ['ana', null],
        ['bo', null],
        ['cy', demo.labels[C!]],
      ] as const) await put(app, id, C!, { reviewer: r, label: l });
      await put(app, id, D, { reviewer: 'ana', label: other(D) });

      const s = (await get(app, `/v1/jobs/${id}/reviews`)).json();
      t.match(s, {
        reviewed: 4,
        confirmed: 1,
        relabelled: 2,
        dropped: 1,
        flagged_reviewed: 3,
        flagged_errors: 2,
        controls_reviewed: 1,
        control_errors: 1,
      });
      t.same(
        s.verified_corrections,
        [
          { index: A, label: argmax[A!] },
          { index: C, label: null },
          { index: D, label: other(D) },
        ].sort((x, y) => x.index! - y.index!),
      );
      t.equal(s.precision.value, 2 / 3);
      t.equal(s.estimated_label_errors.value, (2 / 3) * flagged.length + 1 * (N - flagged.length));
      t.same(
        s.per_reviewer.map((p: { reviewer: string; verdicts: number }) => [p.reviewer, p.verdicts]),
        [
          ['ana', 4],
          ['bo', 3],
          ['cy', 3],
        ],
      );
      const s2 = (await get(app, `/v1/jobs/${id}/reviews?min_reviews=2`)).json();
      t.equal(s2.reviewed, 3, 'the control with one verdict drops out');
      t.equal(s2.control_error_rate, null);

      const json = (await get(app, `/v1/jobs/${id}/corrections?format=json`)).json().labels;
      t.equal(json.length, N);
      t.same(json[A!], { index: A, given_label: demo.labels[A!], label: argmax[A!], status: 'relabelled' });
      t.same(json[C!], { index: C, given_label: demo.labels[C!], label: null, status: 'dropped' });
      t.same(json[B!], { index: B, given_label: demo.labels[B!], label: demo.labels[B!], status: 'unchanged' });
      const csv = await get(app, `/v1/jobs/${id}/corrections?format=csv`);
      t.match(csv.headers['content-type'], /text\/csv/);
      const lines = csv.body.trim().split('\n');
      t.equal(lines[0], 'index,given_label,label,status');
      t.equal(lines.length, N + 1);
      t.equal(lines[C! + 1], `${C},${demo.labels[C!]},,dropped`);
      t.equal(lines[A! + 1], `${A},${demo.labels[A!]},${argmax[A!]},relabelled`);
      const npy = await app.inject({ method: 'GET', url: `/v1/jobs/${id}/corrections?format=npy` });
      const arr = parseNpy(npy.rawPayload, 'npy');
      t.same(arr.shape, [N]);
      const vals = Array.from(arr.data as ArrayLike<number | bigint>, Number);
      const expected = demo.labels.slice();
      expected[A!] = argmax[A!]!;
      expected[C!] = -1;
      expected[D] = other(D);
      t.same(vals, expected, 'npy: cleaned labels, dropped = -1');

      // corrected accuracy: the reference model (argmax) against the verified labels
      const after = (await app.inject({ method: 'POST', url: `/v1/jobs/${id}/corrected-accuracy`, payload: {} })).json();
      t.equal(before.num_verified_corrections, 1, "before: ana's verdict on A only");
      t.equal(before.num_dropped, 0);
      t.not(before.models[0].verified, after.models[0].verified, 'the verified accuracy moves with the verdicts');
      t.equal(after.num_verified_corrections, 3);
      t.equal(after.num_dropped, 1);
      let right = 0;
      for (let i = 0; i < N; i++) if (i !== C && argmax[i] === expected[i]) right++;
      t.equal(after.models[0].verified, right / (N - 1), 'verified accuracy = argmax vs cleaned labels, dropped row removed');
      const sync = executeRequest('corrected-accuracy', {
        kind: 'json',
        body: { labels: demo.labels, pred_probs: demo.pred_probs, class_names: demo.class_names, verified_corrections: s.verified_corrections },
      }).body;
      t.same(after, sync, 'the same body as POST /v1/corrected-accuracy with the verified corrections');
      const strict = (await app.inject({ method: 'POST', url: `/v1/jobs/${id}/corrected-accuracy`, payload: { min_reviews: 3 } })).json();
      t.equal(strict.num_verified_corrections, 2, 'min_reviews 3: A and C only');
      const badCa = await app.inject({ method: 'POST', url: `/v1/jobs/${id}/corrected-accuracy`, payload: { models: 3 } });
      t.equal(badCa.statusCode, 400);
    });

    t.test('the report', async (t) => {
      const r = await get(app, `/v1/jobs/${id}/report`);
      t.equal(r.statusCode, 200);
      t.match(r.headers['content-type'], /text\/html/);
      const html = r.body;
      t.match(html, new RegExp(`data-testid="num-label-issues">${flagged.length}<`));
      const cells = [...html.matchAll(/data-given="(\d+)" data-true="(\d+)" data-count="(\d+)"/g)].map((m) => m.slice(1).map(Number));
      const cj = (await get(app, `/v1/jobs/${id}/result`)).json().confident_joint as number[][];
      t.equal(cells.length, K * K);
      t.ok(cells.every(([g, j, c]) => cj[g!]![j!] === c), 'heatmap cells = confident_joint');
      const listed = [...html.matchAll(/data-testid="issue" data-index="(\d+)"/g)].map((m) => Number(m[1]));
      t.same(listed, flagged.slice(0, 50));
      t.match(html, 'Review summary');
      t.match(html, captions.texts![A!]!);
      t.notMatch(html, /<script/i, 'no script');
      t.notMatch(html, /(src|href)="https?:/i, 'no other host');
      const notFound = await get(app, '/v1/jobs/00000000-0000-4000-8000-000000000000/report');
      t.equal(notFound.statusCode, 404);
      t.equal((await get(app, `/review/${id}`)).statusCode, 200);
      t.equal((await get(app, '/review/not-a-job')).statusCode, 404);
    });

    t.test('verdicts survive a restart (a new process opening the same store)', async (t) => {
      const before = (await get(app, `/v1/jobs/${id}/reviews`)).json();
      await app.close();
      reopened = await openJobStore(env.cfg);
      app = reviewApp({ ...env, store: reopened });
      await app.ready();
      t.same((await get(app, `/v1/jobs/${id}/reviews`)).json(), before);
    });

    t.test('unfinished jobs and other kinds', async (t) => {
      const queued = await app.inject({ method: 'POST', url: '/v1/jobs', payload: { kind: 'label-issues', labels: [0, 1, 0, 1], pred_probs: [[0.9, 0.1], [0.2, 0.8], [0.7, 0.3], [0.4, 0.6]] } });
      const qid = queued.json().id;
      const r = await get(app, `/v1/jobs/${qid}/report`);
      t.equal(r.statusCode, 409);
      t.equal((await put(app, qid, 0, { reviewer: 'a', label: 1 })).statusCode, 409);
      await app.inject({ method: 'DELETE', url: `/v1/jobs/${qid}` });
    });

    t.test('example content: lengths checked, multipart JSON Lines part', async (t) => {
      const small = { labels: demo.labels.slice(0, 200), pred_probs: demo.pred_probs.slice(0, 200) };
      const bad = await app.inject({ method: 'POST', url: '/v1/jobs', payload: { kind: 'label-issues', ...small, examples: { texts: ['a', 'b'] } } });
      t.equal(bad.statusCode, 400);
      t.equal(bad.json().errors[0].path, 'examples.texts');
      const unknown = await app.inject({ method: 'POST', url: '/v1/jobs', payload: { kind: 'label-issues', ...small, examples: { captions: [] } } });
      t.equal(unknown.statusCode, 400);

      const rows = small.pred_probs.flat();
      const jsonl = demoExamplesJsonl().split('\n').slice(0, 200).join('\n') + '\n';
      const form = multipart([
        { name: 'kind', value: 'label-issues' },
        { name: 'pred_probs', filename: 'p.npy', value: writeNpy(Float64Array.from(rows), '<f8', [200, K]) },
        { name: 'labels', filename: 'l.npy', value: writeNpy(small.labels, '<i8', [200]) },
        { name: 'examples', filename: 'examples.jsonl', value: jsonl },
      ]);
      const r = await app.inject({ method: 'POST', url: '/v1/jobs', payload: form.payload, headers: form.headers });
      t.equal(r.statusCode, 202, r.body);
      const { JobRunner } = await import('../../src/jobs/runner.js');
      await new JobRunner(env.store, env.cfg, { purgeEveryMs: 3_600_000 }).runOnce();
      const q = (await get(app, `/v1/jobs/${r.json().id}/review-queue?limit=1`)).json();
      t.equal(q.items[0].content.text, captions.texts![q.items[0].index]);
      const badLines = multipart([
        { name: 'kind', value: 'label-issues' },
        { name: 'pred_probs', filename: 'p.npy', value: writeNpy(Float64Array.from(rows), '<f8', [200, K]) },
        { name: 'labels', filename: 'l.npy', value: writeNpy(small.labels, '<i8', [200]) },
        { name: 'examples', value: '{"text": "a"}\n{"text": "b"}\n' },
      ]);
      const rb = await app.inject({ method: 'POST', url: '/v1/jobs', payload: badLines.payload, headers: badLines.headers });
      t.equal(rb.statusCode, 400);
      t.equal(rb.json().errors[0].path, 'examples.texts');
      const notJson = multipart([
        { name: 'kind', value: 'label-issues' },
        { name: 'examples', value: '{"text": "a"}\nnot json\n' },
      ]);
      const rn = await app.inject({ method: 'POST', url: '/v1/jobs', payload: notJson.payload, headers: notJson.headers });
      t.equal(rn.statusCode, 400);
      t.match(rn.json().detail, 'line 2');
    });

    t.test('example content as a .jsonl upload: {"upload": id} in the job, validated at complete and at submit', async (t) => {
      const jsonlBytes = Buffer.from(demoExamplesJsonl(), 'utf8');
      // Cut the parts inside a line and inside a multi-byte character.
      const multiByte = jsonlBytes.findIndex((b) => b >= 0x80);
      t.ok(multiByte > 0, 'the captions have non-ASCII text');
      const examplesId = await uploadOk(app, 'captions.jsonl', jsonlBytes, [777, multiByte + 1]);
      const info = (await get(app, `/v1/uploads/${examplesId}`)).json();
      t.match(info, { status: 'complete', format: 'jsonl', dtype: null, shape: [N], size: jsonlBytes.length });
      const ppId = await uploadOk(app, 'pred_probs.npy', writeNpy(Float64Array.from(demo.pred_probs.flat()), '<f8', [N, K]));
      const lbId = await uploadOk(app, undefined, writeNpy(demo.labels, '<i8', [N]));
      t.equal((await get(app, `/v1/uploads/${ppId}`)).json().format, 'npy');

      const expectContent = async (jobId: string) => {
        const q = (await get(app, `/v1/jobs/${jobId}/review-queue?limit=1000`)).json();
        t.equal(q.items.length, flagged.length, 'every flagged row is in the queue');
        for (const it of q.items as { index: number; content: unknown }[]) {
          t.same(it.content, { id: captions.ids![it.index], text: captions.texts![it.index] }, `row ${it.index}`);
        }
        const html = (await get(app, `/v1/jobs/${jobId}/report`)).body;
        t.match(html, captions.texts![q.items[0].index]!.replace(/'/g, '&#39;'), 'the report shows the content of the worst issue');
      };
      const overUploads = await runJob(app, env, {
        labels: { upload: lbId },
        pred_probs: { upload: ppId },
        class_names: demo.class_names,
        examples: { upload: examplesId },
      });
      await expectContent(overUploads);
      // Inline arrays with the content uploaded.
      await expectContent(await runJob(app, env, { ...demo, examples: { upload: examplesId } }));

      // The wrong kind of upload in each field.
      const asExamples = await app.inject({
        method: 'POST',
        url: '/v1/jobs',
        payload: { kind: 'label-issues', labels: { upload: lbId }, pred_probs: { upload: ppId }, examples: { upload: lbId } },
      });
      t.equal(asExamples.statusCode, 400);
      t.equal(asExamples.json().errors[0].path, 'examples');
      t.match(asExamples.json().detail, /a \.npy upload; examples must be a JSON Lines upload/);
      const asPredProbs = await app.inject({ method: 'POST', url: '/v1/jobs', payload: { kind: 'label-issues', labels: { upload: lbId }, pred_probs: { upload: examplesId } } });
      t.equal(asPredProbs.statusCode, 400);
      t.equal(asPredProbs.json().errors[0].path, 'pred_probs');
      t.match(asPredProbs.json().detail, /a \.jsonl upload/);
      const asLabels = await app.inject({ method: 'POST', url: '/v1/jobs', payload: { kind: 'label-issues', labels: { upload: examplesId }, pred_probs: { upload: ppId } } });
      t.equal(asLabels.json().errors[0].path, 'labels');

      // Rows ≠ N, at submit time.
      const shortId = await uploadOk(app, 'short.jsonl', Buffer.from(demoExamplesJsonl().split('\n').slice(0, 100).join('\n')));
      t.equal((await get(app, `/v1/uploads/${shortId}`)).json().shape[0], 100);
      const short = await app.inject({ method: 'POST', url: '/v1/jobs', payload: { kind: 'label-issues', ...demo, examples: { upload: shortId } } });
      t.equal(short.statusCode, 400);
      t.equal(short.json().errors[0].path, 'examples');
      t.match(short.json().detail, `has 100 rows; expected one per example (N = ${N})`);
      const otherKind = await app.inject({ method: 'POST', url: '/v1/jobs', payload: { kind: 'confident-joint', ...demo, examples: { upload: examplesId } } });
      t.equal(otherKind.statusCode, 400);
      t.equal(otherKind.json().errors[0].path, 'examples');

      // Bad files are refused at complete, naming the line.
      const badLine = await upload(app, 'bad.jsonl', Buffer.from('{"id": "a"}\n{"id": "b"}\n{"id": "c", "txt": "x"}\n'));
      t.equal(badLine.statusCode, 400);
      t.match(badLine.json().detail, /line 3 has an unknown key 'txt'/);
      const blank = await upload(app, 'blank.jsonl', Buffer.from('{"id": "a"}\n\n{"id": "c"}\n'));
      t.equal(blank.statusCode, 400);
      t.match(blank.json().detail, /line 2 is not valid JSON/);
      const latin1 = await upload(app, 'latin1.jsonl', Buffer.from('{"text": "caf\xe9"}\n', 'latin1'));
      t.equal(latin1.statusCode, 400);
      t.match(latin1.json().detail, /not UTF-8/);
      const budget = env.cfg.memoryBudgetBytes;
      env.cfg.memoryBudgetBytes = 1000;
      try {
        const tooBig = await upload(app, 'big.jsonl', jsonlBytes);
        t.equal(tooBig.statusCode, 413);
        t.match(tooBig.json().detail, /JOB_MEMORY_BUDGET_MB/);
      } finally {
        env.cfg.memoryBudgetBytes = budget;
      }

      // The upload is gone when the job runs: the job fails naming examples.
      const doomedId = await uploadOk(app, 'doomed.jsonl', jsonlBytes);
      const doomed = await app.inject({ method: 'POST', url: '/v1/jobs', payload: { kind: 'label-issues', ...demo, examples: { upload: doomedId } } });
      t.equal(doomed.statusCode, 202, doomed.body);
      t.equal((await app.inject({ method: 'DELETE', url: `/v1/uploads/${doomedId}` })).statusCode, 204);
      const { JobRunner } = await import('../../src/jobs/runner.js');
      await new JobRunner(env.store, env.cfg, { purgeEveryMs: 3_600_000 }).runOnce();
      const failed = (await get(app, `/v1/jobs/${doomed.json().id}`)).json();
      t.equal(failed.status, 'failed');
      t.equal(failed.error.errors[0].path, 'examples');
      t.match(failed.error.detail, /no longer exists/);
    });

    t.test('multipart job: examples both in options and as a part is a 400', async (t) => {
      const small = { labels: demo.labels.slice(0, 50), pred_probs: demo.pred_probs.slice(0, 50) };
      const form = multipart([
        { name: 'kind', value: 'label-issues' },
        { name: 'options', value: JSON.stringify({ examples: { ids: small.labels.map((_, i) => `r${i}`) } }) },
        { name: 'pred_probs', filename: 'p.npy', value: writeNpy(Float64Array.from(small.pred_probs.flat()), '<f8', [50, K]) },
        { name: 'labels', filename: 'l.npy', value: writeNpy(small.labels, '<i8', [50]) },
        { name: 'examples', filename: 'examples.jsonl', value: demoExamplesJsonl().split('\n').slice(0, 50).join('\n') },
      ]);
      const r = await app.inject({ method: 'POST', url: '/v1/jobs', payload: form.payload, headers: form.headers });
      t.equal(r.statusCode, 400);
      t.equal(r.json().errors[0].path, 'examples');
      t.match(r.json().detail, /sent twice/);
    });
  });
}

t.test('the synchronous label-issues route returns the content of each issue', async (t) => {
  const { body } = executeRequest('label-issues', { kind: 'json', body: { ...demo, examples: captions, limit: 3 } });
  const issues = body.label_issues as { index: number; content: { id: string; text: string } }[];
  t.equal(issues.length, 3);
  for (const it of issues) t.same(it.content, { id: captions.ids![it.index], text: captions.texts![it.index] });
  t.throws(() => executeRequest('label-issues', { kind: 'json', body: { ...demo, examples: { ids: ['x'] } } }), /examples\.ids has 1 entries/);
});
