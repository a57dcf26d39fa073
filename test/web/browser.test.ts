/**
 * The pages in a real browser: Debian's chromium (/usr/bin/chromium, `.ci/run` installs it)
 * driven by playwright-core, headless, no background networking, a fresh profile.
 * - the report of the demo job: heatmap cells = the job's confident_joint, no request
 *   outside the server, readable with JavaScript off;
 * - a reviewer clears 20 cards with the keyboard (with skip, back and undo), reloads, and
 *   the verdicts are still there; a second reviewer joins; the /reviews summary, the
 *   corrections export and corrected accuracy equal what was clicked;
 * - axe-core finds no serious or critical violation on either page.
 * Screenshots: test-results/screenshots/ (CI keeps the folder).
 */
import t from 'tap';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { loadBundle } from '../../src/web/plugin.js';
import { openStoreEnv } from '../jobs/helpers.js';
import { demoRequest, reviewApp, runDemoJob } from '../helpers/review-app.js';

t.setTimeout(600_000);

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = join(import.meta.dirname, '..', '..', 'test-results', 'screenshots');
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does this)`);
if (!loadBundle()) throw new Error('dist/web/review.js is missing: run npm run build (npm test does)');
mkdirSync(SHOTS, { recursive: true });

const demo = demoRequest();
const K = demo.class_names.length;
const argmax = demo.pred_probs.map((row) => row.indexOf(Math.max(...row)));

const env = await openStoreEnv('sqlite');
const app = reviewApp(env);
await app.listen({ host: '127.0.0.1', port: 0 });
const addr = app.server.address();
const origin = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
const jobId = await runDemoJob(app, env);
const profile = mkdtempSync(join(tmpdir(), 'lc-chromium-'));

async function context(opts: { javaScriptEnabled?: boolean } = {}): Promise<BrowserContext> {
  return chromium.launchPersistentContext(mkdtempSync(join(profile, 'p-')), {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    viewport: { width: 1280, height: 900 },
    ...opts,
  });
}

const ctx = await context();
t.teardown(async () => {
  await ctx.close();
  await app.close();
  await env.cleanup();
  rmSync(profile, { recursive: true, force: true });
});

/** Every URL the page requests (to check that none leaves the server). */
function recordRequests(page: Page): string[] {
  const urls: string[] = [];
  page.on('request', (r) => urls.push(r.url()));
  return urls;
}

async function axeSeriousViolations(page: Page): Promise<{ id: string; impact: string; nodes: number }[]> {
  await page.addScriptTag({ content: AXE });
  return page.evaluate(async () => {
    const w = globalThis as unknown as { axe: { run(): Promise<{ violations: { id: string; impact: string; nodes: unknown[] }[] }> } };
    const r = await w.axe.run();
    return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length }));
  });
}

const api = async (path: string, init?: RequestInit) => {
  const r = await fetch(origin + path, init);
  if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
  return r;
};

t.test('the report of the demo job', async (t) => {
  const result = (await (await api(`/v1/jobs/${jobId}/result`)).json()) as { confident_joint: number[][]; num_label_issues: number };
  const page = await ctx.newPage();
  const urls = recordRequests(page);
  await page.goto(`${origin}/v1/jobs/${jobId}/report`);
  t.equal(await page.getByTestId('num-label-issues').textContent(), String(result.num_label_issues));
  const cells = await page
    .getByTestId('joint-heatmap')
    .locator('[data-given]')
    .evaluateAll((els) => els.map((e) => [e.getAttribute('data-given'), e.getAttribute('data-true'), e.getAttribute('data-count')].map(Number)));
  t.equal(cells.length, K * K);
  t.ok(
    cells.every(([g, j, c]) => result.confident_joint[g!]![j!] === c),
    'every heatmap cell equals the confident joint',
  );
  t.equal(await page.getByTestId('issue').count(), 50);
  await page.screenshot({ path: join(SHOTS, 'report.png'), fullPage: true });
  t.same(
    urls.filter((u) => !u.startsWith(origin + '/')),
    [],
    'no request leaves the server',
  );
  t.same(await axeSeriousViolations(page), [], 'axe: no serious or critical violation');
  await page.close();
});

t.test('the report works with JavaScript off', async (t) => {
  const noJs = await context({ javaScriptEnabled: false });
  t.teardown(() => noJs.close());
  const page = await noJs.newPage();
  await page.goto(`${origin}/v1/jobs/${jobId}/report`);
  t.equal(await page.getByTestId('joint-heatmap').locator('[data-given]').count(), K * K);
  t.ok(await page.getByTestId('joint-heatmap').isVisible());
});

interface QueueItem {
  index: number;
  given_label: number;
  suggested_label: number;
}

t.test('a reviewer clears 20 cards with the keyboard; verdicts survive a reload', async (t) => {
  const queuePath = `/v1/jobs/${jobId}/review-queue?controls=0.05&seed=1&limit=1000`;
  const queue = ((await (await api(queuePath)).json()) as { items: QueueItem[] }).items;
  const page = await ctx.newPage();
  const urls = recordRequests(page);
  await page.goto(`${origin}/review/${jobId}?controls=0.05&seed=1`);
  await page.getByLabel('Your name').fill('ana');
  await page.keyboard.press('Enter');
  const card = page.getByTestId('review-card');
  await card.waitFor();
  t.equal(Number(await card.getAttribute('data-index')), queue[0]!.index, 'the first card is the first of the queue');
  t.same(await axeSeriousViolations(page), [], 'axe: no serious or critical violation on the review card');
  let shot = false;

  /** Press a key on the current card and wait until the card shows `next`. */
  const press = async (key: string, next: number) => {
    await page.keyboard.press(key);
    await page.locator(`[data-testid="review-card"][data-index="${next}"]`).waitFor();
  };
  const clicked = new Map<number, number | null>();
  const keys = ['a', 'k', 'x', '3', 'a', '0', 'k', 'a', '1', 'x'];
  for (let c = 0; c < 20; c++) {
    const it = queue[c]!;
    const next = queue[c + 1]!.index;
    if (c === 4) {
      await press('n', next); // skip without a verdict …
      await press('p', it.index); // … and come back
    }
    if (c === 9) {
      await press('a', next);
      await press('u', it.index); // undo returns to the card and removes the verdict
    }
    if (!shot && it.suggested_label !== it.given_label) {
      await page.screenshot({ path: join(SHOTS, 'review.png') }); // a flagged card, before the verdict
      shot = true;
    }
    const key = keys[c % keys.length]!;
    await press(key, next);
    const label =
      key === 'a' ? it.suggested_label : key === 'k' ? it.given_label : key === 'x' ? null : key === '0' ? 9 : Number(key) - 1;
    clicked.set(it.index, label);
  }
  t.match(await page.locator('#progress-text').textContent(), /^20 of \d+ reviewed$/);

  await page.reload();
  await page.locator(`[data-testid="review-card"][data-index="${queue[20]!.index}"]`).waitFor();
  t.pass('after a reload the app resumes at the first card without a verdict');
  t.match(await page.locator('#progress-text').textContent(), /^20 of \d+ reviewed$/);
  const stored = ((await (await api(`/v1/jobs/${jobId}/verdicts?reviewer=ana`)).json()) as { verdicts: { index: number; label: number | null }[] }).verdicts;
  t.same(new Map(stored.map((v) => [v.index, v.label])), clicked, 'stored verdicts = what was clicked');
  t.same(
    urls.filter((u) => !u.startsWith(origin + '/')),
    [],
    'no request leaves the server',
  );
  await page.close();

  // A second reviewer (own browser profile) accepts the suggestion on the first 3 cards.
  const bo = await context();
  const page2 = await bo.newPage();
  await page2.goto(`${origin}/review/${jobId}?controls=0.05&seed=1`);
  await page2.getByLabel('Your name').fill('bo');
  await page2.keyboard.press('Enter');
  for (let c = 0; c < 3; c++) {
    await page2.locator(`[data-testid="review-card"][data-index="${queue[c]!.index}"]`).waitFor();
    await page2.keyboard.press('a');
  }
  await page2.locator(`[data-testid="review-card"][data-index="${queue[3]!.index}"]`).waitFor();
  await bo.close();

  // What the clicks imply, by the rule: strictly more than half of the verdicts wins.
  const votes = new Map<number, (number | null)[]>();
  for (const [i, l] of clicked) votes.set(i, [l]);
  for (let c = 0; c < 3; c++) votes.get(queue[c]!.index)!.push(queue[c]!.suggested_label);
  const flagged = new Set(
    ((await (await api(`/v1/jobs/${jobId}/label-issues?limit=100000`)).json()) as { label_issues: { index: number }[] }).label_issues.map((i) => i.index),
  );
  const corrections: { index: number; label: number | null }[] = [];
  let confirmed = 0;
  let flaggedErrors = 0;
  let controls = 0;
  for (const [i, ls] of [...votes].sort((a, b) => a[0] - b[0])) {
    const winner = ls.find((l) => 2 * ls.filter((m) => m === l).length > ls.length);
    if (!flagged.has(i)) controls++;
    if (winner === demo.labels[i]) {
      confirmed++;
      continue;
    }
    if (flagged.has(i)) flaggedErrors++;
    corrections.push({ index: i, label: winner ?? null });
  }
  const s = (await (await api(`/v1/jobs/${jobId}/reviews`)).json()) as Record<string, unknown>;
  t.equal(s.reviewed, 20);
  t.equal(s.confirmed, confirmed);
  t.equal(s.flagged_errors, flaggedErrors);
  t.equal(s.controls_reviewed, controls);
  t.same(s.verified_corrections, corrections, '/reviews = what was clicked');
  t.same(
    (s.per_reviewer as { reviewer: string; verdicts: number }[]).map((p) => [p.reviewer, p.verdicts]),
    [
      ['ana', 20],
      ['bo', 3],
    ],
  );

  const cleaned = (await (await api(`/v1/jobs/${jobId}/corrections?format=json`)).json()) as { labels: { index: number; label: number | null; status: string }[] };
  const byIndex = new Map(corrections.map((c) => [c.index, c.label]));
  t.ok(
    cleaned.labels.every((r) =>
      byIndex.has(r.index)
        ? r.label === byIndex.get(r.index) && r.status === (r.label === null ? 'dropped' : 'relabelled')
        : r.label === demo.labels[r.index] && r.status === 'unchanged',
    ),
    'the corrections export = the given labels with what was clicked applied',
  );

  const ca = (await (await api(`/v1/jobs/${jobId}/corrected-accuracy`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).json()) as {
    num_verified_corrections: number;
    num_dropped: number;
    models: { verified: number }[];
  };
  t.equal(ca.num_verified_corrections, corrections.length);
  t.equal(ca.num_dropped, corrections.filter((c) => c.label === null).length);
  let right = 0;
  let kept = 0;
  for (let i = 0; i < demo.labels.length; i++) {
    const l = byIndex.has(i) ? byIndex.get(i)! : demo.labels[i]!;
    if (l === null) continue;
    kept++;
    if (argmax[i] === l) right++;
  }
  t.equal(ca.models[0]!.verified, right / kept, 'corrected accuracy changes as the verdicts imply');
});

t.test('the report shows the review summary', async (t) => {
  const s = (await (await api(`/v1/jobs/${jobId}/reviews`)).json()) as { reviewed: number; relabelled: number };
  const page = await ctx.newPage();
  await page.goto(`${origin}/v1/jobs/${jobId}/report`);
  const stats = page.locator('section[aria-labelledby="rev-h"] .stat .v');
  t.equal(Number(await stats.nth(0).textContent()), s.reviewed);
  t.equal(Number(await stats.nth(2).textContent()), s.relabelled);
  await page.screenshot({ path: join(SHOTS, 'report-top.png'), fullPage: true, clip: { x: 0, y: 0, width: 1280, height: 1800 } });
  await page.close();
});

t.test('the review page shows the report link and the key help', async (t) => {
  const page = await ctx.newPage();
  await page.goto(`${origin}/review/${jobId}`);
  await page.getByTestId('review-card').waitFor();
  t.ok(await page.getByRole('link', { name: 'report' }).isVisible());
  t.ok(await page.getByRole('heading', { name: 'Keyboard' }).isVisible());
  await page.close();
});
