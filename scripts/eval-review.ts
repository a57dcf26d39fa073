/**
 * npm run eval:review [-- --data DIR]
 *
 * Replays the protocol of "Pervasive Label Errors in Test Sets" end to end through the
 * HTTP API (review.md), on the MNIST, CIFAR-10 and IMDB data of
 * ../shared/fixtures/label-errors:
 *
 *   1. flag: POST /v1/jobs (label-issues, the arrays as .npy parts), run it;
 *   2. review: every example the paper sent to MTurk gets its five (MNIST: sometimes ten)
 *      verdicts rebuilt from the vote counts — each `given` vote → the given label, each
 *      `guessed` vote → the guessed label, every other vote → null (no single label) —
 *      stored with PUT /v1/jobs/{id}/reviews/{index} by reviewers w1, w2, …;
 *   3. aggregate: GET /v1/jobs/{id}/reviews (strict majority, Wilson intervals);
 *   4. re-score: POST /v1/jobs/{id}/corrected-accuracy (the `verified` estimator).
 *
 * Prints the summary next to the paper's own counts (corrected-accuracy.md §1.3: an example
 * is a validated error when fewer than 3 of 5 workers chose the given label; correctable
 * when 3 or more chose the guessed label; the rest were dropped).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../src/api/app.js';
import { testConfig } from '../src/config.js';
import { writeNpy } from '../src/io/npy.js';
import { resolveJobsConfig } from '../src/jobs/config.js';
import { createJobsPlugin } from '../src/jobs/plugin.js';
import type { ReviewSummary as Summary } from '../src/service/review.js';
import { multipart } from '../test/helpers/multipart.js';
import { dataDirFromArgs, fileIfExists, loadLabels, loadPredProbs, readMturk } from './real-data.js';

/** The paper's counts (corrected-accuracy.md §1.3, recomputed from the MTurk files). */
const PAPER: Record<string, { label: string; checked: number; errors: number; correctable: number; dropped: number }> = {
  mnist_test_set: { label: 'MNIST', checked: 100, errors: 15, correctable: 10, dropped: 5 },
  cifar10_test_set: { label: 'CIFAR-10', checked: 275, errors: 54, correctable: 18, dropped: 36 },
  imdb_test_set: { label: 'IMDB', checked: 1310, errors: 725, correctable: 173, dropped: 552 },
};

const dir = dataDirFromArgs(process.argv.slice(2));
if (!existsSync(dir)) {
  console.error(`eval:review: no data at ${dir} (the ../shared/fixtures/label-errors folder, or pass --data DIR); nothing to evaluate`);
  process.exit(1);
}

const dataDir = mkdtempSync(join(tmpdir(), 'lc-eval-review-'));
const cfg = resolveJobsConfig({ dataDir, databaseUrl: null });
const app = buildApp(testConfig({ workers: 1, maxEventLoopDelayMs: 0 }), {
  startPool: false,
  logger: false,
  v1Plugins: [createJobsPlugin({ config: cfg, runner: 'inline' })],
});
await app.ready();

async function call<T>(method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown, headers?: Record<string, string>): Promise<T> {
  const r = await app.inject({ method, url, payload: payload as string, headers });
  if (r.statusCode >= 300) throw new Error(`${method} ${url}: ${r.statusCode} ${r.body}`);
  return r.json() as T;
}

const pct = (i: Summary['precision']) => (i ? `${(i.value * 100).toFixed(1)}% [${(i.low * 100).toFixed(1)}, ${(i.high * 100).toFixed(1)}]` : '—');
const acc = (v: number | null | undefined) => (typeof v === 'number' ? `${(v * 100).toFixed(2)}%` : '—');

