import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { explainError, hintItems, initials, tone } from '../../src/views/page-helpers.js';
import { SafeHtml, compile, createRenderer, escapeHtml, type ViewModel } from '../../src/views/render.js';

const XSS = `"><script>alert(1)</script>'\`&`;
const TEMPLATES = fileURLToPath(new URL('../../templates/', import.meta.url));

describe('escapeHtml', () => {
  it('escapes & < > " \' and backtick', () => {
    expect(escapeHtml(`&<>"'\``)).toBe('&amp;&lt;&gt;&quot;&#39;&#96;');
  });
  it('leaves plain text alone', () => {
    expect(escapeHtml('Ada Lovelace · ok')).toBe('Ada Lovelace · ok');
  });
});

describe('compile', () => {
  const run = (src: string, model: ViewModel) => compile('t.html', src)(model);

  it('escapes values in text and in attributes', () => {
    const out = run('<p title="{{v}}">{{v}}</p>', { v: XSS });
    expect(out).not.toContain('<script>');
    expect(out).toBe(
      '<p title="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&#39;&#96;&amp;">&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&#39;&#96;&amp;</p>',
    );
  });

  it('inserts SafeHtml as-is', () => {
    expect(run('<div>{{b}}</div>', { b: new SafeHtml('<em>hi</em>') })).toBe('<div><em>hi</em></div>');
  });

  it('renders numbers and booleans, and unknown, null, objects as empty', () => {
    expect(run('{{n}}|{{t}}|{{missing}}|{{z}}|{{o}}|{{a.b.c}}', { n: 42, t: true, z: null, o: { x: '1' } })).toBe(
      '42|true||||',
    );
  });

  it('resolves dotted names, only through own properties', () => {
    expect(run('{{client.name}}/{{client.meta.host}}', { client: { name: 'App', meta: { host: 'a.test' } } })).toBe(
      'App/a.test',
    );
    expect(run('[{{o.constructor}}][{{o.toString}}][{{o.__proto__}}]', { o: {} })).toBe('[][][]');
  });

  it('allows whitespace inside tags', () => {
    expect(run('{{ a }}{{# s }}x{{/ s }}', { a: 'A', s: true })).toBe('Ax');
  });

  it('repeats a section for each array item, resolving names against the item first', () => {
    const model = { title: 'outer', users: [{ name: 'Ada' }, { name: 'Bob', title: 'inner' }] };
    expect(run('{{#users}}<li>{{name}}:{{title}}</li>{{/users}}', model)).toBe(
      '<li>Ada:outer</li><li>Bob:inner</li>',
    );
  });

  it('uses {{.}} for the current item of a string array', () => {
    expect(run('{{#tags}}[{{.}}]{{/tags}}', { tags: ['a', '<b>'] })).toBe('[a][&lt;b&gt;]');
  });

  it('renders a section once for a truthy value and pushes an object as scope', () => {
    expect(run('{{#client}}{{name}} at {{host}}{{/client}}', { client: { name: 'App' }, host: 'outer.test' })).toBe(
      'App at outer.test',
    );
    expect(run('{{#flag}}yes{{/flag}}', { flag: true })).toBe('yes');
    expect(run('{{#msg}}<b>{{msg}}</b>{{/msg}}', { msg: 'hi' })).toBe('<b>hi</b>');
  });

  it('skips a section for falsy values and empty arrays', () => {
    for (const v of [false, 0, '', null, undefined, [], new SafeHtml('')]) {
      expect(run('a{{#v}}X{{/v}}b', { v })).toBe('ab');
    }
  });

  it('renders an inverted section only for falsy values and empty arrays', () => {
    const src = '{{^v}}none{{/v}}';
    expect(run(src, { v: [] })).toBe('none');
    expect(run(src, {})).toBe('none');
    expect(run(src, { v: '' })).toBe('none');
    expect(run(src, { v: ['x'] })).toBe('');
    expect(run(src, { v: 'x' })).toBe('');
  });

  it('supports nested sections with outer-scope lookup', () => {
    const model = {
      csrf: 'tok',
      groups: [{ label: 'g1', items: [{ id: 'a' }, { id: 'b', label: 'own' }] }],
    };
    expect(run('{{#groups}}{{#items}}{{id}}:{{label}}:{{csrf}};{{/items}}{{/groups}}', model)).toBe(
      'a:g1:tok;b:own:tok;',
    );
  });

  it('reads array length through a dotted name', () => {
    const src = '{{#users.length}}<ul>{{#users}}<li>{{.}}</li>{{/users}}</ul>{{/users.length}}';
    expect(run(src, { users: ['a'] })).toBe('<ul><li>a</li></ul>');
    expect(run(src, { users: [] })).toBe('');
  });

  it('throws at compile for an unclosed section, naming the template and line', () => {
    expect(() => compile('login.html', 'a\n{{#users}}x')).toThrow(/login\.html.*\{\{#users\}\}.*line 2.*never closed/);
  });

  it('throws for a mismatched or stray closing tag', () => {
    expect(() => compile('x.html', '{{#a}}{{/b}}')).toThrow(/x\.html.*\{\{\/b\}\}/);
    expect(() => compile('x.html', 'text{{/a}}')).toThrow(/x\.html/);
  });

  it('rejects triple braces and other unsupported tags instead of rendering raw', () => {
    expect(() => compile('x.html', '{{{raw}}}')).toThrow(/x\.html.*unsupported tag/);
    expect(() => compile('x.html', '{{!comment}}')).toThrow(/unsupported tag/);
    expect(() => compile('x.html', '{{> partial}}')).toThrow(/unsupported tag/);
  });
});

// A sample model per template, with every string field set to `v`.
function models(v: string): Record<string, ViewModel> {
  const client = { name: v, host: v, logoUri: `https://logo.test/${v}` };
  return {
    login: {
      client,
      users: [
        { username: v, name: v, email: v, initials: v },
        { username: 'bob', name: 'Bob', email: 'bob@example.test', initials: 'B' },
      ],
      loginHint: v,
      error: v,
      csrf: v,
      action: v,
    },
    consent: {
      client,
      user: { name: v, username: v },
      scopes: [
        { name: v, description: v },
        { name: 'email', description: 'See your email address' },
      ],
      csrf: v,
      action: v,
    },
    error: { error: v, description: v, hint: v, status: 400 },
    logout: { client: { name: v }, csrf: v, action: v, hidden: [{ name: v, value: v }] },
    'logged-out': { clientName: v },
    device: { action: v, csrf: v, userCode: v, error: v },
    'device-confirm': { action: v, csrf: v, userCode: v, client, scopes: [{ name: v, description: v }] },
    'device-done': { ok: false, clientName: v, error: v, description: v },
    home: {
      issuer: v,
      discoveryUrl: v,
      endpoints: [{ name: v, url: v }],
      grantTypes: v,
      clients: [{ id: v, name: v, kind: v, authMethod: v, redirectUris: [v], builtin: true }],
      users: [{ username: v, name: v, email: v, initials: v, hasPassword: true }],
      session: { name: v, logoutAction: v },
      playground: { action: v, csrf: v, callback: v, clients: [{ id: v, label: v }], scopes: [{ name: v, checked: true }] },
    },
    playground: {
      client: { id: v, name: v },
      scope: v,
      again: { action: v, csrf: v, clientId: v, scope: v },
      logout: { action: v, idTokenHint: v, postLogoutRedirectUri: v },
      response: [{ name: v, value: v }],
      idToken: {
        verified: true, jwt: true, checks: [{ ok: true, text: v }], header: [{ name: v, value: v }],
        claims: [{ name: v, value: v, note: v }], rawParts: [{ text: v, part: 'h' }],
      },
      accessToken: { verified: false, jwt: false, checks: [{ ok: false, text: v }], header: [], claims: [{ name: v, value: v }], source: v, rawParts: [{ text: v, part: 'o' }] },
      userinfo: { ok: true, claims: [{ name: v, value: v }], checks: [{ ok: true, text: v }] },
    },
  };
}

describe('built-in templates', () => {
  const renderer = createRenderer({});

  it.each(Object.keys(models('x')))('%s never lets a field through unescaped', async (name) => {
    const model = { ...models(XSS)[name]!, title: XSS, lang: XSS };
    const html = await renderer.render(name, model);
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain('"><script');
    expect(html).not.toContain("'`&<");
    // The only script element is the deferred app.js from the layout.
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(html).toContain('&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('wraps pages in the layout with title, lang, stylesheet and footer', async () => {
    const html = await renderer.render('logged-out', { clientName: 'Demo' });
    expect(html).toMatch(/^<!doctype html>\n<html lang="en">/);
    expect(html).toContain('<title>Signed out · dev-op</title>');
    expect(html).toContain('<link rel="stylesheet" href="/assets/style.css">');
    expect(html).toContain('<script src="/assets/app.js" defer></script>');
    expect(html).toContain('dev-op · local development OpenID Provider');
    expect(html).toContain('You are signed out');
    expect(html).toContain('signed out of Demo');
    const custom = await renderer.render('logged-out', { title: 'Bye', lang: 'de' });
    expect(custom).toContain('<html lang="de">');
    expect(custom).toContain('<title>Bye · dev-op</title>');
  });

  it('login: user cards are submit buttons in a form with csrf, plus a username/password form', async () => {
    const html = await renderer.render('login', {
      client: { name: 'Demo App', host: 'app.test' },
      users: [
        { username: 'alice', name: 'Alice', email: 'alice@example.test', initials: 'A' },
        { username: 'bob', name: 'Bob', email: 'bob@example.test', initials: 'B' },
      ],
      loginHint: 'carol',
      csrf: 'CSRF123',
      action: '/interaction/abc/login',
    });
    expect(html).toContain('<h1>Sign in to Demo App</h1>');
    expect(html).toContain('<button type="submit" name="username" value="alice"');
    expect(html).toContain('<button type="submit" name="username" value="bob"');
    expect(html.match(/<form method="post" action="\/interaction\/abc\/login"/g)).toHaveLength(2);
    expect(html.match(/<input type="hidden" name="csrf" value="CSRF123">/g)).toHaveLength(2);
    expect(html).toMatch(/<input id="username" name="username" type="text" autocomplete="username"[^>]* value="carol">/);
    expect(html).toMatch(/<input id="password" name="password" type="password"/);
    expect(html).toMatch(/<input type="checkbox" name="remember" value="1" checked[ >]/);
    // The card form carries remember=1 too (app.js drops it when the box is unticked).
    expect(html).toContain('<input type="hidden" name="remember" value="1" data-remember-mirror>');
    expect(html).toMatch(/<button type="submit"[^>]*>Sign in<\/button>/);
    expect(html).toContain('app.test');
    expect(html).not.toContain('role="alert"');
    expect(html).not.toContain('<img class="logo"');
    // Without a logo_uri the client gets an initials mark.
    expect(html).toContain('<span class="logo logo-fallback" aria-hidden="true">DA</span>');
  });

  it('login: shows the error in an alert, the logo, and no card form without users', async () => {
    const html = await renderer.render('login', {
      client: { name: 'Demo', host: 'app.test', logoUri: 'https://app.test/logo.png' },
      users: [],
      error: 'Wrong password for alice.',
      csrf: 'c',
      action: '/login',
    });
    expect(html).toMatch(/<div class="alert" role="alert"[^>]*>Wrong password for alice\.<\/div>/);
    expect(html).toContain('src="https://app.test/logo.png"');
    expect(html).not.toContain('name="username" value=');
    expect(html.match(/<form /g)).toHaveLength(1);
  });

  it('every label points at an input that exists', async () => {
    const html = await renderer.render('login', models('x').login!);
    const fors = [...html.matchAll(/<label for="([^"]+)"/g)].map((m) => m[1]);
    expect(fors).toEqual(['login-claims', 'username', 'password']);
    for (const id of fors) expect(html).toContain(`id="${id}"`);
  });

  it('consent: lists scopes and has csrf plus Allow/Deny decision buttons', async () => {
    const html = await renderer.render('consent', {
      client: { name: 'Demo', host: 'app.test' },
      user: { name: 'Alice', username: 'alice' },
      scopes: [
        { name: 'openid', description: 'Confirm who you are' },
        { name: 'email', description: 'See your email address' },
      ],
      csrf: 'C1',
      action: '/interaction/x/consent',
    });
    expect(html).toContain('<form method="post" action="/interaction/x/consent"');
    expect(html).toContain('<input type="hidden" name="csrf" value="C1">');
    expect(html).toContain('See your email address');
    expect(html).toContain('<code class="scope-name">openid</code>');
    expect(html).toContain('Alice</strong> (alice)');
    expect(html).toMatch(/<button type="submit" name="decision" value="allow"[^>]*>Allow<\/button>/);
    expect(html).toMatch(/<button type="submit" name="decision" value="deny"[^>]*>Deny<\/button>/);
  });

  it('error: shows code, description, status and an optional hint', async () => {
    const html = await renderer.render('error', {
      error: 'invalid_request',
      description: 'redirect_uri is not registered for this client.',
      hint: 'dev-op client add --id demo --redirect-uri http://localhost:3000/cb',
      status: 400,
    });
    expect(html).toContain('<title>Error · dev-op</title>');
    expect(html).toContain('invalid_request');
    expect(html).toContain('redirect_uri is not registered for this client.');
    expect(html).toContain('Error 400');
    expect(html).toContain('dev-op client add --id demo --redirect-uri http://localhost:3000/cb');
    const bare = await renderer.render('error', { error: 'server_error', description: 'Oops.', status: 500 });
    expect(bare).toContain('The server log on stderr has the details.');
    expect(bare).not.toContain('dev-op client add');
  });

  it('logout: csrf, carried hidden inputs and the two logout buttons', async () => {
    const html = await renderer.render('logout', {
      client: { name: 'Demo' },
      csrf: 'L1',
      action: '/session/end/confirm',
      hidden: [
        { name: 'state', value: 'xyz' },
        { name: 'post_logout_redirect_uri', value: 'http://localhost:3000/bye' },
      ],
    });
    expect(html).toContain('<form method="post" action="/session/end/confirm"');
    expect(html).toContain('<input type="hidden" name="csrf" value="L1">');
    expect(html).toContain('<input type="hidden" name="state" value="xyz">');
    expect(html).toContain('<input type="hidden" name="post_logout_redirect_uri" value="http://localhost:3000/bye">');
    expect(html).toMatch(/<button type="submit" name="logout" value="yes"[^>]*>Sign out<\/button>/);
    expect(html).toMatch(/<button type="submit" name="logout" value="no"[^>]*>Stay signed in<\/button>/);
    expect(html).toContain('Demo asked to sign you out');
    const anonymous = await renderer.render('logout', { csrf: 'L1', action: '/x', hidden: [] });
    expect(anonymous).toContain('Do you want to sign out of dev-op?');
  });

  it('templates carry no inline script, inline style or event handlers (strict CSP)', async () => {
    const files = (await readdir(TEMPLATES)).filter((f) => f.endsWith('.html'));
    expect(files).toEqual(expect.arrayContaining([
      'consent.html', 'device-confirm.html', 'device-done.html', 'device.html', 'error.html', 'home.html',
      'layout.html', 'logged-out.html', 'login.html', 'logout.html', 'playground.html',
    ]));
    for (const file of files) {
      const src = await readFile(join(TEMPLATES, file), 'utf8');
      expect(src, file).not.toMatch(/<style|\sstyle=|\son[a-z]+=|javascript:/i);
      for (const m of src.matchAll(/<script[^>]*>/g)) expect(m[0], file).toMatch(/ src="\{\{base\}\}\/assets\/[a-z0-9-]+\.js"/);
    }
  });

  it('rejects template names that could escape the folder', async () => {
    await expect(renderer.render('../layout', {})).rejects.toThrow(/Invalid template name/);
    await expect(renderer.render('nope', {})).rejects.toThrow(/nope\.html not found/);
  });
});

describe('assets', () => {
  const renderer = createRenderer({});

  it('serves style.css, app.js and favicon.svg with their content types', async () => {
    const css = await renderer.asset('style.css');
    expect(css?.type).toBe('text/css; charset=utf-8');
    expect(css?.body).toContain('prefers-color-scheme: dark');
    expect((await renderer.asset('app.js'))?.type).toBe('text/javascript; charset=utf-8');
    expect((await renderer.asset('favicon.svg'))?.type).toBe('image/svg+xml');
  });

  it('rejects traversal, unknown extensions and missing files', async () => {
    for (const name of ['../x.css', '../../package.json', 'assets/style.css', 'style.CSS', 'x.html', 'x.exe', '.css', 'missing.css']) {
      expect(await renderer.asset(name), name).toBeUndefined();
    }
  });
});

describe('override dir', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dev-op-views-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('wins over the built-in template and falls back for the rest', async () => {
    await writeFile(join(dir, 'login.html'), '<p id="custom">Hello {{client.name}}</p>');
    const renderer = createRenderer({ overrideDir: dir });
    const login = await renderer.render('login', { client: { name: '<Demo>' } });
    expect(login).toContain('<p id="custom">Hello &lt;Demo&gt;</p>');
    expect(login).toContain('dev-op · local development OpenID Provider'); // built-in layout
    const consent = await renderer.render('consent', models('x').consent!);
    expect(consent).toContain('name="decision" value="allow"');
  });

  it('can replace the layout and the assets', async () => {
    await writeFile(join(dir, 'layout.html'), '<main data-title="{{title}}">{{body}}</main>');
    await mkdir(join(dir, 'assets'));
    await writeFile(join(dir, 'assets', 'style.css'), 'body{color:red}');
    const renderer = createRenderer({ overrideDir: dir });
    expect(await renderer.render('logged-out', {})).toMatch(/^<main data-title="Signed out"><header/);
    expect(await renderer.asset('style.css')).toEqual({ body: 'body{color:red}', type: 'text/css; charset=utf-8' });
    expect((await renderer.asset('app.js'))?.body).toContain('addEventListener'); // built-in fallback
  });

  it('reads a template once and caches it', async () => {
    const file = join(dir, 'logged-out.html');
    await writeFile(file, 'v1');
    const renderer = createRenderer({ overrideDir: dir });
    expect(await renderer.render('logged-out', {})).toContain('v1');
    await writeFile(file, 'v2');
    expect(await renderer.render('logged-out', {})).toContain('v1');
    expect(await createRenderer({ overrideDir: dir }).render('logged-out', {})).toContain('v2');
  });

  it('reports a malformed override template by name', async () => {
    await writeFile(join(dir, 'consent.html'), '{{#scopes}}<li>{{name}}</li>');
    const renderer = createRenderer({ overrideDir: dir });
    await expect(renderer.render('consent', {})).rejects.toThrow(/consent\.html.*\{\{#scopes\}\}.*never closed/);
  });
});

describe('page helpers', () => {
  const renderer = createRenderer({});

  it('turns a hint into escaped list items with `code` spans', () => {
    const items = hintItems('registered: http://a/<x>; run `dev-op client show <web>`');
    expect(items.map((i) => i.value)).toEqual([
      'registered: http://a/&lt;x&gt;',
      'run <code>dev-op client show &lt;web&gt;</code>',
    ]);
  });

  it('explains known OAuth errors in words, and unknown ones generically', () => {
    expect(explainError('invalid_scope').summary).toMatch(/scope is unknown/);
    expect(explainError('constructor').summary).toBe('The request could not be completed.');
    expect(explainError('invalid_client').checks.map((c) => c.value).join(' ')).toContain('<code>dev-op client list</code>');
  });

  it('initials and avatar tones are stable', () => {
    expect(initials('Alice Example')).toBe('AE');
    expect(initials('web')).toBe('W');
    expect(initials('dev-op playground')).toBe('DO');
    expect(initials('  ')).toBe('?');
    expect(tone('alice')).toBe(tone('alice'));
    expect(new Set(['alice', 'bob', 'carol', 'dave', 'erin', 'frank'].map(tone)).size).toBeGreaterThan(2);
  });

  it('error page: the provider hint comes first, then the general advice for the code', async () => {
    const html = await renderer.render('error', {
      error: 'invalid_redirect_uri',
      description: 'redirect_uri http://x/cb is not registered for client web',
      hint: 'registered: http://localhost:3000/cb; run `dev-op client show web`',
      status: 400,
    });
    const items = [...html.matchAll(/<li>(.*?)<\/li>/g)].map((m) => m[1]);
    expect(items[0]).toBe('registered: http://localhost:3000/cb');
    expect(items[1]).toBe('run <code>dev-op client show web</code>');
    expect(items.slice(2).join(' ')).toMatch(/must match a registered one exactly/);
    expect(html).toContain('The redirect_uri is not one the client registered');
  });

  it('an action can override a derived field', async () => {
    const html = await renderer.render('login', { client: { name: 'Demo', initials: 'ZZ' }, users: [{ username: 'a', tone: 4, initials: 'A' }], csrf: 'c', action: '/x' });
    expect(html).toContain('>ZZ</span>');
    expect(html).toContain('avatar tone-4');
  });
});

describe('layout', () => {
  const renderer = createRenderer({});

  it('has a skip link, banner, main and footer landmarks; wide pages get a wide main', async () => {
    const card = await renderer.render('logout', { csrf: 'c', action: '/x', hidden: [] });
    expect(card).toContain('<a class="skip" href="#main">Skip to content</a>');
    expect(card).toContain('<header class="topbar">');
    expect(card).toContain('<main id="main" class="card">');
    expect(card).toContain('<footer class="footer">');
    expect(card).toContain('<body class="page-logout">');
    const wide = await renderer.render('home', { issuer: 'http://op.test', playground: {} });
    expect(wide).toContain('<main id="main" class="wide-main">');
    expect(wide).toContain('<body class="page-home wide">');
  });
});

describe('device pages', () => {
  const renderer = createRenderer({});

  it('entry: a labelled code field app.js formats, csrf, and the error tied to the field', async () => {
    const html = await renderer.render('device', { action: '/device', csrf: 'D1', userCode: 'BCDF-GHJK', error: 'That code is not valid.' });
    expect(html).toContain('<form method="post" action="/device"');
    expect(html).toContain('<input type="hidden" name="csrf" value="D1">');
    expect(html).toContain('<label for="user_code">Device code</label>');
    expect(html).toMatch(/<input id="user_code" name="user_code" type="text"[^>]* value="BCDF-GHJK"[^>]*data-user-code/);
    expect(html).toContain('aria-describedby="code-help code-error"');
    expect(html).toContain('<div class="alert" role="alert" id="code-error">That code is not valid.</div>');
  });

  it('confirm: the code, the client, the scopes, and Continue / Cancel as real buttons', async () => {
    const html = await renderer.render('device-confirm', {
      action: '/device', csrf: 'D2', userCode: 'BCDF-GHJK', client: { name: 'TV app' },
      scopes: [{ name: 'openid', description: 'Sign you in' }],
    });
    expect(html).toContain('<h1>Connect TV app?</h1>');
    expect(html).toContain('<input type="hidden" name="user_code" value="BCDF-GHJK">');
    expect(html).toContain('Sign you in');
    expect(html).toMatch(/<button type="submit" name="decision" value="allow"[^>]*>Continue<\/button>/);
    expect(html).toMatch(/<button type="submit" name="decision" value="deny"[^>]*>Cancel<\/button>/);
  });

  it('done: success and failure', async () => {
    expect(await renderer.render('device-done', { ok: true, clientName: 'TV app' })).toContain('TV app is now signed in.');
    const failed = await renderer.render('device-done', { ok: false, error: 'access_denied', description: 'You cancelled the request.' });
    expect(failed).toContain('The device was not connected');
    expect(failed).toContain('You cancelled the request.');
    expect(failed).toContain('<code>access_denied</code>');
  });
});
