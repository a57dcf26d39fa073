/**
 * POST /v1/multiannotator/consensus over HTTP with `return_detailed_quality`: the
 * per-annotation quality table equals cleanlab 2.9's `detailed_label_quality` for every
 * fixture in test/fixtures/multiannotator/ (floats within 1e-9, the missing cells exactly
 * where cleanlab has NaN), through JSON and multipart `.npy`; it is absent by default and
 * a non-boolean option is a 400 naming it.
 */
import t from 'tap';
import { writeNpy } from '../../src/io/npy.js';
import { fixtureFiles, loadFixture } from '../helpers/fixtures.js';
import { MULTIANNOTATOR_LABELS, MULTIANNOTATOR_PRED_PROBS } from '../helpers/examples.js';
import { expectProblem, multipart, startApp } from './helpers.js';

const URL = '/v1/multiannotator/consensus';
const TOL = 1e-9;
type Table = (number | null)[][];

/** cleanlab's records (`{quality_annotator_<a>: v | null}` per example) → N×M, columns in annotator order. */
function cleanlabTable(records: Record<string, number | null>[], m: number): Table {
  const names = Array.from({ length: m }, (_, a) => `quality_annotator_${a}`);
  return records.map((r) => {
    if (JSON.stringify(Object.keys(r)) !== JSON.stringify(names)) throw new Error(`unexpected fixture columns ${Object.keys(r).join(',')}`);
    return names.map((c) => r[c]!);
  });
}

function diffTables(got: unknown, want: Table): string[] {
  if (!Array.isArray(got)) return [`not an array: ${JSON.stringify(got)?.slice(0, 80)}`];
  const out: string[] = [];
  if (got.length !== want.length) out.push(`${got.length} rows, want ${want.length}`);
  want.forEach((row, i) => {
    const g = got[i];
    if (!Array.isArray(g) || g.length !== row.length) {
      out.push(`row ${i}: ${JSON.stringify(g)}`);
      return;
    }
    row.forEach((w, a) => {
      const v = g[a];
      if (w === null ? v !== null : typeof v !== 'number' || !(Math.abs(v - w) <= TOL)) out.push(`[${i}][${a}] = ${v}, want ${w}`);
    });
  });
  return out;
}

for (const file of fixtureFiles('multiannotator')) {
  t.test(`${file}: detailed_label_quality = cleanlab's, JSON and multipart`, async (t) => {
    const fx = loadFixture('multiannotator', file);
    const entry = fx.expected.get_label_quality_multiannotator;
    t.same(entry.kwargs, { verbose: false }, "the fixture is cleanlab's default call");
    const labels = fx.labels_multiannotator as (number | null)[][];
    const n = labels.length;
    const m = labels[0]!.length;
    const k = fx.pred_probs[0].length as number;
    const want = cleanlabTable(entry.result.detailed_label_quality, m);
    t.ok(
      want.some((r) => r.includes(null)),
      'the fixture has missing annotations',
    );
    const app = await startApp(t);

    const res = await app.inject({ method: 'POST', url: URL, payload: { labels_multiannotator: labels, pred_probs: fx.pred_probs, return_detailed_quality: true } });
    t.equal(res.statusCode, 200, res.statusCode === 200 ? 'JSON 200' : res.body.slice(0, 300));
    const body = res.json();
    t.same(diffTables(body.detailed_label_quality, want), [], 'JSON: every cell within 1e-9, null exactly where cleanlab has NaN');
    labels.forEach((row, i) =>
      row.forEach((v, a) => {
        if ((v === null) !== (body.detailed_label_quality[i][a] === null)) t.fail(`[${i}][${a}]: null iff not labelled`);
      }),
    );
    t.same(Object.keys(body), ['examples', 'annotators', 'detailed_label_quality'], 'field order');
    // The rest of the response does not change with the option.
    const plain = await app.inject({ method: 'POST', url: URL, payload: { labels_multiannotator: labels, pred_probs: fx.pred_probs } });
    t.equal(plain.statusCode, 200);
    const plainBody = plain.json();
    t.notOk('detailed_label_quality' in plainBody, 'absent by default');
    t.same(plainBody, { examples: body.examples, annotators: body.annotators }, 'other fields unchanged');

    const form = await app.inject({
      method: 'POST',
      url: URL,
      ...multipart([
        { name: 'labels_multiannotator', filename: 'l.npy', data: writeNpy(labels.flat().map((v) => (v === null ? -1 : v)), '<i8', [n, m]) },
        { name: 'pred_probs', filename: 'p.npy', data: writeNpy((fx.pred_probs as number[][]).flat(), '<f8', [n, k]) },
        { name: 'options', data: '{"return_detailed_quality": true}' },
      ]),
    });
    t.equal(form.statusCode, 200, form.statusCode === 200 ? 'multipart 200' : form.body.slice(0, 300));
    t.equal(form.body, res.body, 'multipart body = JSON body');
  });
}

t.test('every method returns the table; missing cells are null', async (t) => {
  const app = await startApp(t);
  const L = MULTIANNOTATOR_LABELS;
  for (const [name, extra] of [
    ['crowdlab', { pred_probs: MULTIANNOTATOR_PRED_PROBS }],
    ['majority_vote with pred_probs', { pred_probs: MULTIANNOTATOR_PRED_PROBS, method: 'majority_vote' }],
    ['majority_vote without pred_probs', {}],
    ['dawid_skene', { method: 'dawid_skene' }],
  ] as const) {
    const res = await app.inject({ method: 'POST', url: URL, payload: { labels_multiannotator: L, return_detailed_quality: true, ...extra } });
    t.equal(res.statusCode, 200, `${name}: 200 ${res.statusCode === 200 ? '' : res.body.slice(0, 300)}`);
    const table = res.json().detailed_label_quality as Table;
    t.equal(table.length, L.length, `${name}: one row per example`);
    const ok = L.every((row, i) =>
      row.every((v, a) => {
        const q = table[i]![a];
        return v === null ? q === null : typeof q === 'number' && q >= 0 && q <= 1;
      }),
    );
    t.ok(ok, `${name}: a score in [0, 1] per annotation, null where missing`);
  }
  // dawid_skene: the posterior probability of the annotator's label, so annotators who agree score the same.
  const ds = await app.inject({ method: 'POST', url: URL, payload: { labels_multiannotator: L, method: 'dawid_skene', return_detailed_quality: true } });
  const table = ds.json().detailed_label_quality as Table;
  t.equal(L[0]![0], L[0]![1], 'example 0: annotators 0 and 1 agree');
  t.equal(table[0]![0], table[0]![1], 'dawid_skene: same label, same score');
});

t.test('a non-boolean return_detailed_quality is a 400 naming it', async (t) => {
  const app = await startApp(t);
  for (const bad of ['yes', 1, null, [true]]) {
    const res = await app.inject({
      method: 'POST',
      url: URL,
      payload: { labels_multiannotator: MULTIANNOTATOR_LABELS, pred_probs: MULTIANNOTATOR_PRED_PROBS, return_detailed_quality: bad },
    });
    expectProblem(t, res, 400, 'return_detailed_quality', JSON.stringify(bad));
  }
  const form = await app.inject({
    method: 'POST',
    url: URL,
    ...multipart([
      { name: 'labels_multiannotator', filename: 'l.npy', data: writeNpy([0, 0, 1, 1], '<i8', [2, 2]) },
      { name: 'options', data: '{"return_detailed_quality": "true"}' },
    ]),
  });
  expectProblem(t, form, 400, 'return_detailed_quality', 'multipart');
});
