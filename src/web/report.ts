/**
 * The HTML report (review.md §2): one self-contained page, inline CSS and SVG drawn here,
 * no script, no request to any host but the user's own example URLs; printable.
 * Test hooks: data-testid="num-label-issues", "joint-heatmap" (cells with data-given,
 * data-true, data-count), "issue" (data-index).
 */
import type { ReportData, ReviewSummary } from '../service/review.js';
import { esc, fmt, int, page, pct, truncate } from './html.js';

/** Sequential blue scale (ColorBrewer Blues), light → dark; readable for colour-blind readers. */
const BLUES = ['#f7fbff', '#deebf7', '#c6dbef', '#9ecae1', '#6baed6', '#4292c6', '#2171b5', '#08519c', '#08306b'];
/** Diagonal (given = suggested): neutral greys, so the off-diagonal errors stand out. */
const GREYS = ['#f5f7fa', '#e4e7eb', '#cbd2d9', '#9aa5b1'];

function shade(scale: readonly string[], t: number): string {
  if (!(t > 0)) return scale[0]!;
  return scale[Math.min(scale.length - 1, 1 + Math.floor(t * (scale.length - 1)))]!;
}

/** Dark text on light cells, white on dark ones (contrast ≥ 4.5:1 on every scale step). */
function inkOn(fill: string): string {
  return ['#4292c6', '#2171b5', '#08519c', '#08306b'].includes(fill) ? '#ffffff' : '#102a43';
}

export function heatmapSvg(cj: readonly (readonly number[])[], names: readonly string[]): string {
  const k = cj.length;
  const cell = k <= 12 ? 46 : k <= 25 ? 26 : Math.max(8, Math.floor(700 / k));
  const showNumbers = k <= 25;
  const label = Math.min(130, 12 + Math.max(...names.map((n) => n.length)) * 7);
  const left = label + 8;
  const top = label + 8;
  const size = cell * k;
  let maxOff = 0;
  let maxDiag = 0;
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      const v = cj[i]![j]!;
      if (i === j) maxDiag = Math.max(maxDiag, v);
      else maxOff = Math.max(maxOff, v);
    }
  }
  const parts: string[] = [];
  const fontSize = cell >= 40 ? 12 : 10;
  for (let j = 0; j < k; j++) {
    const x = left + j * cell + cell / 2;
    parts.push(
      `<text x="${x}" y="${top - 6}" transform="rotate(-45 ${x} ${top - 6})" font-size="12" fill="#334e68">${esc(truncate(names[j]!, 18))}</text>`,
    );
  }
  for (let i = 0; i < k; i++) {
    const y = top + i * cell + cell / 2;
    parts.push(`<text x="${left - 6}" y="${y + 4}" text-anchor="end" font-size="12" fill="#334e68">${esc(truncate(names[i]!, 18))}</text>`);
    for (let j = 0; j < k; j++) {
      const v = cj[i]![j]!;
      // Off-diagonal counts on a square-root scale: small confusions stay visible.
      const fill = i === j ? shade(GREYS, maxDiag > 0 ? v / maxDiag : 0) : shade(BLUES, maxOff > 0 ? Math.sqrt(v / maxOff) : 0);
      const x = left + j * cell;
      const yy = top + i * cell;
      const title = `given ${names[i]} · suggested ${names[j]}: ${v}`;
      parts.push(
        `<g class="cell" data-given="${i}" data-true="${j}" data-count="${v}"><title>${esc(title)}</title>` +
          `<rect x="${x}" y="${yy}" width="${cell - 1}" height="${cell - 1}" rx="3" fill="${fill}"/>` +
          (showNumbers && v > 0
            ? `<text x="${x + (cell - 1) / 2}" y="${yy + (cell - 1) / 2 + fontSize / 3}" text-anchor="middle" font-size="${fontSize}" font-weight="${i === j ? 400 : 600}" fill="${inkOn(fill)}">${v}</text>`
            : '') +
          `</g>`,
      );
    }
  }
  parts.push(
    `<text x="${left + size / 2}" y="${top + size + 26}" text-anchor="middle" font-size="12" font-weight="600" fill="#334e68">suggested (likely true) label →</text>`,
    `<text x="14" y="${top + size / 2}" transform="rotate(-90 14 ${top + size / 2})" text-anchor="middle" font-size="12" font-weight="600" fill="#334e68">given label →</text>`,
  );
  const w = left + size + 10;
  const h = top + size + 36;
  return `<svg data-testid="joint-heatmap" role="img" aria-labelledby="hm-title" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" xmlns="http://www.w3.org/2000/svg"><title id="hm-title">Confident joint: examples by given label (rows) and suggested label (columns)</title>${parts.join('')}</svg>`;
}

