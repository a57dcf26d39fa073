/**
 * Regenerates the committed demo datasets of the task families (deterministic: same files
 * every run). Usage: npx tsx seeds/generate-tasks.ts
 *   seeds/token-classification/  request.json (labels, pred_probs, tokens), pred_probs.npy,
 *                                labels.npy, sentence_lengths.npy, truth.json
 *   seeds/segmentation/          request.json (labels, pred_probs), labels.npy, pred_probs.npy,
 *                                truth.json
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeNpy } from '../src/io/npy.js';
import { makeSegmentationDataset, makeTokenDataset } from './synthetic-tasks.js';

const here = dirname(fileURLToPath(import.meta.url));

export const TOKEN_DEMO = { sentences: 60, k: 5, maxLength: 20, noiseRate: 0.05, seed: 20261202, decimals: 4 } as const;
export const TOKEN_CLASS_NAMES = ['O', 'PER', 'LOC', 'ORG', 'MISC'];
export const SEG_DEMO = { n: 6, k: 4, h: 16, w: 16, errorRate: 0.5, seed: 20261202, decimals: 4 } as const;
export const SEG_CLASS_NAMES = ['background', 'road', 'car', 'person'];

function write(dir: string, files: Record<string, string | Uint8Array>): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, data] of Object.entries(files)) writeFileSync(join(dir, name), data);
}

const tc = makeTokenDataset({ ...TOKEN_DEMO, withTokens: true });
const t = tc.labels.length;
const nestedTokens = (flat: ArrayLike<number>, width: number): number[][][] | number[][] => {
  const out: unknown[] = [];
  let f = 0;
  for (const len of tc.sentenceLengths) {
    const s: unknown[] = [];
    for (let j = 0; j < len; j++, f++) {
      s.push(width === 1 ? flat[f]! : Array.from({ length: width }, (_, c) => flat[f * width + c]!));
    }
    out.push(s);
  }
  return out as number[][];
};
write(join(here, 'token-classification'), {
  'request.json':
    JSON.stringify({
      labels: nestedTokens(tc.labels, 1),
      pred_probs: nestedTokens(tc.predProbs, tc.k),
      tokens: tc.tokens,
      class_names: TOKEN_CLASS_NAMES,
    }) + '\n',
  'pred_probs.npy': writeNpy(tc.predProbs, '<f8', [t, tc.k]),
  'labels.npy': writeNpy(tc.labels, '<i8', [t]),
  'sentence_lengths.npy': writeNpy(tc.sentenceLengths, '<i8', [tc.sentenceLengths.length]),
  'truth.json':
    JSON.stringify({
      description: 'Ground truth of the token-classification demo: the tokens whose given label was flipped, as [sentence, token].',
      generator: { ...TOKEN_DEMO, script: 'seeds/generate-tasks.ts' },
      class_names: TOKEN_CLASS_NAMES,
      injected_flat_indices: Array.from(tc.injected),
    }) + '\n',
});

const sg = makeSegmentationDataset(SEG_DEMO);
const { n, k, h, w } = sg;
const nest = (flat: ArrayLike<number>, dims: number[]): unknown => {
  const rec = (o: number, d: number): unknown =>
    d === dims.length - 1
      ? Array.from({ length: dims[d]! }, (_, i) => flat[o + i]!)
      : Array.from({ length: dims[d]! }, (_, i) => rec(o + i * dims.slice(d + 1).reduce((a, b) => a * b, 1), d + 1));
  return rec(0, 0);
};
write(join(here, 'segmentation'), {
  'request.json': JSON.stringify({ labels: nest(sg.labels, [n, h, w]), pred_probs: nest(sg.predProbs, [n, k, h, w]), class_names: SEG_CLASS_NAMES }) + '\n',
  'labels.npy': writeNpy(sg.labels, '|u1', [n, h, w]),
  'pred_probs.npy': writeNpy(sg.predProbs, '<f8', [n, k, h, w]),
  'truth.json':
    JSON.stringify({
      description: 'Ground truth of the segmentation demo: images where one object was given the wrong class.',
      generator: { ...SEG_DEMO, script: 'seeds/generate-tasks.ts' },
      class_names: SEG_CLASS_NAMES,
      injected_images: Array.from(sg.injectedImages),
    }) + '\n',
});
console.log(`wrote seeds/token-classification (${tc.sentenceLengths.length} sentences, ${t} tokens, ${tc.injected.length} flipped) and seeds/segmentation (${n} images ${h}×${w}, ${sg.injectedImages.length} with an error)`);
