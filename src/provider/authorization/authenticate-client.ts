import { authenticateClient } from '../middleware/client-auth.js';
import type { AuthorizationStep } from './step.js';

/**
 * Back-channel endpoints (PAR, device authorization, CIBA) authenticate the client exactly like
 * the token endpoint does (RFC 9126 2.1, RFC 8628 3.1): the caller is the client of the request.
 */
export const authenticateCaller: AuthorizationStep = (op) => authenticateClient(op);
