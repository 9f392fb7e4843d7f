import { parseScope } from '../checks/scope.js';
import type { Ctx, Middleware, Provider } from '../context.js';
import { csrfToken, verifyCsrf } from '../csrf.js';
import { findPendingDevice, settleDevice, type PendingDevice } from '../device/approval.js';
import { formatUserCode, normaliseUserCode } from '../device/user-code.js';
import { displayableLogo } from '../logo-uri.js';
import { parseParams } from '../middleware/body.js';
import { sameOriginPost } from '../middleware/same-origin.js';
import { pageSecurityHeaders } from '../middleware/security-headers.js';
import { describeScope } from '../scope-descriptions.js';
import { loadSession } from '../session.js';
import { startInteraction } from '../start-interaction.js';

const INVALID_CODE = 'That code is not valid or has expired. Check your device and try again.';

/** What CSRF tokens are bound to (csrf.ts): the code entry form, or the confirmation of one device. */
const ENTRY = 'device';
const confirmBinding = (device: PendingDevice) => `device:${device.deviceCode}`;

function action(op: Provider): string {
  return `${op.config.issuer}${op.config.routes.device_verification}`;
}

const TOO_MANY = (seconds: number) =>
  `Too many wrong codes were entered. To keep codes from being guessed, wait ${seconds} second${seconds === 1 ? '' : 's'} and try again.`;

async function renderEntry(op: Provider, ctx: Ctx, userCode: string, error?: string, status = 400) {
  if (error) ctx.status = status;
  ctx.type = 'html';
  ctx.body = await op.views.render('device', { action: action(op), csrf: csrfToken(op, ctx, ENTRY), userCode, error });
}

async function renderConfirm(op: Provider, ctx: Ctx, device: PendingDevice) {
  ctx.type = 'html';
  ctx.body = await op.views.render('device-confirm', {
    action: action(op),
    csrf: csrfToken(op, ctx, confirmBinding(device)),
    userCode: formatUserCode(device.record.userCode),
    client: { name: device.client.client_name ?? device.client.client_id, logoUri: displayableLogo(device.client.logo_uri) },
    scopes: parseScope(device.record.scope).map((name) => ({ name, description: describeScope(name) })),
  });
}

/**
 * The device waiting for `userCode`, or the entry page again: with "not valid", or (RFC 8628 5.1,
 * after repeated wrong codes) 429 and how long to wait.
 */
async function lookUp(op: Provider, ctx: Ctx, userCode: string): Promise<PendingDevice | undefined> {
  const typed = formatUserCode(normaliseUserCode(userCode));
  const wait = op.userCodeAttempts.retryAfter();
  if (wait > 0) {
    ctx.set('Retry-After', String(wait));
    await renderEntry(op, ctx, typed, TOO_MANY(wait), 429);
    return undefined;
  }
  const device = await findPendingDevice(op, userCode);
  if (!device) {
    op.userCodeAttempts.failed();
    await renderEntry(op, ctx, typed, INVALID_CODE);
  }
  return device;
}

export async function renderDeviceDone(op: Provider, ctx: Ctx, clientName: string, ok: boolean) {
  ctx.type = 'html';
  ctx.body = await op.views.render('device-done', {
    ok,
    clientName,
    ...(ok ? {} : { error: 'access_denied', description: 'You cancelled the request. The device will not be signed in.' }),
  });
}

/** GET /device — enter a user code, or confirm the one in verification_uri_complete. */
export function deviceEntry(op: Provider): Middleware[] {
  return [
    pageSecurityHeaders,
    parseParams,
    async function showDevicePage(ctx) {
      const userCode = ctx.state.params.user_code;
      if (userCode === undefined) return renderEntry(op, ctx, '');
      const device = await lookUp(op, ctx, userCode);
      if (device) await renderConfirm(op, ctx, device);
    },
  ];
}

/** POST /device — check the code, then Continue (sign in if needed) or Cancel. */
export function deviceSubmit(op: Provider): Middleware[] {
  return [
    pageSecurityHeaders,
    sameOriginPost(op),
    parseParams,
    async function submitDeviceCode(ctx) {
      const { user_code: userCode = '', decision } = ctx.state.params;
      const deciding = decision === 'allow' || decision === 'deny';
      // The entry form's token looks a code up; only the confirm page's token, made for this
      // device, can approve or deny it.
      if (!deciding) verifyCsrf(op, ctx, ENTRY);
      const device = await lookUp(op, ctx, userCode);
      if (!device) return;
      if (deciding) verifyCsrf(op, ctx, confirmBinding(device));
      ctx.state.clientId = device.client.client_id;
      const clientName = device.client.client_name ?? device.client.client_id;
      if (decision === 'deny') {
        await settleDevice(op, device, { denied: true });
        return renderDeviceDone(op, ctx, clientName, false);
      }
      if (!deciding) return renderConfirm(op, ctx, device);
      const session = await loadSession(op, ctx);
      if (session) {
        await settleDevice(op, device, { approvedBy: session });
        return renderDeviceDone(op, ctx, clientName, true);
      }
      // Not signed in: the usual login page, then back here through the interaction's finish.
      const params = { client_id: device.client.client_id, redirect_uri: '', response_type: 'device_code', scope: device.record.scope };
      ctx.redirect(await startInteraction(op, ctx, params, 'login', device.deviceCode));
    },
  ];
}
