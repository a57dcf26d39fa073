/**
 * Regenerates the committed demo dataset in seeds/demo/ (deterministic: same files every
 * run). Usage: npx tsx seeds/generate.ts
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeNpy } from '../src/io/npy.js';
import { writeDemoContent } from './demo-content.js';
import { gaussian, makeSyntheticDataset, mulberry32 } from './synthetic.js';

export const DEMO_CLASS_NAMES = [
  'airplane', 'ship', 'automobile', 'truck', 'cat', 'dog', 'deer', 'horse', 'bird', 'frog',
];
export const DEMO = { n: 2000, k: 10, seed: 20261126, noiseRate: 0.06, decimals: 6 } as const;

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, 'demo');

const ds = makeSyntheticDataset({ ...DEMO, dtype: 'float64' });
mkdirSync(out, { recursive: true });
const rows: number[][] = [];
for (let i = 0; i < ds.n; i++) rows.push(Array.from(ds.predProbs.subarray(i * ds.k, (i + 1) * ds.k)));
writeFileSync(
  join(out, 'request.json'),
  JSON.stringify({ labels: Array.from(ds.labels), pred_probs: rows, class_names: DEMO_CLASS_NAMES }) + '\n',
);
writeFileSync(join(out, 'pred_probs.npy'), writeNpy(ds.predProbs, '<f8', [ds.n, ds.k]));
writeFileSync(join(out, 'labels.npy'), writeNpy(ds.labels, '<i8', [ds.n]));
writeFileSync(
  join(out, 'truth.json'),
  JSON.stringify(
    {
      description: 'Ground truth of the demo dataset: which given labels were flipped (injected errors).',
      generator: { ...DEMO, script: 'seeds/generate.ts' },
      class_names: DEMO_CLASS_NAMES,
      injected_indices: Array.from(ds.injected),
      true_labels: Array.from(ds.trueLabels),
    },
  ) + '\n',
);
writeDemoContent(out);
// Embeddings for `labelcheck cv-pred-probs` (README): D = 16, one Gaussian blob per TRUE
// class, so a model trained on them disagrees with the flipped labels.
const D = 16;
const normal = gaussian(mulberry32(DEMO.seed + 1));
const centres = Float64Array.from({ length: ds.k * D }, () => 1.5 * normal());
const features = new Float32Array(ds.n * D);
for (let i = 0; i < ds.n; i++) {
  for (let j = 0; j < D; j++) features[i * D + j] = centres[ds.trueLabels[i]! * D + j]! + normal();
}
writeFileSync(join(out, 'features.npy'), writeNpy(features, '<f4', [ds.n, D]));
console.log(`wrote ${out}: ${ds.n} examples, ${ds.k} classes, ${ds.injected.length} injected label errors`);
