/**
 * `labelcheck report … --out report.html`: the same page as the job's report, from files.
 */
import t from 'tap';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main, type CliIo } from '../../src/cli.js';
import { executeRequest } from '../../src/service/index.js';
import { parseExamplesJsonl } from '../../src/service/examples.js';
import { demoExamplesJsonl, demoRequest } from '../helpers/review-app.js';

const dir = mkdtempSync(join(tmpdir(), 'lc-report-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const seeds = join(import.meta.dirname, '..', '..', 'seeds', 'demo');

function io(): { io: CliIo; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { stdout: (s) => out.push(s), stderr: (s) => err.push(s), readStdin: () => '', readFile: (p) => readFileSync(p) },
    out,
    err,
  };
}

t.test('report from .npy files with an examples file', async (t) => {
  const demo = demoRequest();
  const f = io();
  const out = join(dir, 'report.html');
  const code = await main(
    [
      'report',
      '--pred-probs', join(seeds, 'pred_probs.npy'),
      '--labels', join(seeds, 'labels.npy'),
      '--class-names', JSON.stringify(demo.class_names),
      '--examples', join(seeds, 'examples.jsonl'),
      '--title', 'Demo report',
      '--out', out,
    ],
    f.io,
  );
  t.equal(code, 0, f.err.join(''));
  const sync = executeRequest('label-issues', { kind: 'json', body: { ...demo, limit: 0 } }).body;
  const html = readFileSync(out, 'utf8');
  t.match(html, `data-testid="num-label-issues">${sync.num_label_issues}<`);
  t.match(html, '<title>Demo report</title>');
  const first = (sync.label_issues as { index: number }[])[0]!.index;
  t.match(html, `data-testid="issue" data-index="${first}"`);
  t.match(html, parseExamplesJsonl(demoExamplesJsonl()).texts![first]!, 'the content of the worst issue');
  const cj = sync.confident_joint as number[][];
  t.match(html, `data-given="0" data-true="1" data-count="${cj[0]![1]}"`);
  t.same(JSON.parse(f.out.join('')), { out, bytes: Buffer.byteLength(html), num_label_issues: sync.num_label_issues });
});

t.test('usage and input errors', async (t) => {
  const a = io();
  t.equal(await main(['report', '--input', join(seeds, 'request.json')], a.io), 2);
  t.match(a.err.join(''), '--out');
  const b = io();
  t.equal(await main(['report', '--input', join(dir, 'missing.json'), '--out', join(dir, 'x.html')], b.io), 2);
  t.match(JSON.parse(b.err.join('')).errors[0].path, 'input');
  const c = io();
  const bad = join(dir, 'bad.jsonl');
  (await import('node:fs')).writeFileSync(bad, '{"text": "only one row"}\n');
  t.equal(await main(['report', '--input', join(seeds, 'request.json'), '--examples', bad, '--out', join(dir, 'y.html')], c.io), 2);
  t.match(JSON.parse(c.err.join('')).errors[0].path, 'examples.texts');
});
