import type { DeviceCodeRecord, SessionRecord, UserCodeRecord } from '../../store/records.js';
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
  const index = await op.store.get<UserCodeRecord>('UserCode', normaliseUserCode(userCode));
  if (!index) return undefined;
  const record = await op.store.get<DeviceCodeRecord>('DeviceCode', index.deviceCode);
  if (!record || record.status !== 'pending' || epochSeconds(op.clock) >= record.expiresAt) return undefined;
  const client = await op.store.getClient(record.clientId);
  return client ? { deviceCode: index.deviceCode, record, client } : undefined;
}

/** Settle a device authorization; the user code stops working either way. */
export async function settleDevice(
  op: Provider,
  device: PendingDevice,
  outcome: { approvedBy: { id: string; record: SessionRecord } } | { denied: true },
): Promise<void> {
  let next: DeviceCodeRecord;
  if ('denied' in outcome) {
    next = { ...device.record, status: 'denied' };
  } else {
    const session = outcome.approvedBy;
    const grantId = await ensureGrant(op, session, device.client, parseScope(device.record.scope));
    next = {
      ...device.record, status: 'approved', accountId: session.record.accountId, authTime: session.record.loginTs,
      amr: session.record.amr, sid: session.record.sid, grantId,
    };
  }
  await op.store.put('DeviceCode', device.deviceCode, next);
  await op.store.delete('UserCode', device.record.userCode);
}
