import { createRandom } from '../util/random.js';
import type { Clock } from '../util/clock.js';

/**
 * Pre-authenticated logins for the instance's own code (a test's `loginAs`): a ticket, sent in a
 * header with one authorization request, logs in its user with no page and no consent. Tickets
 * are 256-bit random, held in this provider's memory only, used once and short-lived, so nobody
 * outside the process that asked for one can present one.
 */
export const LOGIN_TICKET_HEADER = 'x-dev-op-login-ticket';

export interface LoginTicket {
  username: string;
  /** Authentication methods the login reports (OIDC Core 2 `amr`). */
  amr: string[];
  /** User claims this login overrides. */
  claims?: Record<string, unknown>;
}

const TICKET_TTL_MS = 30_000;

export interface LoginTickets {
  issue(ticket: LoginTicket): string;
  /** The ticket's login, once; undefined for an unknown, used or expired ticket. */
  take(id: string): LoginTicket | undefined;
}

export function loginTickets(clock: Clock): LoginTickets {
  const open = new Map<string, LoginTicket & { exp: number }>();
  // A secret: always from the CSPRNG, also when the instance's random source is seeded.
  const random = createRandom();
  return {
    issue(ticket) {
      const now = clock.now();
      for (const [id, t] of open) if (t.exp <= now) open.delete(id);
      const id = random.id();
      open.set(id, { ...ticket, exp: now + TICKET_TTL_MS });
      return id;
    },
    take(id) {
      const ticket = open.get(id);
      open.delete(id);
      if (!ticket || ticket.exp <= clock.now()) return undefined;
      return { username: ticket.username, amr: ticket.amr, ...(ticket.claims ? { claims: ticket.claims } : {}) };
    },
  };
}
