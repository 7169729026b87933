import type { RequestHandler, Router } from 'express';

/**
 * The router, entered only by requests whose path begins with the literal
 * start of one of `paths` (up to its first `:parameter`); others go straight
 * on to the next module. Express would find no route of this router for them
 * anyway, but only after trying each route's pattern in turn, for every
 * module mounted before the one that answers.
 *
 * The check follows express' own matching: paths compare without regard to
 * case (routers are not case-sensitive), and a prefix needs no trailing
 * slash of the request (`/api/posts/` is `/api/posts`).
 */
export function onlyUnder(paths: readonly string[], router: Router): RequestHandler {
  const prefixes = literalPrefixes(paths);
  const guarded: RequestHandler = (req, res, next) => {
    const path = req.path.toLowerCase();
    if (prefixes.some((prefix) => path.startsWith(prefix))) {
      router(req, res, next);
      return;
    }
    next();
  };
  // Express' record of what it serves stays walkable through mounted routers (the OpenAPI drift test reads it).
  return Object.assign(guarded, { stack: router.stack });
}

/** `/api/posts/:id` → `/api/posts/`; `/api/posts` stays; the shortest of those sharing a start. */
export function literalPrefixes(paths: readonly string[]): string[] {
  const literal = paths.map((path) => {
    const parameter = path.indexOf(':');
    return (parameter === -1 ? path : path.slice(0, parameter)).toLowerCase();
  });
  const sorted = [...new Set(literal)].sort((a, b) => a.length - b.length);
  return sorted.filter((prefix, i) => !sorted.slice(0, i).some((shorter) => prefix.startsWith(shorter)));
}
