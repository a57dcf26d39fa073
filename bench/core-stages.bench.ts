/**
 * Per-stage CPU time of the pure engine (src/core) on synthetic float32 data, for tuning.
 * (npm run bench measures the whole /v1/label-issues computation; this one splits the core.)
 *
 *   npx tsx bench/core-stages.bench.ts [N K ...]      default: 1000000 10 200000 100 50000 1000
 *
 * Stages, all sharing one computeConfidentJointFull (`precomputed`):
 *   cj      thresholds + confident joint + off-diagonal rows + calibration (one pass over N×K)
 *   find    find_label_issues(prune_by_noise_rate) ranked by self_confidence
 *   joint   estimate_joint; latent: py + noise matrices (converge_latent_estimates=True)
 *   classes rank_classes_by_label_quality; overall: overall_label_health_score
 * Reports min and median CPU ms (process.cpuUsage, user+system) over 9 repetitions.
 */
import {
  computeConfidentJointFull,
  estimateJointFlat,
  estimatePyAndNoiseMatricesFlat,
  findLabelIssuesRanked,
  overallLabelHealthScore,
  probMatrix,
  rankClassesByLabelQuality,
} from '../src/core/index.js';
import { mulberry32 } from '../seeds/synthetic.js';

/** softmax rows, true class boosted, 20% of labels resampled uniformly */
function generate(n: number, k: number, seed = 1) {
  const r = mulberry32(seed);
  const data = new Float32Array(n * k);
  const labels = new Int32Array(n);
  const row = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const y = Math.floor(r() * k);
    labels[i] = r() < 0.8 ? y : Math.floor(r() * k);
    let s = 0;
    for (let j = 0; j < k; j++) {
      const v = Math.exp((j === y ? 2.5 : 0) + 3 * (r() - 0.5));
      row[j] = v;
      s += v;
    }
    for (let j = 0; j < k; j++) data[i * k + j] = row[j]! / s;
  }
  return { labels, pp: probMatrix(data, n, k) };
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

const args = process.argv.slice(2).map(Number);
const shapes: Array<[number, number]> = [];
for (let i = 0; i + 1 < args.length; i += 2) shapes.push([args[i]!, args[i + 1]!]);
if (shapes.length === 0) shapes.push([1_000_000, 10], [200_000, 100], [50_000, 1000]);

console.log(`core stages — node ${process.version}, float32 input, CPU ms min / median of 9\n`);
console.log('| N × K | cj | find (ranked) | joint | latent | classes | overall | total | issues |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const [n, k] of shapes) {
  const { labels, pp } = generate(n, k);
  const stages: Record<string, number[]> = {};
  let issues = 0;
  for (let rep = 0; rep < 9; rep++) {
    const times: Record<string, number> = {};
    let t = cpuMs();
    const lap = (name: string): void => {
      const now = cpuMs();
      times[name] = now - t;
      t = now;
    };
    const pre = computeConfidentJointFull(labels, pp);
    lap('cj');
    issues = findLabelIssuesRanked(labels, pp, { rankBy: 'self_confidence' }, pre).length;
    lap('find');
    const joint = estimateJointFlat(labels, pp, { precomputed: pre });
    lap('joint');
    estimatePyAndNoiseMatricesFlat(labels, pp, { precomputed: pre });
    lap('latent');
    rankClassesByLabelQuality(labels, pp, { jointFlat: joint });
    lap('classes');
    overallLabelHealthScore(labels, pp, { precomputed: pre });
    lap('overall');
    times.total = Object.values(times).reduce((a, b) => a + b, 0);
    for (const [name, v] of Object.entries(times)) (stages[name] ??= []).push(v);
  }
  const fmt = (name: string): string => {
    const v = [...stages[name]!].sort((a, b) => a - b);
    return `${v[0]!.toFixed(0)} / ${v[Math.floor(v.length / 2)]!.toFixed(0)}`;
  };
  console.log(
    `| ${n.toLocaleString('en-US')} × ${k} | ${fmt('cj')} | ${fmt('find')} | ${fmt('joint')} | ${fmt('latent')} | ${fmt('classes')} | ${fmt('overall')} | ${fmt('total')} | ${issues} |`,
  );
}
