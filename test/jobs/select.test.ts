import t from 'tap';
import { BoundedSelection } from '../../src/jobs/stream/select.js';
import { mulberry32 } from '../../seeds/synthetic.js';

t.test('the first m of a stable ascending sort, with heavy ties', async (t) => {
  const r = mulberry32(3);
  let bad = 0;
  let cases = 0;
  for (let trial = 0; trial < 200; trial++) {
    const n = 1 + Math.floor(r() * 400);
    const m = Math.floor(r() * (n + 5));
    const keys = Array.from({ length: n }, () => Math.floor(r() * 10) / 10 - 0.5); // 10 distinct values
    const sel = new BoundedSelection(m);
    const byBound = new BoundedSelection(m);
    for (let i = 0; i < n; i++) {
      if (sel.accepts(keys[i]!, i)) sel.insert(keys[i]!, i, keys[i]! * 2, i % 5, i % 7, i % 3 === 0);
      // rows in increasing index: the cheap `bound` test decides the same
      if (keys[i]! < byBound.bound) byBound.insert(keys[i]!, i, 0, 0, 0, false);
    }
    if (JSON.stringify(Array.from(byBound.indices())) !== JSON.stringify(Array.from(sel.indices()))) bad++;
    const want = keys
      .map((k, i) => [k, i] as const)
      .sort((a, b) => a[0] - b[0] || a[1] - b[1])
      .slice(0, m)
      .map((x) => x[1])
      .sort((a, b) => a - b);
    const got = Array.from(sel.indices());
    cases++;
    if (JSON.stringify(got) !== JSON.stringify(want)) bad++;
    const rows = sel.rows();
    if (rows.some((row) => row.score !== keys[row.index]! * 2 || row.given !== row.index % 5 || row.suggested !== row.index % 7 || row.nearArgmax !== (row.index % 3 === 0))) bad++;
  }
  t.equal(bad, 0, `${cases} random selections match`);
});

t.test('capacity 0 and negative keys', async (t) => {
  const s = new BoundedSelection(0);
  t.equal(s.accepts(-1, 0), false);
  const s2 = new BoundedSelection(2);
  for (const [k, i] of [[0.5, 0], [-0.5, 1], [0.5, 2], [-0.5, 3], [-0.7, 4]] as const) if (s2.accepts(k, i)) s2.insert(k, i, 0, 0, 0, false);
  t.same(Array.from(s2.indices()), [1, 4]);
});
