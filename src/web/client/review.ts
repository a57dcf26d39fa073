/**
 * The review app's front end (review.md §3), bundled by `npm run build` (esbuild) into
 * dist/web/review.js. One card at a time, keyboard first:
 *   k keep the given label · a accept the suggestion · 1–9, 0 the 1st–10th class · x no single
 *   correct label · n / p next / previous · u undo.
 * Verdicts go to PUT/DELETE /v1/jobs/{id}/reviews/{index}; a reload restores them from
 * GET /v1/jobs/{id}/verdicts?reviewer=. The API key (when the server needs one) is typed
 * once and kept in sessionStorage.
 */

interface Content {
  id?: string;
  text?: string;
  url?: string;
  path?: string;
}
interface Item {
  index: number;
  given_label: number;
  suggested_label: number;
  top_classes: { class: number; prob: number }[];
  content: Content;
}
interface QueuePage {
  total: number;
  class_names: string[];
  items: Item[];
  next_cursor: string | null;
}
type Label = number | null;

const root = document.getElementById('review-root')!;
const app = document.getElementById('app')!;
const jobId = root.dataset.job!;
const controls = root.dataset.controls ?? '0';
const seed = root.dataset.seed ?? '0';
const NAME_KEY = 'labelcheck.reviewer';
const API_KEY = 'labelcheck.apiKey';

