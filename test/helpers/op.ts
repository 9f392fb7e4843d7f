import { startDevOp, type DevOp, type DevOpOptions } from '../../src/index.js';
import type { Client, User } from '../../src/store/types.js';

/** A real dev-op server on a free loopback port with an in-memory store. */
export async function startTestOp(options: DevOpOptions = {}): Promise<DevOp> {
  return startDevOp({ port: 0, host: '127.0.0.1', memory: true, log: 'none', ...options });
}

export const confidentialClient = (overrides: Partial<Client> = {}): Client => ({
  client_id: 'web',
  client_secret: 'web-secret',
  redirect_uris: ['http://localhost:3000/cb'],
  post_logout_redirect_uris: ['http://localhost:3000/'],
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  token_endpoint_auth_method: 'client_secret_basic',
  ...overrides,
});

export const passwordUser = (overrides: Partial<User> = {}): User => ({
  username: 'bob',
  sub: 'bob-sub',
  password: 'b0b-pw',
  claims: { name: 'Bob Builder', email: 'bob@example.com', email_verified: false, groups: ['dev'] },
  ...overrides,
});
