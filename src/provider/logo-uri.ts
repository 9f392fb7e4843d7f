/**
 * A client's logo_uri as an <img src>: only http(s) and inline images. A registration may hold
 * anything (the programmatic API takes clients as they are); `javascript:` or other schemes never
 * reach a page.
 */
export function displayableLogo(uri: string | undefined): string | undefined {
  return uri !== undefined && /^(https?:\/\/|data:image\/(png|gif|jpeg|webp);)/i.test(uri) ? uri : undefined;
}
