/**
 * npm run eval:parity-real [-- --data DIR]
 * Checks labelcheck against cleanlab 2.9's outputs on the real MNIST, CIFAR-10 and IMDB
 * test-set predictions (expected.json in the data folder): issue counts for every
 * filter_by, the ranked indices, both confident joints, num_label_issues, and the same
 * ranking from the float32 copy. Prints a table; exits 1 on any mismatch.
 */
import { join } from 'node:path';
import { computeConfidentJointFull, numLabelIssues } from '../src/core/count.js';
import { findLabelIssues, findLabelIssuesRanked } from '../src/core/filter.js';
import { FILTER_BY_VALUES, type Matrix } from '../src/core/types.js';
import { dataDirFromArgs, loadLabels, loadPredProbs, readJson } from './real-data.js';

interface ExpectedDataset {
  files: Record<string, string>;
  num_classes: number;
  ranked_indices: number[];
  num_issues_by_filter_by: Record<string, number>;
  num_label_issues: Record<string, number>;
  confident_joint_uncalibrated: Matrix;
  confident_joint_calibrated: Matrix;
}

const dir = dataDirFromArgs(process.argv.slice(2));
const expected = readJson<{ datasets: Record<string, ExpectedDataset> }>(join(dir, 'expected.json'));
let failures = 0;
const rows: string[] = [];

function check(name: string, what: string, ok: boolean, detail: string): void {
  if (!ok) failures++;
  rows.push(`| ${name} | ${what} | ${ok ? 'ok' : 'MISMATCH'} | ${detail} |`);
}
const same = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  a.length === b.length && Array.from(a).every((v, i) => v === b[i]);
const sameMatrix = (a: Matrix, b: Matrix) => a.length === b.length && a.every((r, i) => same(r, b[i]!));

for (const [name, exp] of Object.entries(expected.datasets)) {
  const k = exp.num_classes;
  const labels = loadLabels(join(dir, exp.files.labels_original!), k);
  for (const [variant, file] of [
    ['float64', exp.files.pred_probs_original!],
    ['float32 copy', exp.files.pred_probs_float32!],
  ] as const) {
    const pp = loadPredProbs(join(dir, file));
    const t0 = performance.now();
    const cj = computeConfidentJointFull(labels, pp);
    const ranked = findLabelIssuesRanked(labels, pp, { filterBy: 'prune_by_noise_rate', rankBy: 'self_confidence' }, cj);
    const ms = performance.now() - t0;
    check(name, `${variant}: ranked indices`, same(ranked, exp.ranked_indices), `${ranked.length} issues (cleanlab ${exp.ranked_indices.length}), ${ms.toFixed(1)} ms`);
    if (variant === 'float32 copy') continue;
    check(name, 'confident joint (uncalibrated)', sameMatrix(cj.confidentJoint, exp.confident_joint_uncalibrated), `${k}×${k}`);
    check(name, 'confident joint (calibrated)', sameMatrix(cj.calibrated, exp.confident_joint_calibrated), `${k}×${k}`);
    for (const fb of FILTER_BY_VALUES) {
      const got = findLabelIssues(labels, pp, { filterBy: fb }, cj).indices.length;
      const want = exp.num_issues_by_filter_by[fb]!;
      check(name, `issues, filter_by=${fb}`, got === want, `${got} (cleanlab ${want})`);
    }
    for (const method of ['off_diagonal', 'off_diagonal_calibrated'] as const) {
      const got = numLabelIssues(labels, pp, { estimationMethod: method });
      const want = exp.num_label_issues[method]!;
      check(name, `num_label_issues(${method})`, got === want, `${got} (cleanlab ${want})`);
    }
  }
}

console.log(`labelcheck vs cleanlab 2.9 on real test sets (${dir})\n`);
console.log('| dataset | check | result | detail |\n|---|---|---|---|');
console.log(rows.join('\n'));
console.log(`\n${rows.length - failures} checks passed, ${failures} failed`);
process.exitCode = failures === 0 ? 0 : 1;
