import { UsageError } from '../errors/app-errors.js';
import type { Client } from '../store/types.js';
import * as check from './validate.js';

/** `client add` input for the logout channels (OIDC Back-Channel / Front-Channel Logout 1.0, section 2.2 each). */
export interface LogoutChannelInput {
  backchannelLogoutUri?: string;
  backchannelLogoutSessionRequired?: boolean;
  frontchannelLogoutUri?: string;
  frontchannelLogoutSessionRequired?: boolean;
}

type LogoutMetadata = Pick<Client,
  'backchannel_logout_uri' | 'backchannel_logout_session_required' | 'frontchannel_logout_uri' | 'frontchannel_logout_session_required'>;

/** An absolute http(s) URI without a fragment (both specs, 2.2); http is fine for local development. */
function logoutUri(value: unknown, flag: string): string {
  const uri = check.httpsOrLocalUrl(value, flag);
  if (new URL(uri).hash || uri.includes('#')) throw new UsageError(`${flag} ${uri} must not have a fragment`);
  return uri;
}

function flagValue(value: unknown, flag: string): boolean | undefined {
  if (value !== undefined && typeof value !== 'boolean') throw new UsageError(`${flag} must be true or false`);
  return value;
}

/** The client's logout channel metadata from `client add` input, validated; only what is given. */
export function logoutChannels(input: LogoutChannelInput): LogoutMetadata {
  const back = input.backchannelLogoutUri === undefined ? undefined : logoutUri(input.backchannelLogoutUri, '--backchannel-logout-uri');
  const front = input.frontchannelLogoutUri === undefined ? undefined : logoutUri(input.frontchannelLogoutUri, '--frontchannel-logout-uri');
  const backSid = flagValue(input.backchannelLogoutSessionRequired, '--backchannel-logout-session-required');
  const frontSid = flagValue(input.frontchannelLogoutSessionRequired, '--frontchannel-logout-session-required');
  return {
    ...(back !== undefined ? { backchannel_logout_uri: back } : {}),
    ...(backSid !== undefined ? { backchannel_logout_session_required: backSid } : {}),
    ...(front !== undefined ? { frontchannel_logout_uri: front } : {}),
    ...(frontSid !== undefined ? { frontchannel_logout_session_required: frontSid } : {}),
  };
}
