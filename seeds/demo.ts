/**
 * npm run demo — runs labelcheck on the committed demo dataset (seeds/demo/, 2,000
 * examples, 10 named classes, label errors injected at known indices) and prints the top
 * issues and how many of the injected errors were found.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { executeRequest } from '../src/service/index.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'demo');
const request = JSON.parse(readFileSync(join(dir, 'request.json'), 'utf8')) as Record<string, unknown>;
const truth = JSON.parse(readFileSync(join(dir, 'truth.json'), 'utf8')) as {
  injected_indices: number[];
  true_labels: number[];
  class_names: string[];
};

const t0 = performance.now();
const { body } = executeRequest('label-issues', { kind: 'json', body: { ...request, limit: 0 } });
const ms = performance.now() - t0;
const issues = body.label_issues as Array<{
  index: number;
  given_label_name: string;
  suggested_label_name: string;
  label_quality: number;
}>;
const injected = new Set(truth.injected_indices);

console.log(`labelcheck demo: ${body.num_examples} examples, ${body.num_classes} classes, ${injected.size} injected label errors`);
console.log(`flagged ${body.num_label_issues} suspected label errors in ${ms.toFixed(0)} ms\n`);
console.log('rank  index  given       suggested   quality  injected?');
for (const [r, it] of issues.slice(0, 15).entries()) {
  console.log(
    `${String(r + 1).padStart(4)}  ${String(it.index).padStart(5)}  ${it.given_label_name.padEnd(10)}  ${it.suggested_label_name.padEnd(10)}  ${it.label_quality.toFixed(4)}   ${injected.has(it.index) ? 'yes' : 'no'}`,
  );
}
const found = issues.filter((it) => injected.has(it.index)).length;
const top = (k: number) => issues.slice(0, k).filter((it) => injected.has(it.index)).length;
console.log(`\nfound ${found} of ${injected.size} injected errors (recall ${(found / injected.size).toFixed(3)});`);
console.log(`precision of the flagged set ${(found / issues.length).toFixed(3)}; of the top 50: ${(top(50) / 50).toFixed(2)}; of the top 100: ${(top(100) / 100).toFixed(2)}`);
const acc = body.accuracy as Record<string, number | null>;
let trueAcc = 0;
const data = request.pred_probs as number[][];
for (let i = 0; i < data.length; i++) {
  const row = data[i]!;
  const pred = row.indexOf(Math.max(...row));
  if (pred === truth.true_labels[i]) trueAcc++;
}
console.log(
  `\nmodel accuracy: on given labels ${acc.given_labels!.toFixed(4)}, noise-aware estimate ${acc.estimated_true?.toFixed(4)} ± ${acc.estimated_true_se?.toFixed(4)}, against the true labels (known here) ${(trueAcc / data.length).toFixed(4)}`,
);
