/**
 * npm run bench — compute time and peak memory of the engine.
 *
 * For each shape, a fresh child process generates float32 pred_probs (seeds/synthetic.ts),
 * then times (median of 5), on already-decoded arrays:
 *   engine — the issue's goal: find_label_issues (prune_by_noise_rate) ranked by
 *            self_confidence, confident joint, joint, noise matrices + py (converged),
 *            class health and the overall score;
 *   full   — the whole /v1/label-issues body (adds suggested labels and the accuracy
 *            block, which inverts the K×K noise matrix).
 * Input validation (api.md §1, one pass) is timed separately. Peak RSS is the child's
 * maxRSS; the goal is ≤ input bytes + 100 MB. The table also shows the RSS once the input is
 * loaded (node + tsx + data) and what the computation adds on top.
 *
 *   npm run bench                 all shapes
 *   npm run bench -- 1000000x10   one shape
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { computeConfidentJointFull, estimateJoint, estimatePyAndNoiseMatricesFromProbabilities } from '../src/core/count.js';
import { overallLabelHealthScore, rankClassesByLabelQuality } from '../src/core/dataset.js';
import { findLabelIssuesWithRanking } from '../src/core/filter.js';
import { validatePredProbs, toLabels } from '../src/io/validate.js';
import { labelIssuesOptionsSchema } from '../src/schemas/label-issues.js';
import { labelIssues } from '../src/service/label-issues.js';
import { makeSyntheticDataset } from '../seeds/synthetic.js';

const SHAPES: Array<[number, number]> = [
  [1_000_000, 10],
  [200_000, 100],
  [50_000, 1000],
];
const REPEATS = 5;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function child(n: number, k: number): void {
  const ds = makeSyntheticDataset({ n, k, noiseRate: 0.05, seed: 7, dtype: 'float32' });
  const input = { labels: ds.labels, predProbs: { data: ds.predProbs, n, k } };
  const options = labelIssuesOptionsSchema.parse({});
  const rssBefore = process.memoryUsage().rss;
  const compute: number[] = [];
  const engine: number[] = [];
  const validate: number[] = [];
  let issues = 0;
  for (let r = 0; r < REPEATS; r++) {
    let t = performance.now();
    validatePredProbs(input.predProbs);
    toLabels(ds.labels, k, 'labels', n);
    validate.push(performance.now() - t);
    // The issue's scope: find_label_issues ranked + matrices + class health.
    t = performance.now();
    const cj = computeConfidentJointFull(ds.labels, input.predProbs);
    findLabelIssuesWithRanking(ds.labels, input.predProbs, { rankBy: 'self_confidence' }, cj);
    const joint = estimateJoint(ds.labels, input.predProbs, { precomputed: cj });
    estimatePyAndNoiseMatricesFromProbabilities(ds.labels, input.predProbs, { precomputed: cj });
    rankClassesByLabelQuality(ds.labels, input.predProbs, { joint });
    overallLabelHealthScore(ds.labels, input.predProbs, { precomputed: cj });
    engine.push(performance.now() - t);
    // The whole /v1/label-issues body (adds the suggested labels and the accuracy block,
    // whose noise-aware estimate inverts the K×K noise matrix).
    t = performance.now();
    const body = labelIssues(input, options);
    compute.push(performance.now() - t);
    issues = body.num_label_issues as number;
  }
  const inputBytes = ds.predProbs.byteLength + ds.labels.byteLength;
  const peak = process.resourceUsage().maxRSS * 1024;
  console.log(
    JSON.stringify({ n, k, engineMs: median(engine), computeMs: median(compute), validateMs: median(validate), issues, inputBytes, rssBefore, peakRss: peak }),
  );
}

function parent(): void {
  const only = process.argv.slice(2).find((a) => /^\d+x\d+$/.test(a));
  const shapes = only ? [only.split('x').map(Number) as [number, number]] : SHAPES;
  const self = fileURLToPath(import.meta.url);
  console.log(`labelcheck engine benchmark — node ${process.version}, median of ${REPEATS}, float32 input\n`);
  console.log('| N × K | engine (ms) | full /v1/label-issues body (ms) | validate (ms) | issues | input (MB) | RSS with input loaded (MB) | peak RSS (MB) | added by compute (MB) |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const [n, k] of shapes) {
    const out = execFileSync(process.execPath, ['--import', 'tsx', self, '--child', String(n), String(k)], {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    });
    const r = JSON.parse(out.trim().split('\n').pop()!);
    const mb = (b: number) => (b / 1e6).toFixed(0);
    console.log(
      `| ${n.toLocaleString('en-US')} × ${k} | ${r.engineMs.toFixed(0)} | ${r.computeMs.toFixed(0)} | ${r.validateMs.toFixed(0)} | ${r.issues} | ${mb(r.inputBytes)} | ${mb(r.rssBefore)} | ${mb(r.peakRss)} | ${mb(r.peakRss - r.rssBefore)} |`,
    );
  }
}

const ci = process.argv.indexOf('--child');
if (ci >= 0) child(Number(process.argv[ci + 1]), Number(process.argv[ci + 2]));
else parent();
