/**
 * Shared pieces of the server-rendered pages: escaping, number formatting, the page shell
 * and the one style sheet (inline: the report is a single self-contained file).
 */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escape text for HTML content and attribute values. */
export function esc(v: unknown): string {
  return String(v).replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** A fixed-point number, or an em dash for null/undefined/NaN. */
export function fmt(v: unknown, digits = 3): string {
  return typeof v === 'number' && Number.isFinite(v) ? v.toFixed(digits) : '—';
}

export function pct(v: unknown, digits = 1): string {
  return typeof v === 'number' && Number.isFinite(v) ? `${(v * 100).toFixed(digits)}%` : '—';
}

export function int(v: number): string {
  return Math.round(v).toLocaleString('en-US');
}

/** Truncate long text for display (storage keeps it whole). */
export function truncate(s: string, max: number): string {
  return s.length <= max ? s : s.slice(0, max - 1).trimEnd() + '…';
}

export const STYLE = `
:root{--ink:#1f2933;--muted:#52606d;--line:#d9e2ec;--bg:#f5f7fa;--card:#fff;--accent:#1d4ed8;
--bad:#9f1239;--bad-bg:#ffe4e6;--good:#065f46;--good-bg:#d1fae5;--warn:#854d0e;--warn-bg:#fef3c7}
*{box-sizing:border-box}
html{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--ink);background:var(--bg);line-height:1.5}
body{margin:0}
a{color:var(--accent)}
header.top{background:#102a43;color:#f0f4f8;padding:20px 0 18px}
header.top a{color:#bcccdc}
.wrap{max-width:1120px;margin:0 auto;padding:0 24px}
h1{font-size:1.55rem;margin:0 0 4px;font-weight:650;letter-spacing:-.01em}
h2{font-size:1.15rem;margin:0 0 12px;font-weight:650}
h3{font-size:1rem;margin:0 0 8px}
.sub{color:#bcccdc;font-size:.9rem;margin:0}
main.wrap{padding-top:24px;padding-bottom:48px}
section.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:20px 22px;margin:0 0 20px}
.lead{color:var(--muted);margin:-6px 0 14px;font-size:.92rem}
.stats{display:grid;grid-template-columns:repeat(auto-fit,minmax(160px,1fr));gap:12px;margin:0 0 20px}
.stat{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:14px 16px}
.stat .v{font-size:1.6rem;font-weight:700;font-variant-numeric:tabular-nums;line-height:1.2}
.stat .l{color:var(--muted);font-size:.85rem}
.grid2{display:grid;grid-template-columns:1fr 1fr;gap:20px}
@media (max-width:860px){.grid2{grid-template-columns:1fr}}
table{border-collapse:collapse;width:100%;font-size:.9rem;font-variant-numeric:tabular-nums}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{font-weight:600;color:var(--muted);font-size:.8rem;text-transform:uppercase;letter-spacing:.03em}
th[scope=row]{text-transform:none;letter-spacing:0;font-size:.92rem;color:var(--ink);font-weight:500}
td.num,th.num{text-align:right}
table.narrow{max-width:760px}
.tag{display:inline-block;padding:1px 8px;border-radius:999px;font-size:.85rem;font-weight:600;white-space:nowrap}
.tag.given{background:var(--bad-bg);color:var(--bad)}
.tag.sugg{background:var(--good-bg);color:var(--good)}
.barbg{position:relative;display:inline-block;width:80px;height:8px;border-radius:4px;background:#e4e7eb;vertical-align:middle;margin-right:6px;overflow:hidden}
.bar{position:absolute;left:0;top:0;height:8px;border-radius:4px;background:#486581}
.probs{list-style:none;margin:0;padding:0;font-size:.85rem}
.probs li{display:flex;align-items:center;gap:6px;white-space:nowrap}
.probs .name{min-width:84px}
.content img{max-width:96px;max-height:96px;border-radius:6px;border:1px solid var(--line);image-rendering:pixelated;background:#fff}
.content .text{max-width:420px}
.content .id{color:var(--muted);font-size:.8rem}
.muted{color:var(--muted)}
.note{font-size:.85rem;color:var(--muted)}
.legend{display:flex;gap:14px;flex-wrap:wrap;font-size:.85rem;color:var(--muted);margin-top:8px}
.sw{display:inline-block;width:12px;height:12px;border-radius:3px;vertical-align:-1px;margin-right:4px}
.btn{display:inline-block;background:var(--accent);color:#fff;text-decoration:none;border-radius:8px;padding:8px 14px;font-weight:600;border:0;cursor:pointer;font-size:.95rem}
.btn.secondary{background:#e4e7eb;color:var(--ink)}
.kbd,kbd{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.8rem;background:#f0f4f8;border:1px solid #bcccdc;border-bottom-width:2px;border-radius:4px;padding:0 5px;color:var(--ink)}
svg text{font-family:inherit}
.heat-wrap{overflow-x:auto}
.heat-row{display:grid;grid-template-columns:auto minmax(260px,1fr);gap:28px;align-items:start}
@media (max-width:980px){.heat-row{grid-template-columns:1fr}}
@media print{header.top{background:none;color:var(--ink)}header.top a,.sub{color:var(--muted)}section.card{break-inside:avoid;border-color:#bbb}.noprint{display:none}html{background:#fff}}
`;

/** The page shell: header with title and subtitle, then the body HTML. */
export function page(o: { title: string; subtitle: string; body: string; head?: string; nav?: string }): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${esc(o.title)}</title>
<style>${STYLE}</style>
${o.head ?? ''}
</head>
<body>
<header class="top"><div class="wrap"><h1>${esc(o.title)}</h1><p class="sub">${o.subtitle}</p>${o.nav ?? ''}</div></header>
<main class="wrap">
${o.body}
</main>
</body>
</html>
`;
}
