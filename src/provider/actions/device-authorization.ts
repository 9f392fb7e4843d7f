import { DEFAULTS } from '../../config/defaults.js';
import { UnauthorizedClient } from '../../errors/oauth-errors.js';
import type { DeviceCodeRecord } from '../../store/records.js';
import { epochSeconds } from '../../util/clock.js';
import { DEVICE_CODE_GRANT } from '../../protocol/capabilities.js';
import { checkUserScope } from '../checks/scope.js';
import { requestedResources } from '../resources.js';
import type { Middleware, Provider } from '../context.js';
import { generateUserCode, normaliseUserCode } from '../device/user-code.js';
import { parseParams } from '../middleware/body.js';
import { authenticateClient } from '../middleware/client-auth.js';
import { cors } from '../middleware/cors.js';
import { noStore } from '../middleware/no-store.js';
import { ttlFor } from '../ttl.js';

/** RFC 8628 3.1–3.2: a device asks for a device code and a user code to show its user. */
export function deviceAuthorization(op: Provider): Middleware[] {
  return [
    cors('POST'),
    noStore,
    parseParams,
    authenticateClient(op),
    async function issueDeviceCode(ctx) {
      const client = ctx.state.client!;
      if (!client.grant_types.includes(DEVICE_CODE_GRANT)) {
        throw new UnauthorizedClient(`client ${client.client_id} is not allowed the device_code grant`);
      }
      const resources = await requestedResources(op, ctx.state.params.resource);
      const scope = checkUserScope(client, ctx.state.params.scope, resources).join(' ');
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
        ...(resources.target ? { resource: resources.target.resource } : {}),
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
