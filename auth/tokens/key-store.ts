import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import type { Knex } from 'knex';

export type KeyUse = 'sig' | 'enc';

/** ES256 for signatures (the widest verifier support); ECDH-ES+A256KW on P-256 for the optional JWE layer. */
export const KEY_ALGORITHMS: Record<KeyUse, string> = { sig: 'ES256', enc: 'ECDH-ES+A256KW' };

export interface ServerKey {
  kid: string;
  use: KeyUse;
  alg: string;
  publicJwk: JWK;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
}

interface KeyRow {
  kid: string;
  use: KeyUse;
  alg: string;
  public_jwk: JWK;
  private_jwk: JWK;
  active: boolean;
}

/**
 * The server's own key pairs, generated on first start and kept in
 * PostgreSQL, so every API process signs with the same key and a restart
 * does not log everyone out. Never in the repository, never in a log.
 * Concurrent first starts race on a unique index and all read the winner.
 */
export class KeyStore {
  constructor(private readonly knex: Knex) {}

  /** The active key for `use`, created if there is none. */
  async activeKey(use: KeyUse): Promise<ServerKey> {
    const existing = await this.activeRow(use);
    if (existing) return toServerKey(existing);
    await this.knex.raw('INSERT INTO auth_signing_keys (kid, use, alg, public_jwk, private_jwk) VALUES (?, ?, ?, ?, ?) ON CONFLICT (use) WHERE active DO NOTHING', await newKeyRow(use));
    const winner = await this.activeRow(use);
    if (!winner) throw new Error(`no active ${use} key after generating one`);
    return toServerKey(winner);
  }

  /** Public keys of every stored signing key, active or retired, for verification and the JWKS. */
  async verificationKeys(): Promise<JWK[]> {
    const rows = await this.knex<KeyRow>('auth_signing_keys').where({ use: 'sig' }).orderBy('created_at', 'desc');
    return rows.map((row) => ({ ...row.public_jwk, kid: row.kid, alg: row.alg, use: 'sig' }));
  }

  private activeRow(use: KeyUse): Promise<KeyRow | undefined> {
    return this.knex<KeyRow>('auth_signing_keys').where({ use, active: true }).first();
  }
}

async function newKeyRow(use: KeyUse): Promise<[string, KeyUse, string, string, string]> {
  const alg = KEY_ALGORITHMS[use];
  const pair = use === 'sig' ? await generateKeyPair(alg, { extractable: true }) : await generateKeyPair(alg, { crv: 'P-256', extractable: true });
  const publicJwk = await exportJWK(pair.publicKey);
  const privateJwk = await exportJWK(pair.privateKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  return [kid, use, alg, JSON.stringify(publicJwk), JSON.stringify(privateJwk)];
}

async function toServerKey(row: KeyRow): Promise<ServerKey> {
  const privateKey = await importJWK(row.private_jwk, row.alg);
  const publicKey = await importJWK(row.public_jwk, row.alg);
  if (privateKey instanceof Uint8Array || publicKey instanceof Uint8Array) throw new Error('expected asymmetric keys');
  return { kid: row.kid, use: row.use, alg: row.alg, publicJwk: { ...row.public_jwk, kid: row.kid, alg: row.alg, use: row.use }, privateKey, publicKey };
}
