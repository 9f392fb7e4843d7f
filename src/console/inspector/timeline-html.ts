import { escapeHtml, SafeHtml } from '../../views/html.js';
import type { InspectorReport } from './model.js';
import { sequenceSvg } from './sequence-svg.js';

const esc = escapeHtml;
/** The home page shows the newest flows only; `dev-op logs` and op.inspector have them all. */
const SHOWN_FLOWS = 12;

function time(ms: number): string {
  return new Date(ms).toISOString().slice(11, 19);
}

/**
 * The flow inspector's panel: the newest flows, newest first, each as a sequence diagram with its
 * lints listed under it by number. Server-rendered (works without script); `inspector.js`
 * refreshes it from `<base>/inspector?fragment=1` when script runs.
 */
export function timelineHtml(report: InspectorReport, issuer: string, base: string): SafeHtml {
  const flows = report.flows.slice(-SHOWN_FLOWS).reverse();
  const lintCount = report.lints.length;
  const body = flows.map((flow) => {
    const lints = flow.steps.flatMap((s) => s.lints.map((l) => ({ ...l, seq: s.seq })));
    const list = lints.length === 0 ? '<p class="small muted">No lints: nothing to fix in this flow.</p>'
      : `<ol class="lints">${lints.map((l) => `<li><strong>${esc(l.code)}</strong> (request #${l.seq}, ${esc(l.spec)}): ${esc(l.message)}</li>`).join('')}</ol>`;
    return `<article class="flow" id="flow-${esc(flow.id)}"><h3>${esc(flow.id)} · ${esc(flow.kind)}${flow.clientId ? ` · <code>${esc(flow.clientId)}</code>` : ''}`
      + `${flow.state ? ` · state <code>${esc(flow.state.slice(0, 24))}</code>` : ''} <span class="muted small">${time(flow.started)}</span>`
      + `${lints.length ? ` <span class="tag lint-count">${lints.length} lint${lints.length > 1 ? 's' : ''}</span>` : ''}</h3>`
      + `<div class="sequence-wrap">${sequenceSvg(flow, issuer)}</div>${list}</article>`;
  }).join('');
  const empty = flows.length === 0 ? '<p class="muted">No flows yet: sign in from an app (or the playground above) and its requests appear here.</p>' : '';
  return new SafeHtml(`<div class="inspector-body" data-inspector data-src="${esc(`${base}/inspector?fragment=1`)}">`
    + `<p class="small muted">${report.steps.length} request(s) recorded, ${report.flows.length} flow(s), ${lintCount} lint(s)${report.dropped ? `; ${report.dropped} older request(s) dropped` : ''}. `
    + `In a terminal: <code>dev-op logs --follow</code>.</p>${empty}${body}</div>`);
}

/** The panel as the home page embeds it. */
export function inspectorPanel(report: InspectorReport, issuer: string, base: string): SafeHtml {
  return new SafeHtml(`<link rel="stylesheet" href="${esc(base)}/assets/inspector.css"><script src="${esc(base)}/assets/inspector.js" defer></script>`
    + `<section class="panel inspector" id="inspector" aria-labelledby="inspector-title"><div class="panel-head"><h2 id="inspector-title">Flow inspector</h2>`
    + `<p class="muted">Every request this OP answered, grouped into flows and drawn as the browser, the app and the OP talk; a red number marks a mistake of the app on the request that made it. <a href="${esc(base)}/inspector">Open on its own page</a>.</p></div>`
    + `${timelineHtml(report, issuer, base).value}</section>`);
}
