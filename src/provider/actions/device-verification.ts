import { parseScope } from '../checks/scope.js';
import type { Ctx, Middleware, Provider } from '../context.js';
import { csrfToken, verifyCsrf } from '../csrf.js';
import { findPendingDevice, settleDevice, type PendingDevice } from '../device/approval.js';
import { formatUserCode, normaliseUserCode } from '../device/user-code.js';
import { displayableLogo } from '../logo-uri.js';
import { parseParams } from '../middleware/body.js';
import { pageSecurityHeaders } from '../middleware/security-headers.js';
import { describeScope } from '../scope-descriptions.js';
import { loadSession } from '../session.js';
import { startInteraction } from '../start-interaction.js';

const INVALID_CODE = 'That code is not valid or has expired. Check your device and try again.';

function action(op: Provider): string {
  return `${op.config.issuer}${op.config.routes.device_verification}`;
}

async function renderEntry(op: Provider, ctx: Ctx, userCode: string, error?: string) {
  if (error) ctx.status = 400;
  ctx.type = 'html';
  ctx.body = await op.views.render('device', { action: action(op), csrf: csrfToken(op, ctx), userCode, error });
}

async function renderConfirm(op: Provider, ctx: Ctx, device: PendingDevice) {
  ctx.type = 'html';
  ctx.body = await op.views.render('device-confirm', {
    action: action(op),
    csrf: csrfToken(op, ctx),
    userCode: formatUserCode(device.record.userCode),
    client: { name: device.client.client_name ?? device.client.client_id, logoUri: displayableLogo(device.client.logo_uri) },
    scopes: parseScope(device.record.scope).map((name) => ({ name, description: describeScope(name) })),
  });
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
      const device = await findPendingDevice(op, userCode);
      if (!device) return renderEntry(op, ctx, formatUserCode(normaliseUserCode(userCode)), INVALID_CODE);
      return renderConfirm(op, ctx, device);
    },
  ];
}

/** POST /device — check the code, then Continue (sign in if needed) or Cancel. */
export function deviceSubmit(op: Provider): Middleware[] {
  return [
    pageSecurityHeaders,
    parseParams,
    async function submitDeviceCode(ctx) {
      verifyCsrf(ctx);
      const { user_code: userCode = '', decision } = ctx.state.params;
      const device = await findPendingDevice(op, userCode);
      if (!device) return renderEntry(op, ctx, formatUserCode(normaliseUserCode(userCode)), INVALID_CODE);
      ctx.state.clientId = device.client.client_id;
      const clientName = device.client.client_name ?? device.client.client_id;
      if (decision === 'deny') {
        await settleDevice(op, device, { denied: true });
        return renderDeviceDone(op, ctx, clientName, false);
      }
      if (decision !== 'allow') return renderConfirm(op, ctx, device);
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
