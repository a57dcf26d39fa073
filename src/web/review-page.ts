/**
 * The review app's page (review.md §3): the shell, the forms (reviewer name, API key) and
 * the key help are server-rendered; the front end (src/web/client/review.ts) fills in the
 * cards from the /v1 review routes.
 */
import { esc, page } from './html.js';

const REVIEW_STYLE = `
.layout{display:grid;grid-template-columns:minmax(0,1fr) 260px;gap:20px;align-items:start}
@media (max-width:900px){.layout{grid-template-columns:1fr}}
.toolbar{display:flex;gap:16px;align-items:center;flex-wrap:wrap;margin:0 0 16px}
.progress{flex:1;min-width:200px}
.progress .track{height:10px;background:#e4e7eb;border-radius:5px;overflow:hidden}
.progress .fill{height:100%;background:#2f855a;width:0}
.progress .txt{font-size:.85rem;color:var(--muted);margin-top:4px}
[data-testid=review-card]{background:#fff;border:1px solid var(--line);border-radius:12px;padding:24px}
[data-testid=review-card] .pos{color:var(--muted);font-size:.85rem;margin:0 0 12px}
.subject{display:flex;gap:20px;align-items:flex-start;margin:0 0 18px}
.subject img{width:160px;height:160px;object-fit:contain;border:1px solid var(--line);border-radius:8px;image-rendering:pixelated;background:#fff}
.subject .text{font-size:1.35rem;line-height:1.4;max-width:640px}
.subject .id{color:var(--muted);font-size:.85rem;margin-top:6px}
.question{font-size:1.05rem;margin:0 0 4px}
.model{font-size:.9rem;color:var(--muted);margin:0 0 14px}
.model .top{color:var(--good);font-weight:600}
.choices{display:flex;gap:10px;flex-wrap:wrap;margin:0 0 14px}
.choice{border:2px solid var(--line);background:#fff;border-radius:10px;padding:10px 14px;font-size:1rem;cursor:pointer;text-align:left;color:var(--ink)}
.choice:hover,.choice:focus-visible{border-color:var(--accent);outline:none}
.choice.keep{border-color:#fda4af}
.choice.accept{border-color:#6ee7b7}
.choice.chosen{background:#eff6ff;border-color:var(--accent)}
.choice .k{margin-right:8px}
.choice .p{color:var(--muted);font-size:.85rem;margin-left:6px}
.classes{display:flex;gap:6px;flex-wrap:wrap;margin:0 0 14px}
.classes button{border:1px solid var(--line);background:#f8fafc;border-radius:8px;padding:5px 10px;cursor:pointer;font-size:.9rem;color:var(--ink)}
.classes button.chosen{background:#eff6ff;border-color:var(--accent);font-weight:600}
.classes button:focus-visible{outline:2px solid var(--accent)}
.navrow{display:flex;gap:8px;flex-wrap:wrap;border-top:1px solid var(--line);padding-top:14px}
.navrow button{border:1px solid var(--line);background:#fff;border-radius:8px;padding:6px 12px;cursor:pointer;color:var(--ink)}
.status{min-height:1.5em;font-size:.9rem;margin-top:10px}
.status.err{color:var(--bad)}
.verdict{font-size:.9rem;color:var(--good);font-weight:600}
aside.keys{background:#fff;border:1px solid var(--line);border-radius:12px;padding:16px 18px;font-size:.9rem}
aside.keys dl{display:grid;grid-template-columns:auto 1fr;gap:6px 10px;margin:0}
aside.keys dt{white-space:nowrap}
aside.keys dd{margin:0}
form.setup{background:#fff;border:1px solid var(--line);border-radius:12px;padding:24px;max-width:480px}
form.setup label{display:block;font-weight:600;margin-bottom:6px}
form.setup input{width:100%;font-size:1rem;padding:8px 10px;border:1px solid #9aa5b1;border-radius:8px;margin-bottom:12px}
.done{font-size:1.1rem}
`;

export function renderReviewPage(o: { jobId: string; controls: number; seed: number; script: string | null }): string {
  const report = `/v1/jobs/${o.jobId}/report`;
  const body = `
<div id="review-root" data-job="${esc(o.jobId)}" data-controls="${esc(o.controls)}" data-seed="${esc(o.seed)}" data-report="${esc(report)}">
<div class="toolbar">
  <div class="progress" aria-live="polite"><div class="track" role="progressbar" aria-label="Review progress" aria-valuemin="0" aria-valuemax="0" aria-valuenow="0" id="progress-bar"><div class="fill" id="progress-fill"></div></div><div class="txt" id="progress-text">Loading the queue…</div></div>
  <div id="who" class="muted"></div>
</div>
<div class="layout">
<div>
  <form class="setup" id="name-form" hidden>
    <label for="reviewer-name">Your name</label>
    <input id="reviewer-name" name="reviewer" autocomplete="name" maxlength="100" required>
    <p class="note">Asked once and kept in this browser. Several people can review the same job; each keeps their own verdicts.</p>
    <button class="btn" type="submit">Start reviewing</button>
  </form>
  <form class="setup" id="key-form" hidden>
    <label for="api-key">API key</label>
    <input id="api-key" name="key" type="password" autocomplete="off" required>
    <p class="note">This server requires an API key. It is kept in this browser tab only (sessionStorage) and sent as <code>Authorization: Bearer …</code>.</p>
    <button class="btn" type="submit">Continue</button>
  </form>
  <div id="app" aria-live="polite">${o.script ? '<p class="muted">Loading…</p>' : '<p class="status err">The front end is not built: run <code>npm run build</code>.</p>'}</div>
  <noscript><p class="status err">The review app needs JavaScript. The report works without it: <a href="${esc(report)}">open the report</a>.</p></noscript>
</div>
<aside class="keys" aria-labelledby="keys-h">
  <h2 id="keys-h">Keyboard</h2>
  <dl>
    <dt><kbd>k</kbd></dt><dd>keep the given label</dd>
    <dt><kbd>a</kbd></dt><dd>accept the suggested label</dd>
    <dt><kbd>1</kbd>–<kbd>9</kbd>, <kbd>0</kbd></dt><dd>choose class 1st–10th (class picker for more)</dd>
    <dt><kbd>x</kbd></dt><dd>no single correct label</dd>
    <dt><kbd>n</kbd> / <kbd>p</kbd></dt><dd>next / previous, no verdict</dd>
    <dt><kbd>u</kbd></dt><dd>undo the last verdict</dd>
  </dl>
  <p class="note">The queue is blind: it may include examples that were not flagged.</p>
</aside>
</div>
</div>`;
  return page({
    title: `Review label issues`,
    subtitle: `job <code>${esc(o.jobId)}</code> · <a href="${esc(report)}">report</a> · <a href="/v1/jobs/${esc(o.jobId)}/reviews">summary (JSON)</a>`,
    body,
    head: `<style>${REVIEW_STYLE}</style>${o.script ? `<script type="module" src="${esc(o.script)}"></script>` : ''}`,
  });
}
