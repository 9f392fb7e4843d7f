import { InvalidInteraction } from '../../errors/oauth-errors.js';
import type { DeviceCodeRecord, SessionRecord } from '../../store/records.js';
import type { Client } from '../../store/types.js';
import { epochSeconds } from '../../util/clock.js';
import { parseScope } from '../checks/scope.js';
import type { Provider } from '../context.js';
import { ensureGrant } from '../ensure-grant.js';
import { normaliseUserCode } from './user-code.js';

export interface PendingDevice {
  deviceCode: string;
  record: DeviceCodeRecord;
  client: Client;
}

/** The device waiting for this user code, if it is still pending and unexpired. */
export async function findPendingDevice(op: Provider, userCode: string): Promise<PendingDevice | undefined> {
  const index = await op.store.get('UserCode', normaliseUserCode(userCode));
  if (!index) return undefined;
  const record = await op.store.get('DeviceCode', index.deviceCode);
  if (!record || record.status !== 'pending' || epochSeconds(op.clock) >= record.expiresAt) return undefined;
  const client = await op.store.getClient(record.clientId);
  return client ? { deviceCode: index.deviceCode, record, client } : undefined;
}

/**
 * Settle a device authorization; the user code stops working either way. Atomic on the device
 * code: of an approve and a deny racing (two tabs, a double submit) exactly one wins, and the
 * other is told the code is no longer pending.
 */
export async function settleDevice(
  op: Provider,
  device: PendingDevice,
  outcome: { approvedBy: { id: string; record: SessionRecord } } | { denied: true },
): Promise<void> {
  let settle: (record: DeviceCodeRecord) => DeviceCodeRecord;
  if ('denied' in outcome) {
    settle = (record) => ({ ...record, status: 'denied' });
  } else {
    const session = outcome.approvedBy;
    const grantId = await ensureGrant(op, session, device.client, parseScope(device.record.scope));
    settle = (record) => ({
      ...record, status: 'approved', accountId: session.record.accountId, authTime: session.record.loginTs,
      amr: session.record.amr, sid: session.record.sid, grantId,
    });
  }
  let settled = false;
  const now = epochSeconds(op.clock);
  await op.store.update('DeviceCode', device.deviceCode, (record) => {
    if (record.status !== 'pending' || now >= record.expiresAt) return undefined;
    settled = true;
    return settle(record);
  });
  await op.store.delete('UserCode', device.record.userCode);
  if (!settled) throw new InvalidInteraction('the device code has expired or was already used; start again on the device');
}
