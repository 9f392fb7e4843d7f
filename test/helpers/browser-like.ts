/**
 * A cookie-keeping HTTP agent that follows the login and consent pages the way a browser with
 * JavaScript off would: GET pages, read the forms, POST them. No redirects are followed implicitly.
 */
export class FormAgent {
  /** Open, so security tests can tamper with cookies. */
  readonly jar = new Map<string, string>();

  /** `send`: the fetch to use (default the global one; e.g. one that trusts a test CA). */
  constructor(private readonly send: typeof fetch = fetch) {}

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
    const res = await this.send(url, { method: init.method ?? (body !== undefined ? 'POST' : 'GET'), headers, body, redirect: 'manual' });
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

  hasCookie(name: string): boolean {
    return this.jar.has(name);
  }
}

/** The value of a hidden or text input in an HTML page. */
export function inputValue(html: string, name: string): string | undefined {
  const tag = new RegExp(`<input[^>]*name="${name}"[^>]*>`, 'i').exec(html)?.[0];
  return tag ? /value="([^"]*)"/.exec(tag)?.[1] : undefined;
}

/** The action URL of the first form whose action matches `pattern`. */
export function formAction(html: string, pattern: RegExp): string | undefined {
  for (const m of html.matchAll(/<form[^>]*action="([^"]+)"/gi)) {
    const action = m[1]!.replace(/&amp;/g, '&');
    if (pattern.test(action)) return action;
  }
  return undefined;
}
