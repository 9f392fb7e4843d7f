import { DEFAULTS } from '../../config/defaults.js';
import type { DeviceCodeRecord } from '../../store/records.js';
import { epochSeconds } from '../../util/clock.js';
import { authorizationSteps } from '../authorization/matrix.js';
import type { Middleware, Provider } from '../context.js';
import { generateUserCode, normaliseUserCode } from '../device/user-code.js';
import { parseParams } from '../middleware/body.js';
import { cors } from '../middleware/cors.js';
import { noStore } from '../middleware/no-store.js';
import { ttlFor } from '../ttl.js';

/** RFC 8628 3.1–3.2: a device asks for a device code and a user code to show its user. */
export function deviceAuthorization(op: Provider): Middleware[] {
  return [
    cors('POST'),
    noStore,
    parseParams,
    // Client authentication, the device_code grant, scope: ../authorization/matrix.ts.
    ...authorizationSteps(op, 'device_authorization'),
    async function issueDeviceCode(ctx) {
      const client = ctx.state.client!;
      const scope = ctx.state.params.scope ?? '';
      const now = epochSeconds(op.clock);
      const ttl = ttlFor(op, client, 'DeviceCode');
      const deviceCode = op.random.id();
      let userCode = generateUserCode(op.random);
      // A clash is ~1 in 2^34 per live code; retry rather than shadow another device's code.
      while (!(await op.store.putIfAbsent('UserCode', normaliseUserCode(userCode), { deviceCode, exp: now + ttl }))) {
        userCode = generateUserCode(op.random);
      }
      const record: DeviceCodeRecord = {
        clientId: client.client_id, userCode: normaliseUserCode(userCode), scope, status: 'pending',
        expiresAt: now + ttl, interval: DEFAULTS.deviceInterval, exp: now + ttl + 600,
        // RFC 8707: checked against the declared resource servers by the matrix's scope step.
        ...(ctx.state.params.resource !== undefined ? { resource: ctx.state.params.resource } : {}),
      };
      await op.store.put('DeviceCode', deviceCode, record);
      const verificationUri = `${op.config.issuer}${op.config.routes.device_verification}`;
      ctx.body = {
        device_code: deviceCode,
        user_code: userCode,
        verification_uri: verificationUri,
        verification_uri_complete: `${verificationUri}?user_code=${userCode}`,
        expires_in: ttl,
        interval: DEFAULTS.deviceInterval,
      };
    },
  ];
}
