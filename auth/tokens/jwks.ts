import type { JSONWebKeySet } from 'jose';
import type { KeyStore } from './key-store.js';

/** The document for GET /.well-known/jwks.json: public signing keys only, each with its kid. */
export async function jwksDocument(keyStore: KeyStore): Promise<JSONWebKeySet> {
  const keys = await keyStore.verificationKeys();
  return { keys: keys.map(({ kty, crv, x, y, kid, alg, use }) => ({ kty, crv, x, y, kid, alg, use })) };
}
