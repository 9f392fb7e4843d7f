/** An HTTP response as the RP received it: the JSON object it carried, or its text. */
export interface HttpAnswer {
  status: number;
  body: Record<string, unknown> | undefined;
  /** The body as text when it was not a JSON object. */
  text?: string;
}

/** Read `response` (a clone: the original stays unread for oauth4webapi). */
export async function readAnswer(response: Response): Promise<HttpAnswer> {
  const text = await response.text();
  try {
    const body = JSON.parse(text) as unknown;
    if (typeof body === 'object' && body !== null && !Array.isArray(body)) return { status: response.status, body: body as Record<string, unknown> };
  } catch {
    // not JSON
  }
  return { status: response.status, body: undefined, text };
}

/** An OAuth error response (RFC 6749 5.2) in words: "description (error)", or the HTTP status. */
export function describeError(answer: HttpAnswer): string {
  const error = answer.body?.error;
  if (typeof error !== 'string') return `HTTP ${answer.status}`;
  const description = answer.body?.error_description;
  return typeof description === 'string' && description ? `${description} (${error})` : error;
}