let reviewer = localStorage.getItem(NAME_KEY) ?? '';
let items: Item[] = [];
let names: string[] = [];
let pos = 0;
/** This reviewer's verdicts by index. */
const verdicts = new Map<number, Label>();
/** Undo stack: the index and its verdict before the change (undefined = none). */
const undo: { index: number; before: Label | undefined }[] = [];
let busy = false;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  for (const c of children) e.append(c);
  return e;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function api(method: string, path: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = {};
  const key = sessionStorage.getItem(API_KEY);
  if (key) headers.authorization = `Bearer ${key}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const r = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (!r.ok) {
    let detail = `${r.status} ${r.statusText}`;
    try {
      detail = ((await r.json()) as { detail?: string }).detail ?? detail;
    } catch {
      /* not JSON */
    }
    throw new HttpError(r.status, detail);
  }
  return r;
}

function showForm(id: 'name-form' | 'key-form'): Promise<string> {
  const form = document.getElementById(id) as HTMLFormElement;
  const input = form.querySelector('input')!;
  form.hidden = false;
  app.hidden = true;
  input.focus();
  return new Promise((resolve) => {
    form.addEventListener('submit', function onSubmit(ev) {
      ev.preventDefault();
      const v = input.value.trim();
      if (!v) return;
      form.removeEventListener('submit', onSubmit);
      form.hidden = true;
      app.hidden = false;
      resolve(v);
    });
  });
}

async function load(): Promise<void> {
  for (;;) {
    try {
      items = [];
      let cursor: string | null = '0';
      while (cursor !== null) {
        const page = (await (await api('GET', `/v1/jobs/${jobId}/review-queue?controls=${controls}&seed=${seed}&limit=1000&cursor=${cursor}`)).json()) as QueuePage;
        names = page.class_names;
        items.push(...page.items);
        cursor = page.next_cursor;
      }
      const v = (await (await api('GET', `/v1/jobs/${jobId}/verdicts?reviewer=${encodeURIComponent(reviewer)}`)).json()) as {
        verdicts: { index: number; label: Label }[];
      };
      verdicts.clear();
      for (const x of v.verdicts) verdicts.set(x.index, x.label);
      return;
    } catch (e) {
      if (e instanceof HttpError && e.status === 401) {
        sessionStorage.setItem(API_KEY, await showForm('key-form'));
        continue;
      }
      throw e;
    }
  }
}

const nameOf = (c: number): string => names[c] ?? String(c);
const keyOfClass = (c: number): string | null => (c < 9 ? String(c + 1) : c === 9 ? '0' : null);

function progress(): void {
  const done = items.filter((it) => verdicts.has(it.index)).length;
  const bar = document.getElementById('progress-bar')!;
  bar.setAttribute('aria-valuemax', String(items.length));
  bar.setAttribute('aria-valuenow', String(done));
  (document.getElementById('progress-fill') as HTMLElement).style.width = `${items.length ? (100 * done) / items.length : 0}%`;
  document.getElementById('progress-text')!.textContent = `${done} of ${items.length} reviewed`;
  document.getElementById('who')!.textContent = `Reviewing as ${reviewer}`;
}

function describe(label: Label | undefined): string {
  if (label === undefined) return '';
  return label === null ? 'Your verdict: no single correct label' : `Your verdict: ${nameOf(label)}`;
}

function render(status = '', error = false): void {
  progress();
  app.replaceChildren();
  if (items.length === 0) {
    app.append(el('p', { class: 'done' }, 'Nothing to review: this job flagged no examples.'));
    return;
  }
  if (pos >= items.length) {
    const report = el('a', { href: root.dataset.report!, id: 'report-link' }, 'Open the report');
    app.append(
      el(
        'div',
        { 'data-testid': 'review-card', 'data-index': '-1', class: 'done' },
        el('h2', {}, 'All done — thank you!'),
        el('p', {}, `You reviewed ${[...verdicts.keys()].length} examples. `, report, ' to see the summary with every reviewer.'),
        el('p', { class: 'note' }, 'Press p to go back to the last card.'),
      ),
    );
    return;
  }
  const it = items[pos]!;
  const mine = verdicts.get(it.index);
  const subject = el('div', { class: 'subject' });
  const c = it.content;
  if (c.url) subject.append(el('img', { src: c.url, alt: c.text ? c.text.slice(0, 80) : `example ${c.id ?? it.index}` }));
  const words = el('div');
  if (c.text) words.append(el('div', { class: 'text' }, c.text.length > 600 ? c.text.slice(0, 599) + '…' : c.text));
  if (c.path) words.append(el('div', { class: 'id' }, c.path));
  words.append(el('div', { class: 'id' }, `row ${it.index}${c.id ? ` · id ${c.id}` : ''}`));
  subject.append(words);

  const probOf = (cls: number) => it.top_classes.find((t) => t.class === cls)?.prob;
  const choice = (cls: string, key: string, text: string, label: Label, prob?: number) => {
    const b = el('button', { type: 'button', class: `choice ${cls}${mine !== undefined && mine === label ? ' chosen' : ''}` }, el('kbd', { class: 'k' }, key), text);
    if (prob !== undefined) b.append(el('span', { class: 'p' }, `${(prob * 100).toFixed(0)}%`));
    b.addEventListener('click', () => void decide(label));
    return b;
  };
  const choices = el(
    'div',
    { class: 'choices' },
    choice('keep', 'k', `Keep “${nameOf(it.given_label)}”`, it.given_label, probOf(it.given_label)),
    ...(it.suggested_label !== it.given_label ? [choice('accept', 'a', `Accept “${nameOf(it.suggested_label)}”`, it.suggested_label, probOf(it.suggested_label))] : []),
    choice('none', 'x', 'No single correct label', null),
  );
  const classes = el('div', { class: 'classes', role: 'group', 'aria-label': 'Choose another class' });
  names.forEach((n, cls) => {
    const k = keyOfClass(cls);
    const b = el('button', { type: 'button', class: mine === cls ? 'chosen' : '' }, ...(k ? [el('kbd', {}, k), ' '] : []), n);
    b.addEventListener('click', () => void decide(cls));
    classes.append(b);
  });
  const nav = el('div', { class: 'navrow' });
  for (const [label, key, fn] of [
    ['Previous', 'p', () => move(-1)],
    ['Next', 'n', () => move(1)],
    ['Undo', 'u', () => void undoLast()],
  ] as const) {
    const b = el('button', { type: 'button' }, el('kbd', {}, key), ` ${label}`);
    b.addEventListener('click', fn);
    nav.append(b);
  }
  app.append(
    el(
      'div',
      { 'data-testid': 'review-card', 'data-index': String(it.index) },
      el('p', { class: 'pos' }, `Card ${pos + 1} of ${items.length}`),
      subject,
      el('p', { class: 'question' }, 'Labelled ', el('span', { class: 'tag given' }, nameOf(it.given_label)), '. What is the correct label?'),
      el(
        'p',
        { class: 'model' },
        'Model: ',
        ...it.top_classes.flatMap((tc, i) => [...(i > 0 ? [' · '] : []), el('span', { class: i === 0 ? 'top' : '' }, `${nameOf(tc.class)} ${(tc.prob * 100).toFixed(0)}%`)]),
      ),
      choices,
      classes,
      el('p', { class: 'verdict', 'data-testid': 'my-verdict' }, describe(mine)),
      nav,
      el('p', { class: `status${error ? ' err' : ''}`, role: 'status' }, status),
    ),
  );
}

function move(d: number): void {
  pos = Math.max(0, Math.min(items.length, pos + d));
  render();
}

async function store(index: number, label: Label | undefined): Promise<void> {
  if (label === undefined) {
    await api('DELETE', `/v1/jobs/${jobId}/reviews/${index}?reviewer=${encodeURIComponent(reviewer)}`);
    verdicts.delete(index);
  } else {
    await api('PUT', `/v1/jobs/${jobId}/reviews/${index}`, { reviewer, label });
    verdicts.set(index, label);
  }
}

async function decide(label: Label): Promise<void> {
  if (busy || pos >= items.length) return;
  busy = true;
  const it = items[pos]!;
  try {
    const before = verdicts.get(it.index);
    await store(it.index, label);
    undo.push({ index: it.index, before });
    pos++;
    render();
  } catch (e) {
    render(`Not saved: ${(e as Error).message}`, true);
  } finally {
    busy = false;
  }
}

async function undoLast(): Promise<void> {
  const last = undo.pop();
  if (!last || busy) return;
  busy = true;
  try {
    await store(last.index, last.before);
    pos = Math.max(0, items.findIndex((it) => it.index === last.index));
    render('Undone.');
  } catch (e) {
    undo.push(last);
    render(`Undo failed: ${(e as Error).message}`, true);
  } finally {
    busy = false;
  }
}

function onKey(ev: KeyboardEvent): void {
  if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
  const t = ev.target as HTMLElement | null;
  if (t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA')) return;
  const it = items[pos];
  const k = ev.key.toLowerCase();
  let handled = true;
  if (k === 'n') move(1);
  else if (k === 'p') move(-1);
  else if (k === 'u') void undoLast();
  else if (!it) handled = false;
  else if (k === 'k') void decide(it.given_label);
  else if (k === 'a') void decide(it.suggested_label);
  else if (k === 'x') void decide(null);
  else if (/^[0-9]$/.test(k)) {
    const cls = k === '0' ? 9 : Number(k) - 1;
    if (cls < names.length) void decide(cls);
  } else handled = false;
  if (handled) ev.preventDefault();
}

/** With an API key, links to /v1 pages are fetched with the key and shown from a blob URL. */
function keyedLinks(): void {
  document.addEventListener('click', (ev) => {
    const a = (ev.target as HTMLElement).closest('a');
    const key = sessionStorage.getItem(API_KEY);
    if (!a || !key || !a.getAttribute('href')?.startsWith('/v1/')) return;
    ev.preventDefault();
    void api('GET', a.getAttribute('href')!)
      .then((r) => r.blob())
      .then((b) => window.open(URL.createObjectURL(b), '_blank'));
  });
}

async function main(): Promise<void> {
  keyedLinks();
  if (!reviewer) {
    reviewer = await showForm('name-form');
    localStorage.setItem(NAME_KEY, reviewer);
  }
  try {
    await load();
  } catch (e) {
    app.replaceChildren(el('p', { class: 'status err' }, `Cannot load the review queue: ${(e as Error).message}`));
    return;
  }
  const first = items.findIndex((it) => !verdicts.has(it.index));
  pos = first === -1 ? items.length : first;
  document.addEventListener('keydown', onKey);
  render();
}

void main();
