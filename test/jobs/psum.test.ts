import t from 'tap';
import { pairwiseSum } from '../../src/core/numeric.js';
import { StreamingPairwiseSum } from '../../src/jobs/stream/psum.js';
import { mulberry32 } from '../../seeds/synthetic.js';

function streamed(x: Float64Array): number {
  const s = new StreamingPairwiseSum(x.length);
  for (let i = 0; i < x.length; i++) s.push(x[i]!);
  return s.result();
}

t.test('bit-identical to the in-memory pairwise sum', async (t) => {
  const r = mulberry32(7);
  const lengths = [0, 1, 2, 7, 8, 9, 15, 16, 17, 127, 128, 129, 130, 136, 255, 256, 257, 1000, 1024, 4097];
  for (let i = 0; i < 300; i++) lengths.push(1 + Math.floor(r() * 5000));
  lengths.push(100_003, 1_000_000);
  let mismatches = 0;
  let sensitive = 0;
  for (const n of lengths) {
    const x = new Float64Array(n);
    // values with very different magnitudes make the summation order visible
    for (let i = 0; i < n; i++) x[i] = r() < 0.1 ? r() * 1e8 : r();
    const want = pairwiseSum(x);
    const got = streamed(x);
    if (!Object.is(got, want)) mismatches++;
    // how often would a plain left-to-right sum differ? (shows the test can fail)
    let seq = 0;
    for (let i = 0; i < n; i++) seq += x[i]!;
    if (seq !== want) sensitive++;
  }
  t.equal(mismatches, 0, `all ${lengths.length} sums identical`);
  t.ok(sensitive > lengths.length / 2, `summation order matters on this data (${sensitive} sequential sums differ)`);
});

t.test('length bookkeeping', async (t) => {
  const s = new StreamingPairwiseSum(3);
  s.push(1);
  t.throws(() => s.result(), /got 1 of 3/);
  s.push(2);
  s.push(3);
  t.equal(s.result(), 6);
  t.throws(() => s.push(4), /more than 3/);
  t.equal(new StreamingPairwiseSum(0).result(), 0);
  t.throws(() => new StreamingPairwiseSum(-1));
});
