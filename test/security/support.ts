import { expect } from 'vitest';
import { FormAgent } from '../helpers/browser-like.js';

/** A browser with JavaScript off and an open cookie jar (the tests tamper with it). */
export class Browser extends FormAgent {
  /** GET a page and return its HTML, asserting a 200. */
  async page(url: string): Promise<string> {
    const res = await this.fetch(url);
    expect(res.status, `GET ${url}`).toBe(200);
    return res.text();
  }
}

export { formAction, inputValue } from '../helpers/browser-like.js';

/** The Location of a redirect, asserting one. */
export function location(res: Response): string {
  expect([302, 303], `expected a redirect, got ${res.status}`).toContain(res.status);
  return res.headers.get('location')!;
}

/** A page's hardening headers: no framing, no inline script, no sniffing, no referrer. */
export function expectPageHeaders(res: Response, label: string): void {
  const csp = res.headers.get('content-security-policy') ?? '';
  expect(csp, `${label}: CSP`).toMatch(/default-src 'none'/);
  expect(csp, `${label}: CSP script-src`).toMatch(/script-src 'self'/);
  expect(csp, `${label}: no inline script`).not.toMatch(/unsafe-inline|unsafe-eval/);
  expect(csp, `${label}: frame-ancestors`).toContain("frame-ancestors 'none'");
  expect(res.headers.get('x-frame-options'), `${label}: X-Frame-Options`).toBe('DENY');
  expect(res.headers.get('x-content-type-options'), `${label}: nosniff`).toBe('nosniff');
  expect(res.headers.get('referrer-policy'), `${label}: Referrer-Policy`).toBe('no-referrer');
}

/** Entity-decoded attribute value, as the browser sees it. */
const decode = (v: string) =>
  v.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n))).replace(/&quot;/g, '"').replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/**
 * What an injection would leave in the markup, found by reading tags and their attributes the way
 * a browser does (quoted values are data, whatever they contain): an event-handler attribute, a
 * javascript: URL in a URL attribute, an inline or foreign script, a frame.
 */
export function injections(html: string): string[] {
  const found: string[] = [];
  for (const tag of html.matchAll(/<([a-zA-Z][\w-]*)((?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*)\s*\/?>/g)) {
    const name = tag[1]!.toLowerCase();
    const attrs = [...tag[2]!.matchAll(/([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g)]
      .map((a) => ({ name: a[1]!.toLowerCase(), value: decode(a[2] ?? a[3] ?? a[4] ?? '') }));
    for (const a of attrs) {
      if (a.name.startsWith('on')) found.push(`<${name} ${a.name}=…>`);
      if (['href', 'src', 'action', 'formaction', 'srcdoc', 'xlink:href'].includes(a.name) && /^\s*(javascript|vbscript|data:text\/html)/i.test(a.value)) {
        found.push(`<${name} ${a.name}="${a.value}">`);
      }
    }
    if (name === 'iframe' || name === 'object' || name === 'embed' || name === 'svg' && attrs.some((a) => a.name.startsWith('on'))) found.push(`<${name}>`);
    if (name === 'script' && !attrs.some((a) => a.name === 'src' && a.value.startsWith('/assets/'))) found.push('<script> without a same-origin src');
  }
  // Inline script bodies (the only scripts allowed are empty tags with a /assets/ src).
  for (const m of html.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/gi)) if (m[1]!.trim()) found.push('inline script');
  return found;
}

/** Every URL-valued attribute in the markup (href, src, action, formaction, content of a refresh), decoded. */
export function urlAttributes(html: string): string[] {
  const out: string[] = [];
  for (const tag of html.matchAll(/<([a-zA-Z][\w-]*)((?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*)\s*\/?>/g)) {
    for (const a of tag[2]!.matchAll(/([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g)) {
      if (['href', 'src', 'action', 'formaction', 'content'].includes(a[1]!.toLowerCase())) out.push(decode(a[2] ?? a[3] ?? a[4] ?? ''));
    }
  }
  return out;
}
