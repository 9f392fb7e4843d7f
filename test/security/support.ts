import { expect } from 'vitest';

/**
 * A browser with JavaScript off and an open cookie jar (the tests tamper with it): fetches
 * without following redirects, keeps cookies, reads forms.
 */
export class Browser {
  readonly jar = new Map<string, string>();

  cookieHeader(): string {
    return [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async fetch(url: string, init: { method?: string; form?: Record<string, string>; headers?: Record<string, string> } = {}): Promise<Response> {
    const headers: Record<string, string> = { ...init.headers };
    const cookie = this.cookieHeader();
    if (cookie) headers.cookie = cookie;
    let body: string | undefined;
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    const res = await fetch(url, { method: init.method ?? (body !== undefined ? 'POST' : 'GET'), headers, body, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) this.jar.delete(name);
      else this.jar.set(name, value);
    }
    return res;
  }

  /** GET a page and return its HTML, asserting a 200. */
  async page(url: string): Promise<string> {
    const res = await this.fetch(url);
    expect(res.status, `GET ${url}`).toBe(200);
    return res.text();
  }
}

/** The value of a named input in a page (HTML-escaped as it is in the markup). */
export function inputValue(html: string, name: string): string | undefined {
  const tag = new RegExp(`<input[^>]*name="${name}"[^>]*>`, 'i').exec(html)?.[0];
  return tag ? /value="([^"]*)"/.exec(tag)?.[1] : undefined;
}

/** The action of the first form whose action matches `pattern` (entities decoded). */
export function formAction(html: string, pattern: RegExp): string | undefined {
  for (const m of html.matchAll(/<form[^>]*action="([^"]+)"/gi)) {
    const action = m[1]!.replace(/&amp;/g, '&');
    if (pattern.test(action)) return action;
  }
  return undefined;
}

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
