import { escapeHtml } from '../../views/html.js';
import { paramsOf } from './flows.js';
import type { Flow, Step } from './model.js';

/**
 * One flow as a sequence diagram, drawn on the server as SVG (no script needed): three lanes
 * (browser, app, OP), for each request an arrow from whoever sent it to the OP and the answer
 * back, a redirect to the app's callback as an arrow from the browser to the app, and each lint
 * as a numbered red mark on the arrow of the request that caused it (its text in a <title>, and
 * listed under the diagram by the same number). Every text is escaped.
 */

const LANES = { browser: 90, app: 330, op: 570 } as const;
const WIDTH = 660;
const TOP = 44;
const ROW = 30;

const esc = escapeHtml;

function label(step: Step): string {
  const params = paramsOf(step);
  const pick = (name: string) => (typeof params[name] === 'string' ? String(params[name]) : undefined);
  const extra = step.endpoint === 'token' ? pick('grant_type')?.replace('urn:ietf:params:oauth:grant-type:', '')
    : step.endpoint === 'authorization' ? pick('response_type') && `response_type=${pick('response_type')}` : undefined;
  const path = step.path.length > 40 ? `${step.path.slice(0, 39)}…` : step.path;
  return `${step.method} ${path}${extra ? ` (${extra})` : ''}`;
}

function answer(step: Step, issuerOrigin: string): string {
  if (step.error) return `${step.status} ${step.error}`;
  if (step.location) {
    const internal = step.location.startsWith(issuerOrigin);
    const to = internal ? new URL(step.location).pathname : step.location;
    return `${step.status} → ${to.length > 44 ? `${to.slice(0, 43)}…` : to}`;
  }
  const handed = ['access_token', 'id_token', 'refresh_token', 'device_code'].filter((n) => step.response?.[n] !== undefined);
  return `${step.status}${handed.length ? ` ${handed.join(', ')}` : ''}`;
}

function arrow(x1: number, x2: number, y: number, text: string, cls: string): string {
  const dir = x2 > x1 ? -1 : 1;
  const mid = (x1 + x2) / 2;
  return `<line class="${cls}" x1="${x1}" y1="${y}" x2="${x2}" y2="${y}" stroke="currentColor" stroke-width="1.4"${cls === 'ret' ? ' stroke-dasharray="5 4"' : ''}/>`
    + `<path d="M${x2} ${y} l${dir * 8} -4 v8 z" fill="currentColor"/>`
    + `<text x="${mid}" y="${y - 5}" text-anchor="middle" font-size="11" fill="currentColor">${esc(text)}</text>`;
}

/** The flow's diagram; its lints are numbered from `firstLintNumber` in step order, as the list under it is. */
export function sequenceSvg(flow: Flow, issuer: string, firstLintNumber = 1): string {
  const origin = new URL(issuer).origin;
  let y = TOP;
  let n = firstLintNumber;
  const parts: string[] = [];
  for (const step of flow.steps) {
    const from = LANES[step.lane];
    y += ROW;
    parts.push(`<g class="step${step.lints.length ? ' linted' : ''}"><title>${esc(`#${step.seq} ${step.method} ${step.path} → ${step.status}`)}</title>${arrow(from, LANES.op, y, label(step), 'req')}</g>`);
    for (const lint of step.lints) {
      const x = from + 14 + ((n - firstLintNumber) % 6) * 20;
      parts.push(`<g class="lint-mark"><title>${esc(`${lint.message} (${lint.spec})`)}</title><circle cx="${x}" cy="${y + 8}" r="8" fill="#b42318"/>`
        + `<text x="${x}" y="${y + 12}" text-anchor="middle" font-size="10" font-weight="700" fill="#fff">${n}</text></g>`);
      n++;
    }
    y += ROW;
    parts.push(`<g class="answer${step.status >= 400 ? ' failed' : ''}">${arrow(LANES.op, from, y, answer(step, origin), 'ret')}</g>`);
    if (step.location && !step.location.startsWith(origin) && step.lane === 'browser') {
      const delivered = Object.keys(step.delivered ?? {}).join(', ');
      y += ROW;
      parts.push(`<g class="callback">${arrow(LANES.browser, LANES.app, y, `redirect to the app${delivered ? `: ${delivered}` : ''}`, 'ret')}</g>`);
    }
  }
  const height = y + 20;
  const lanes = Object.entries({ Browser: LANES.browser, App: LANES.app, OP: LANES.op }).map(([name, x]) =>
    `<text x="${x}" y="18" text-anchor="middle" font-size="13" font-weight="650" fill="currentColor">${name}</text>`
    + `<line x1="${x}" y1="26" x2="${x}" y2="${height - 6}" stroke="currentColor" stroke-opacity="0.3" stroke-width="1"/>`).join('');
  const title = `Flow ${flow.id}: ${flow.kind}${flow.clientId ? ` for ${flow.clientId}` : ''}`;
  return `<svg class="sequence" role="img" aria-label="${esc(title)}" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" xmlns="http://www.w3.org/2000/svg">`
    + `<title>${esc(title)}</title>${lanes}${parts.join('')}</svg>`;
}
