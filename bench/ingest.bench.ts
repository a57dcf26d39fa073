/**
 * Ingest timings for the io layer (not a test): npm run bench:ingest
 * Prints the median of 7 runs for: .npy parse + validate (1M×10 float32, int64 labels),
 * JSON decode + validate (200k×10, after JSON.parse, which is timed separately), and Arrow
 * decode + validate (1M×10 and 200k×10).
 */
import { encodeArrowClassification } from '../src/io/arrow.js';
import { ingestArrow, ingestJson, ingestNpy } from '../src/io/ingest.js';
import { writeNpy } from '../src/io/npy.js';
import { randomClassification } from '../test/io/helpers.js';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function time(label: string, fn: () => unknown, reps = 7): void {
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn();
    ts.push(performance.now() - t0);
  }
  console.log(`${label.padEnd(58)} median ${median(ts).toFixed(1).padStart(7)} ms  (min ${Math.min(...ts).toFixed(1)})`);
}

const K = 10;
{
  const n = 1_000_000;
  const { pp, labels } = randomClassification(n, K, 1);
  const f32 = Float32Array.from(pp);
  const ppNpy = writeNpy(f32, '<f4', [n, K]);
  const labNpy = writeNpy(labels, '<i8', [n]);
  const ppBe = writeNpy(f32, '>f4', [n, K]);
  const ppF16 = writeNpy(f32, '<f2', [n, K]);
  time('npy 1M×10 <f4 + <i8 labels: parse + validate', () => ingestNpy({ predProbs: ppNpy, labels: labNpy }));
  time('npy 1M×10 >f4 (big-endian, copy+swap) + validate', () => ingestNpy({ predProbs: ppBe, labels: labNpy }));
  time('npy 1M×10 <f2 (float16 → float32) + validate', () => ingestNpy({ predProbs: ppF16, labels: labNpy }));
  const arrow = encodeArrowClassification(labels, { data: f32, n, k: K });
  time('arrow 1M×10 float32 + int64 labels: decode + validate', () => ingestArrow(arrow));
}
{
  const n = 200_000;
  const { pp, labels } = randomClassification(n, K, 2);
  const rows = Array.from({ length: n }, (_, i) => Array.from(pp.subarray(i * K, (i + 1) * K)));
  const text = JSON.stringify({ labels: Array.from(labels), pred_probs: rows });
  console.log(`JSON body 200k×10: ${(text.length / 1e6).toFixed(1)} MB`);
  time('JSON.parse 200k×10 (for reference, not io)', () => JSON.parse(text), 3);
  const body = JSON.parse(text);
  time('JSON 200k×10: decode + validate (after JSON.parse)', () => ingestJson(body));
  const arrow = encodeArrowClassification(labels, { data: Float32Array.from(pp), n, k: K });
  time('arrow 200k×10 float32: decode + validate', () => ingestArrow(arrow));
}
