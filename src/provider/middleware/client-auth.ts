import { InvalidClient, InvalidRequest } from '../../errors/oauth-errors.js';
import { safeEqual } from '../../util/safe-equal.js';
import { ASSERTION_TYPE, verifyClientAssertion } from '../client-assertion.js';
import type { Ctx, Middleware, Provider } from '../context.js';
import { acceptAtToken, acceptedWarning } from '../accept-any-client.js';

interface Presented {
  /** 'jwt' covers both assertion methods: which one is decided by the client's registration. */
  method: 'client_secret_basic' | 'client_secret_post' | 'jwt' | 'none';
  clientId: string;
  secret?: string;
  assertion?: string;
}

/** The client_id an assertion claims to be from (its `sub`), before anything is verified. */
function assertionClientId(assertion: string): string {
  // Decoded by hand: loading jose for this alone would cost every token endpoint's first request.
  const segments = assertion.split('.');
  try {
    const payload: unknown = segments.length === 3 ? JSON.parse(Buffer.from(segments[1]!, 'base64url').toString('utf8')) : undefined;
    const sub = typeof payload === 'object' && payload !== null ? (payload as { sub?: unknown }).sub : undefined;
    if (typeof sub === 'string') return sub;
  } catch {
    // fall through
  }
  throw new InvalidClient('client_assertion is not a JWT with a sub claim');
}

/**
 * RFC 6749 2.3.1: Basic credentials are form-url-encoded before base64. Several RP libraries send
 * them raw; a value that is not valid form-encoding (a lone `%`) can only have been sent raw.
 */
function formDecode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return value;
  }
}

function presentedCredentials(ctx: Ctx): Presented {
  const { params } = ctx.state;
  const header = ctx.get('authorization');
  const methods: Presented[] = [];
  if (/^basic /i.test(header)) {
    const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw new InvalidRequest('the Basic authorization header must hold client_id:client_secret');
    methods.push({ method: 'client_secret_basic', clientId: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) });
    if (params.client_id !== undefined && params.client_id !== methods[0]!.clientId) {
      throw new InvalidRequest('client_id in the body does not match the authenticated client');
    }
  }
  if (params.client_secret !== undefined) {
    if (params.client_id === undefined) throw new InvalidRequest('client_secret given without client_id');
    methods.push({ method: 'client_secret_post', clientId: params.client_id, secret: params.client_secret });
  }
  if (params.client_assertion !== undefined || params.client_assertion_type !== undefined) {
    if (params.client_assertion_type !== ASSERTION_TYPE) throw new InvalidRequest(`client_assertion_type must be ${ASSERTION_TYPE}`);
    if (!params.client_assertion) throw new InvalidRequest('missing required parameter: client_assertion');
    const clientId = assertionClientId(params.client_assertion);
    if (params.client_id !== undefined && params.client_id !== clientId) throw new InvalidRequest('client_id does not match the client assertion');
    methods.push({ method: 'jwt', clientId, assertion: params.client_assertion });
  }
  if (methods.length > 1) throw new InvalidRequest('the client must use only one authentication method per request');
  if (methods[0]) return methods[0];
  if (params.client_id === undefined) throw new InvalidClient('no client authentication included; send client_id (and a secret) or a Basic authorization header');
  return { method: 'none', clientId: params.client_id };
}

/** Authenticate the client at the token endpoint by its registered token_endpoint_auth_method. */
export function authenticateClient(op: Provider): Middleware {
  const origin = new URL(op.config.issuer).origin;
  return async function clientAuthentication(ctx, next) {
    const presented = presentedCredentials(ctx);
    ctx.state.authMethod = presented.method;
    ctx.state.clientId = presented.clientId;
    let client = await op.store.getClient(presented.clientId);
    if (!client) {
      client = await acceptAtToken(op, presented.clientId, presented.method, presented.secret);
      if (client) ctx.state.warning = acceptedWarning(presented.clientId);
    }
    if (!client) throw new InvalidClient(`client ${presented.clientId} is not registered`);
    const registered = client.token_endpoint_auth_method;
    const isJwtMethod = registered === 'client_secret_jwt' || registered === 'private_key_jwt';
    if (presented.method !== (isJwtMethod ? 'jwt' : registered)) {
      throw new InvalidClient(
        `client ${client.client_id} is registered for ${registered} but authenticated with ${presented.method === 'jwt' ? 'a client assertion' : presented.method}`,
      );
    }
    if (isJwtMethod) {
      await verifyClientAssertion(op, client, presented.assertion!, `${origin}${ctx.path}`);
    } else if (registered !== 'none' && (!client.client_secret || !safeEqual(presented.secret ?? '', client.client_secret))) {
      throw new InvalidClient('invalid client secret');
    }
    ctx.state.client = client;
    await next();
  };
}
