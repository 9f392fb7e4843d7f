/**
 * The view model and HTML escaping, shared by the renderer and the page helpers (a file of its
 * own so that neither imports the other).
 */

/** Already-safe HTML: the only way a value reaches a page unescaped. */
export class SafeHtml {
  constructor(readonly value: string) {}
}

export type ViewValue =
  | string
  | number
  | boolean
  | null
  | undefined
  | SafeHtml
  | ViewModel
  | ViewModel[]
  | string[]
  | SafeHtml[];

export interface ViewModel {
  [key: string]: ViewValue;
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

/** Safe in text and in quoted attributes; the backtick covers old IE's unquoted-attribute quirk. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"'`]/g, (c) => ESCAPES[c]!);
}