export function histogramSvg(scores: ArrayLike<number>, flagged: Uint8Array, bins = 20): string {
  const ok = new Array<number>(bins).fill(0);
  const bad = new Array<number>(bins).fill(0);
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i]!;
    if (!Number.isFinite(s)) continue;
    const b = Math.min(bins - 1, Math.max(0, Math.floor(s * bins)));
    if (flagged[i]) bad[b]!++;
    else ok[b]!++;
  }
  const max = Math.max(1, ...ok.map((v, b) => v + bad[b]!));
  // Square-root heights: the few flagged rows at low scores stay visible next to the many good ones.
  const H = 170;
  const W = 470;
  const left = 46;
  const right = 20;
  const bw = (W - left - right) / bins;
  const y = (v: number) => H - (Math.sqrt(v) / Math.sqrt(max)) * (H - 16);
  const parts: string[] = [];
  for (const t of [0, 0.25, 0.5, 0.75, 1]) {
    const v = Math.round(t * t * max);
    parts.push(`<line x1="${left}" x2="${W - right}" y1="${y(v)}" y2="${y(v)}" stroke="#e4e7eb"/>`);
    parts.push(`<text x="${left - 6}" y="${y(v) + 4}" text-anchor="end" font-size="11" fill="#52606d">${int(v)}</text>`);
  }
  for (let b = 0; b < bins; b++) {
    const x = left + b * bw + 1;
    const total = ok[b]! + bad[b]!;
    const lo = `${(b / bins).toFixed(2)}–${((b + 1) / bins).toFixed(2)}`;
    parts.push(`<g><title>score ${lo}: ${total} examples, ${bad[b]} flagged</title>`);
    if (total > 0) parts.push(`<rect x="${x}" y="${y(total)}" width="${bw - 2}" height="${H - y(total)}" fill="#9fb3c8"/>`);
    if (bad[b]! > 0) {
      // flagged part drawn at the bottom of the bar, its height proportional within the bar
      const hb = ((H - y(total)) * bad[b]!) / total;
      parts.push(`<rect x="${x}" y="${H - hb}" width="${bw - 2}" height="${hb}" fill="#be123c"/>`);
    }
    parts.push('</g>');
  }
  for (const t of [0, 0.25, 0.5, 0.75, 1]) {
    parts.push(`<text x="${left + t * (W - left - right)}" y="${H + 16}" text-anchor="middle" font-size="11" fill="#52606d">${t.toFixed(2)}</text>`);
  }
  parts.push(`<text x="${left + (W - left - right) / 2}" y="${H + 34}" text-anchor="middle" font-size="12" fill="#334e68">label quality score (low = likely mislabelled)</text>`);
  return `<svg role="img" aria-labelledby="hist-title" width="100%" viewBox="0 0 ${W} ${H + 40}" xmlns="http://www.w3.org/2000/svg"><title id="hist-title">Histogram of label quality scores; flagged examples in red</title>${parts.join('')}</svg>`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function median(a: number[]): number | null {
  if (a.length === 0) return null;
  const s = [...a].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** One sentence under the histogram: median score of flagged and unflagged rows. */
function scoreMedians(scores: ArrayLike<number>, flagged: Uint8Array): string {
  const f: number[] = [];
  const u: number[] = [];
  for (let i = 0; i < scores.length; i++) if (Number.isFinite(scores[i]!)) (flagged[i] ? f : u).push(scores[i]!);
  return `Median score: ${fmt(median(f))} for flagged examples, ${fmt(median(u))} for the others.`;
}

function nameOf(names: readonly string[], c: number): string {
  return names[c] ?? String(c);
}

function contentHtml(c: { id?: string; text?: string; url?: string; path?: string }): string {
  const out: string[] = [];
  if (c.url) {
    const alt = c.text ? truncate(c.text, 80) : c.id ? `example ${c.id}` : 'example';
    out.push(`<a href="${esc(c.url)}"><img src="${esc(c.url)}" alt="${esc(alt)}" loading="lazy"></a>`);
  }
  if (c.text) out.push(`<div class="text">${esc(truncate(c.text, 280))}</div>`);
  if (c.path) out.push(`<div class="id">${esc(c.path)}</div>`);
  if (c.id) out.push(`<div class="id">id ${esc(c.id)}</div>`);
  return out.length > 0 ? `<div class="content">${out.join('')}</div>` : '<span class="muted">no content given</span>';
}

function probsHtml(top: readonly { class: number; prob: number }[], names: readonly string[]): string {
  return `<ul class="probs">${top
    .map(
      (t) =>
        `<li><span class="name">${esc(nameOf(names, t.class))}</span><span class="barbg"><span class="bar" style="width:${Math.max(1, Math.round(t.prob * 80))}px"></span></span>${fmt(t.prob, 2)}</li>`,
    )
    .join('')}</ul>`;
}

function interval(i: { value: number; low: number; high: number } | null, asPct: boolean, digits = 1): string {
  if (!i) return '—';
  const f = (v: number) => (asPct ? pct(v, digits) : int(v));
  return `${f(i.value)} <span class="muted">(95% CI ${f(i.low)} – ${f(i.high)})</span>`;
}

function reviewsSection(r: ReviewSummary): string {
  const rows = r.per_reviewer
    .map((p) => `<tr><td>${esc(p.reviewer)}</td><td class="num">${p.verdicts}</td><td class="num">${pct(p.agreement_with_majority)}</td></tr>`)
    .join('');
  return `<section class="card" aria-labelledby="rev-h"><h2 id="rev-h">Review summary</h2>
<p class="lead">Verdicts aggregated by strict majority: the given label wins → confirmed; another class → relabelled; no single label or no majority → dropped.</p>
<div class="stats">
<div class="stat"><div class="v">${r.reviewed}</div><div class="l">examples reviewed</div></div>
<div class="stat"><div class="v">${r.confirmed}</div><div class="l">confirmed</div></div>
<div class="stat"><div class="v">${r.relabelled}</div><div class="l">relabelled</div></div>
<div class="stat"><div class="v">${r.dropped}</div><div class="l">dropped</div></div>
</div>
<table class="narrow"><tbody>
<tr><th scope="row">Precision of the flagged set</th><td>${interval(r.precision, true)} <span class="muted">· ${plural(r.flagged_errors, 'error')} in ${r.flagged_reviewed} reviewed</span></td></tr>
<tr><th scope="row">Error rate of unflagged controls</th><td>${interval(r.control_error_rate, true)} <span class="muted">· ${plural(r.control_errors, 'error')} in ${r.controls_reviewed} reviewed</span></td></tr>
<tr><th scope="row">Estimated label errors in the dataset</th><td>${interval(r.estimated_label_errors, false)}</td></tr>
</tbody></table>
${rows ? `<h3 style="margin-top:16px">Reviewers</h3><table class="narrow"><thead><tr><th>reviewer</th><th class="num">verdicts</th><th class="num">agreement with majority</th></tr></thead><tbody>${rows}</tbody></table>` : ''}
</section>`;
}

export function renderReport(d: ReportData): string {
  const names = d.classNames;
  const acc = d.accuracy;
  const maxNoise = Math.max(1e-9, ...d.classes.map((c) => c.label_noise));
  const classRows = d.classes
    .map(
      (c) =>
        `<tr><td>${esc(nameOf(names, c.class))}</td><td class="num">${int(c.label_issues)}</td><td class="num">${int(c.inverse_label_issues)}</td>` +
        `<td><span class="barbg"><span class="bar" style="width:${Math.round((c.label_noise / maxNoise) * 80)}px"></span></span>${pct(c.label_noise)}</td>` +
        `<td class="num">${fmt(c.label_quality)}</td></tr>`,
    )
    .join('');
  const overlapRows = d.overlaps
    .filter((o) => o.num_overlapping_examples > 0)
    .map(
      (o) =>
        `<tr><td>${esc(nameOf(names, o.class_a))} ↔ ${esc(nameOf(names, o.class_b))}</td><td class="num">${int(o.num_overlapping_examples)}</td><td class="num">${pct(o.joint_probability, 2)}</td></tr>`,
    )
    .join('');
  const issueRows = d.issues
    .map(
      (it, r) =>
        `<tr data-testid="issue" data-index="${it.index}"><td class="num">${r + 1}</td><td class="num">${it.index}</td><td>${contentHtml(it.content)}</td>` +
        `<td><span class="tag given">${esc(nameOf(names, it.given_label))}</span></td><td><span class="tag sugg">${esc(nameOf(names, it.suggested_label))}</span></td>` +
        `<td class="num">${fmt(it.label_quality)}</td><td>${probsHtml(it.top_classes, names)}</td></tr>`,
    )
    .join('');
  const sub =
    `${d.jobId ? `job <code>${esc(d.jobId)}</code> · ` : ''}generated ${esc(d.generated.slice(0, 16).replace('T', ' '))} UTC` +
    (d.reviewHref ? ` · <a href="${esc(d.reviewHref)}">Review these issues →</a>` : '');
  const body = `
<div class="stats">
<div class="stat"><div class="v">${int(d.numExamples)}</div><div class="l">examples</div></div>
<div class="stat"><div class="v">${d.numClasses}</div><div class="l">classes</div></div>
<div class="stat"><div class="v" data-testid="num-label-issues">${d.numLabelIssues}</div><div class="l">label issues (${pct(d.numLabelIssues / Math.max(1, d.numExamples))})</div></div>
<div class="stat"><div class="v">${fmt(d.overallHealth, 3)}</div><div class="l">overall label health (1 = clean)</div></div>
</div>
<section class="card" aria-labelledby="acc-h"><h2 id="acc-h">Accuracy of the model</h2>
<p class="lead">The model that produced the probabilities, scored four ways. Only the noise-aware estimate accounts for label errors in the data you test on.</p>
<table class="narrow"><tbody>
<tr><th scope="row">On the given labels</th><td class="num">${pct(acc.given_labels, 2)}</td></tr>
<tr><th scope="row">Flagged examples removed</th><td class="num">${pct(acc.pruned, 2)}</td></tr>
<tr><th scope="row">Flagged examples relabelled to the suggestion</th><td class="num">${pct(acc.corrected, 2)}</td></tr>
<tr><th scope="row">Noise-aware estimate of true accuracy</th><td class="num">${pct(acc.estimated_true, 2)}${typeof acc.estimated_true_se === 'number' ? ` ± ${pct(acc.estimated_true_se, 2)}` : ''}</td></tr>
</tbody></table>
</section>
${d.reviews ? reviewsSection(d.reviews) : ''}
<section class="card" aria-labelledby="hm-h"><h2 id="hm-h">Where the labels disagree</h2>
<p class="lead">The confident joint: how many examples with a given label (row) confidently belong to each class (column). Off-diagonal cells are suspected label errors.</p>
<div class="heat-row"><div>
<div class="heat-wrap">${heatmapSvg(d.confidentJoint, names)}</div>
<div class="legend"><span><span class="sw" style="background:${BLUES[3]}"></span><span class="sw" style="background:${BLUES[6]}"></span><span class="sw" style="background:${BLUES[8]}"></span>off-diagonal: darker = more confusions</span><span><span class="sw" style="background:${GREYS[2]}"></span>diagonal: labels that agree</span></div>
</div><div>
<h3 id="ov-h">Overlapping classes</h3>
<p class="note">Class pairs the labels confuse most often (both directions): candidates for clearer guidelines or merging.</p>
${overlapRows ? `<table aria-labelledby="ov-h"><thead><tr><th>pair</th><th class="num">examples</th><th class="num">joint prob.</th></tr></thead><tbody>${overlapRows}</tbody></table>` : '<p class="muted">No overlapping classes.</p>'}
</div></div>
</section>
<div class="grid2">
<section class="card" aria-labelledby="ch-h"><h2 id="ch-h">Class health</h2>
<p class="lead">Worst classes first. Label noise: share of the class's given labels that are likely wrong.</p>
<table><thead><tr><th>class</th><th class="num">issues</th><th class="num">inverse</th><th>label noise</th><th class="num">quality</th></tr></thead><tbody>${classRows}</tbody></table>
</section>
<section class="card" aria-labelledby="hist-h"><h2 id="hist-h">Label quality scores</h2>
<p class="lead">Every example's score (${esc(d.rankBy.replace(/_/g, ' '))}); flagged examples in red. Bar heights on a square-root scale.</p>
${histogramSvg(d.scores, d.flaggedMask)}
<div class="legend"><span><span class="sw" style="background:#9fb3c8"></span>not flagged</span><span><span class="sw" style="background:#be123c"></span>flagged</span></div>
<p class="note">${scoreMedians(d.scores, d.flaggedMask)}</p>
</section>
</div>
<section class="card" aria-labelledby="iss-h"><h2 id="iss-h">Top label issues</h2>
<p class="lead">The ${d.issues.length} most likely label errors of ${int(d.numLabelIssues)}, worst first: the given label, the model's suggestion and its three most probable classes.</p>
<table><thead><tr><th class="num">#</th><th class="num">row</th><th>content</th><th>given</th><th>suggested</th><th class="num">score</th><th>top-3 probabilities</th></tr></thead><tbody>${issueRows}</tbody></table>
</section>
<p class="note">Made by labelcheck (confident learning, exact to cleanlab 2.9). This file makes no network requests except to the example URLs you supplied.</p>`;
  return page({ title: d.title, subtitle: sub, body });
}
