import { InvalidRequest } from '../../errors/oauth-errors.js';
import { promptValues } from '../interaction-policy.js';
import type { AuthorizationStep } from './step.js';

const PROMPTS = new Set(['none', 'login', 'consent', 'select_account']);

/** OIDC Core 3.1.2.1: known prompt values, `none` alone, and max_age a non-negative integer. */
export const checkPrompt: AuthorizationStep = () => async function checkPrompt(ctx, next) {
  const { params } = ctx.state;
  const prompts = promptValues(params.prompt);
  for (const p of prompts) if (!PROMPTS.has(p)) throw new InvalidRequest(`prompt ${p} is not supported`);
  if (prompts.has('none') && prompts.size > 1) throw new InvalidRequest('prompt=none must not be combined with other values');
  if (params.max_age !== undefined && !/^\d+$/.test(params.max_age)) throw new InvalidRequest('max_age must be a non-negative integer');
  await next();
};
