import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SafeHtml, escapeHtml, type ViewModel, type ViewValue } from './html.js';
import { withPageHelpers } from './page-helpers.js';

export { SafeHtml, escapeHtml, type ViewModel, type ViewValue } from './html.js';

export type Template = (model: ViewModel) => string;

export interface Renderer {
  render(name: string, model: ViewModel): Promise<string>;
  asset(name: string): Promise<{ body: string; type: string } | undefined>;
}

// ---- compiler: {{name}} {{a.b}} {{.}} {{#name}}…{{/name}} {{^name}}…{{/name}} and nothing more ----

type Node =
  | string
  | { kind: 'var'; path: string[] }
  | { kind: 'section'; path: string[]; inverted: boolean; children: Node[] };

const TAG = /\{\{\s*([#^/]?)\s*(.*?)\s*\}\}/g;
// Anything else (triple braces, comments, partials) is rejected so that a typo cannot render raw.
const NAME = /^(?:\.|[A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*)*)$/;

function lineOf(source: string, index: number): number {
  return source.slice(0, index).split('\n').length;
}

/** Compiles a template once; `name` appears in every syntax error. */
export function compile(name: string, source: string): Template {
  const root: Node[] = [];
  const open: { name: string; line: number; nodes: Node[] }[] = [{ name: '', line: 0, nodes: root }];
  let last = 0;
  for (const m of source.matchAll(TAG)) {
    const [tag, sigil, raw = ''] = m;
    const at = m.index;
    const top = open[open.length - 1]!;
    if (at > last) top.nodes.push(source.slice(last, at));
    last = at + tag.length;
    if (!NAME.test(raw)) {
      throw new Error(`Template ${name}: unsupported tag ${tag} on line ${lineOf(source, at)}`);
    }
    const path = raw === '.' ? [] : raw.split('.');
    if (sigil === '/') {
      if (open.length === 1 || top.name !== raw) {
        throw new Error(`Template ${name}: unexpected {{/${raw}}} on line ${lineOf(source, at)}`);
      }
      open.pop();
    } else if (sigil === '#' || sigil === '^') {
      const children: Node[] = [];
      top.nodes.push({ kind: 'section', path, inverted: sigil === '^', children });
      open.push({ name: raw, line: lineOf(source, at), nodes: children });
    } else {
      top.nodes.push({ kind: 'var', path });
    }
  }
  if (open.length > 1) {
    const s = open[open.length - 1]!;
    throw new Error(`Template ${name}: section {{#${s.name}}} opened on line ${s.line} is never closed`);
  }
  if (last < source.length) root.push(source.slice(last));
  return (model) => renderNodes(root, [model]);
}

type Scope = ViewValue | string;

function isRecord(v: unknown): v is Record<string, ViewValue> {
  return typeof v === 'object' && v !== null && !(v instanceof SafeHtml);
}

// Own properties only, so `constructor` or `__proto__` never resolve to something surprising.
function lookup(path: string[], scopes: Scope[]): ViewValue {
  if (path.length === 0) return scopes[scopes.length - 1];
  const [head, ...rest] = path as [string, ...string[]];
  for (let i = scopes.length - 1; i >= 0; i--) {
    const scope = scopes[i];
    if (!isRecord(scope) || !Object.hasOwn(scope, head)) continue;
    let value: ViewValue = scope[head];
    for (const key of rest) {
      if (!isRecord(value) || !Object.hasOwn(value, key)) return undefined;
      value = value[key];
    }
    return value;
  }
  return undefined;
}

function truthy(v: ViewValue): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof SafeHtml) return v.value !== '';
  return Boolean(v);
}

function toHtml(v: ViewValue): string {
  if (v instanceof SafeHtml) return v.value;
  if (typeof v === 'string') return escapeHtml(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return ''; // null, undefined, objects and arrays have no text form
}

function renderNodes(nodes: Node[], scopes: Scope[]): string {
  let out = '';
  for (const node of nodes) {
    if (typeof node === 'string') {
      out += node;
    } else if (node.kind === 'var') {
      out += toHtml(lookup(node.path, scopes));
    } else {
      const value = lookup(node.path, scopes);
      if (node.inverted) {
        if (!truthy(value)) out += renderNodes(node.children, scopes);
      } else if (Array.isArray(value)) {
        for (const item of value) out += renderNodes(node.children, [...scopes, item]);
      } else if (truthy(value)) {
        out += renderNodes(node.children, [...scopes, value]);
      }
    }
  }
  return out;
}

// ---- renderer: templates/ (or --templates DIR first), read and compiled once per renderer ----

// Works from both src/views and dist/views.
const BUILTIN_DIR = fileURLToPath(new URL('../../templates/', import.meta.url));
const PAGE_NAME = /^[a-z0-9-]+$/;
const ASSET_NAME = /^[a-z0-9-]+\.(css|js|svg)$/;
const ASSET_TYPES: Record<string, string> = {
  css: 'text/css; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  svg: 'image/svg+xml',
};
const TITLES: Record<string, string> = {
  login: 'Sign in',
  consent: 'Allow access',
  error: 'Error',
  logout: 'Sign out',
  'logged-out': 'Signed out',
  device: 'Connect a device',
  'device-confirm': 'Confirm the device',
  'device-done': 'Device',
  home: 'Home',
  playground: 'Playground result',
};
/** Pages laid out full width (dashboards) rather than as one centred card. */
const WIDE_PAGES = new Set(['home', 'playground']);

/** The first of `paths` that exists, or undefined; other read errors propagate. */
async function readFirst(paths: string[]): Promise<string | undefined> {
  for (const path of paths) {
    try {
      return await readFile(path, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw err;
    }
  }
  return undefined;
}

/**
 * `basePath` is the issuer's path ('' for a bare origin): templates link to `{{base}}/assets/…`
 * and `{{base}}/`, so pages work for an issuer such as http://host/tenant-a.
 */
export function createRenderer(opts: { overrideDir?: string; basePath?: string } = {}): Renderer {
  const base = opts.basePath ?? '';
  const dirs = opts.overrideDir ? [resolve(opts.overrideDir), BUILTIN_DIR] : [BUILTIN_DIR];
  const templates = new Map<string, Promise<Template>>();
  const assets = new Map<string, Promise<{ body: string; type: string } | undefined>>();

  function load(name: string): Promise<Template> {
    let template = templates.get(name);
    if (!template) {
      template = readFirst(dirs.map((d) => join(d, `${name}.html`))).then((source) => {
        if (source === undefined) throw new Error(`Template ${name}.html not found in ${dirs.join(' or ')}`);
        return compile(`${name}.html`, source);
      });
      // A failure is not cached, so a fixed override file is picked up on the next request.
      template.catch(() => templates.delete(name));
      templates.set(name, template);
    }
    return template;
  }

  return {
    async render(name, model) {
      if (!PAGE_NAME.test(name)) throw new Error(`Invalid template name: ${JSON.stringify(name)}`);
      const [page, layout] = await Promise.all([load(name), load('layout')]);
      const body = new SafeHtml(page(withPageHelpers(name, { base, ...model })));
      const title = typeof model.title === 'string' && model.title ? model.title : (TITLES[name] ?? 'dev-op');
      const lang = typeof model.lang === 'string' && model.lang ? model.lang : 'en';
      return layout({ title, lang, body, page: name, wide: WIDE_PAGES.has(name), base });
    },

    asset(name) {
      const match = ASSET_NAME.exec(name);
      if (!match) return Promise.resolve(undefined);
      let found = assets.get(name);
      if (!found) {
        const type = ASSET_TYPES[match[1]!]!;
        found = readFirst(dirs.map((d) => join(d, 'assets', name))).then((body) =>
          body === undefined ? undefined : { body, type },
        );
        // Only files that exist stay cached: requests for made-up names must not grow the cache.
        found.then((asset) => asset ?? assets.delete(name), () => assets.delete(name));
        assets.set(name, found);
      }
      return found;
    },
  };
}
