/**
 * Per-example content on the synchronous route (review.md §1): the multipart JSON Lines part
 * `examples` (file or text part) gives each label issue its `content`, exactly as inline
 * `examples` do; bad lines, wrong lengths, a part sent twice or both ways, bad UTF-8 and
 * oversize parts are 4xx naming `examples`.
 */
import t from 'tap';
import { expectProblem, jsonBody, multipart, npyParts, startApp, syntheticDataset, type FormPart } from './helpers.js';

const d = syntheticDataset(300, 4, 2);
const N = d.n;

/** Row i's content as sent: every row has an id, every third a text (non-ASCII), every fifth an image URL or a relative path. */
function row(i: number): { id: string; text?: string; url?: string } {
  const r: { id: string; text?: string; url?: string } = { id: `img-${i}` };
  if (i % 3 === 0) r.text = `caption ${i}: «café» ✓`;
  if (i % 5 === 0) r.url = i % 10 === 0 ? `https://example.org/${i}.jpg` : `cats/${i}.png`;
  return r;
}
const rows = Array.from({ length: N }, (_, i) => row(i));
const jsonl = (rs: object[]): string => rs.map((r) => JSON.stringify(r)).join('\n') + '\n';

/** What `content` must be for row i: empty fields left out, a relative path shown as text (no MEDIA_ROOT). */
function expected(i: number): Record<string, string> {
  const r = rows[i]!;
  const c: Record<string, string> = { id: r.id };
  if (r.text) c.text = r.text;
  if (r.url) c[r.url.startsWith('https://') ? 'url' : 'path'] = r.url;
  return c;
}

function form(extra: FormPart[], options: Record<string, unknown> = { limit: 0 }): { payload: Buffer; headers: Record<string, string> } {
  const p = npyParts(d);
  return multipart([
    { name: 'pred_probs', filename: 'pred_probs.npy', data: p.pred_probs },
    { name: 'labels', filename: 'labels.npy', data: p.labels },
    { name: 'options', data: JSON.stringify(options) },
    ...extra,
  ]);
}

t.test('POST /v1/label-issues with a multipart examples part', async (t) => {
  const app = await startApp(t);
  const post = (body: { payload: Buffer; headers: Record<string, string> }, url = '/v1/label-issues') => app.inject({ method: 'POST', url, ...body });

  t.test('as a file part: every issue carries the content of its row', async (t) => {
    const r = await post(form([{ name: 'examples', filename: 'examples.jsonl', data: jsonl(rows) }]));
    t.equal(r.statusCode, 200, r.body);
    const issues = r.json().label_issues as { index: number; content: Record<string, string> }[];
    t.ok(issues.length >= 5, `some issues (${issues.length})`);
    for (const it of issues) t.same(it.content, expected(it.index), `row ${it.index}`);
    const inline = await app.inject({
      method: 'POST',
      url: '/v1/label-issues',
      payload: jsonBody(d, { limit: 0, examples: { ids: rows.map((x) => x.id), texts: rows.map((x) => x.text ?? ''), urls: rows.map((x) => x.url ?? '') } }),
    });
    t.equal(inline.statusCode, 200);
    t.equal(r.body, inline.body, 'the same body as examples inline in JSON');
  });

  t.test('as a text part, with CRLF line ends and a trailing blank line', async (t) => {
    const text = rows.map((x) => JSON.stringify(x)).join('\r\n') + '\r\n\r\n';
    const r = await post(form([{ name: 'examples', contentType: 'text/plain', data: text }]));
    t.equal(r.statusCode, 200, r.body);
    for (const it of r.json().label_issues as { index: number; content: Record<string, string> }[]) t.same(it.content, expected(it.index));
  });

  t.test('a bad line: 400 naming examples and the line', async (t) => {
    const lines = jsonl(rows).split('\n');
    lines[41] = '{"id": "x", "text": oops}';
    const p = expectProblem(t, await post(form([{ name: 'examples', filename: 'e.jsonl', data: lines.join('\n') }])), 400, 'examples', 'bad JSON');
    t.match(p.detail, /line 42 is not valid JSON/);
    const unknownKey = jsonl(rows.map((x, i) => (i === 7 ? { ...x, caption: 'no' } : x)));
    const q = expectProblem(t, await post(form([{ name: 'examples', filename: 'e.jsonl', data: unknownKey }])), 400, 'examples', 'unknown key');
    t.match(q.detail, /line 8 has an unknown key 'caption'/);
    const blankInside = jsonl(rows.slice(0, 10)) + '\n' + jsonl(rows.slice(10));
    const b = expectProblem(t, await post(form([{ name: 'examples', filename: 'e.jsonl', data: blankInside }])), 400, 'examples', 'blank line between rows');
    t.match(b.detail, /line 11/);
  });

  t.test('wrong number of rows: 400 naming the field and N', async (t) => {
    const p = expectProblem(t, await post(form([{ name: 'examples', filename: 'e.jsonl', data: jsonl(rows.slice(0, N - 1)) }])), 400, 'examples.ids');
    t.match(p.detail, `299 entries`);
    t.match(p.detail, `N = ${N}`);
  });

  t.test('sent twice, or both in options and as a part: 400 naming examples', async (t) => {
    const part = { name: 'examples', filename: 'e.jsonl', data: jsonl(rows) };
    const twice = expectProblem(t, await post(form([part, part])), 400, 'examples', 'two parts');
    t.match(twice.detail, /sent twice/);
    const both = expectProblem(t, await post(form([part], { limit: 0, examples: { ids: rows.map((x) => x.id) } })), 400, 'examples', 'options and part');
    t.match(both.detail, /in the 'options' part and as the JSON Lines part/);
  });

  t.test('not UTF-8: 400 naming examples', async (t) => {
    const bytes = Buffer.concat([Buffer.from(jsonl(rows.slice(0, 3))), Buffer.from([0x7b, 0x22, 0x69, 0x64, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d, 0x0a])]);
    const p = expectProblem(t, await post(form([{ name: 'examples', filename: 'e.jsonl', data: bytes }])), 400, 'examples');
    t.match(p.detail, /UTF-8/);
  });

  t.test('an endpoint that reads no example content refuses the part', async (t) => {
    const p = expectProblem(t, await post(form([{ name: 'examples', filename: 'e.jsonl', data: jsonl(rows) }], {}), '/v1/confident-joint'), 400, 'examples');
    t.match(p.detail, /Unexpected multipart file part 'examples'/);
  });
});

t.test('the examples part is bounded by the part limits (413 naming examples)', async (t) => {
  const app = await startApp(t, { bodyLimitBytes: 64 * 1024 });
  const big = jsonl(Array.from({ length: N }, (_, i) => ({ id: `img-${i}`, text: 'x'.repeat(400) })));
  t.ok(big.length > 64 * 1024);
  const asFile = await app.inject({ method: 'POST', url: '/v1/label-issues', ...form([{ name: 'examples', filename: 'e.jsonl', data: big }]) });
  const p = expectProblem(t, asFile, 413, 'examples', 'file part over BODY_LIMIT_MB');
  t.match(p.detail, /'examples' exceeds/);
  const asText = await app.inject({ method: 'POST', url: '/v1/label-issues', ...form([{ name: 'examples', contentType: 'text/plain', data: big }]) });
  expectProblem(t, asText, 413, 'examples', 'text part over the field limit');
});