const rows: string[] = [];
const details: string[] = [];
try {
  for (const [name, paper] of Object.entries(PAPER)) {
    const ppFile = fileIfExists(dir, `${name}_pyx.npy`);
    const lbFile = fileIfExists(dir, `${name}_original_labels.npy`);
    const stem = name.replace(/_test_set$/, '');
    const mturkFile = fileIfExists(dir, `${stem}_mturk.json`);
    if (!ppFile || !lbFile || !mturkFile) {
      console.error(`eval:review: skipping ${paper.label}: ${name}_pyx.npy, ${name}_original_labels.npy or ${stem}_mturk.json missing in ${dir}`);
      continue;
    }
    const t0 = performance.now();
    const pp = loadPredProbs(ppFile);
    const labels = loadLabels(lbFile, pp.k);

    // 1. flag
    const form = multipart([
      { name: 'kind', data: 'label-issues', contentType: 'text/plain' },
      { name: 'pred_probs', filename: 'pred_probs.npy', data: writeNpy(pp.data, '<f8', [pp.n, pp.k]) },
      { name: 'labels', filename: 'labels.npy', data: writeNpy(labels, '<i4', [labels.length]) },
    ]);
    const job = await call<{ id: string }>('POST', '/v1/jobs', form.payload, form.headers);
    let status = 'queued';
    while (status === 'queued' || status === 'running') {
      await new Promise((r) => setTimeout(r, 100));
      status = (await call<{ status: string }>('GET', `/v1/jobs/${job.id}`)).status;
    }
    if (status !== 'succeeded') throw new Error(`job ${job.id} ${status}`);
    const result = await call<{ num_label_issues: number }>('GET', `/v1/jobs/${job.id}/result`);

    // 2. review: verdicts rebuilt from the vote counts
    const index = readMturk(mturkFile, fileIfExists(dir, `${name}_index_to_filename.json`), labels);
    let verdicts = 0;
    let checked = 0;
    for (const [e, i] of index.entries.map((e, i) => [e, i] as const)) {
      const row = index.rows[i];
      if (row === undefined) continue;
      checked++;
      const given = labels[row]!;
      const guessed = index.classOf(e.our_guessed_label) ?? null;
      const labelsOfVotes: (number | null)[] = [];
      for (const [option, count] of Object.entries(e.mturk)) {
        const label = option === 'given' ? given : option === 'guessed' ? guessed : null;
        for (let c = 0; c < count; c++) labelsOfVotes.push(label);
      }
      for (const [w, label] of labelsOfVotes.entries()) {
        await call('PUT', `/v1/jobs/${job.id}/reviews/${row}`, { reviewer: `w${w + 1}`, label });
        verdicts++;
      }
    }

    // 3. aggregate, 4. re-score
    const s = await call<Summary>('GET', `/v1/jobs/${job.id}/reviews`);
    const ca = await call<{ models: { given_labels: number; verified?: number | null }[] }>('POST', `/v1/jobs/${job.id}/corrected-accuracy`, {});
    const ref = ca.models[0]!;
    const errors = s.relabelled + s.dropped;
    rows.push(
      `| ${paper.label} | ${paper.checked} / ${s.reviewed} | ${paper.errors} / **${errors}** | ${paper.correctable} / ${s.relabelled} | ${paper.dropped} / ${s.dropped} | ` +
        `${result.num_label_issues} | ${s.flagged_reviewed} | ${pct(s.precision)} | ${s.controls_reviewed} | ${pct(s.control_error_rate)} | ` +
        `${s.estimated_label_errors ? `${s.estimated_label_errors.value.toFixed(0)} [${s.estimated_label_errors.low.toFixed(0)}, ${s.estimated_label_errors.high.toFixed(0)}]` : '—'} | ` +
        `${acc(ref.given_labels)} → ${acc(ref.verified)} |`,
    );
    details.push(
      `${paper.label}: N = ${labels.length}, ${checked} checked rows, ${verdicts} verdicts stored, ${s.verified_corrections.length} verified corrections; ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
  }
} finally {
  await app.close();
  rmSync(dataDir, { recursive: true, force: true });
}

console.log(
  '| dataset | checked: paper / ours | errors: paper / ours | correctable / relabelled | dropped: paper / ours | flagged by labelcheck | ' +
    'flagged & checked | precision of the flagged [95% CI] | checked, not flagged | their error rate [95% CI] | estimated errors in the test set [95% CI] | ' +
    'accuracy of the paper\'s model: given → verified |',
);
console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
for (const r of rows) console.log(r);
console.log('');
for (const d of details) console.log(d);
