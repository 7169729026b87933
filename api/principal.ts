import type { Response } from 'express';
import type { Principal } from '../auth/principal.js';
import { Unauthorized } from './errors.js';

/**
 * The authentication middleware puts who is asking in `res.locals.principal`
 * (absent for anonymous requests); routes read it through these two.
 */
export function principalOf(res: Response): Principal | undefined {
  return (res.locals as { principal?: Principal }).principal;
}

export function setPrincipal(res: Response, principal: Principal): void {
  (res.locals as { principal?: Principal }).principal = principal;
}

export function requirePrincipal(res: Response): Principal {
  const principal = principalOf(res);
  if (!principal) throw new Unauthorized('this needs a bearer token or an API key', { code: 'unauthenticated' });
  return principal;
}
