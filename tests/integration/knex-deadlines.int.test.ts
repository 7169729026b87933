import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { Knex } from 'knex';
import { createKnex } from '../../infra/postgres/knex.js';
import { copyRows } from '../../projections/copy-rows.js';
import { OwnPostgres } from '../support/own-postgres.js';
import { TcpProxy, type StallPoint } from '../support/tcp-proxy.js';

const STATEMENT_TIMEOUT_MS = 500;
/** A statement's deadline passed, or the connection was given up because of it. */
const GIVEN_UP = /Query read timeout|Connection terminated/;

/** The chunk that carries `text`, from its start: the server never sees that statement. */
function statementContaining(text: string): StallPoint {
  const needle = Buffer.from(text);
  return (chunk) => (chunk.includes(needle) ? 0 : undefined);
}

/**
 * The read models' and projections' pool (knex) through a connection that
 * goes silent: a statement fails at its deadline instead of waiting forever,
 * the connection it was sent on is never used again, and the server ends a
 * session its client left inside a transaction, so its locks go.
 */
describe('knex pool across a silent network', () => {
  let server: OwnPostgres;
  let proxy: TcpProxy;
  let direct: Knex;
  const pools: Knex[] = [];

  function throughProxy(poolSize: number): Knex {
    const knex = createKnex(proxy.url(server.url), poolSize, undefined, { statementTimeoutMs: STATEMENT_TIMEOUT_MS, connectTimeoutMs: 1_000 });
    pools.push(knex);
    return knex;
  }

  beforeAll(async () => {
    server = await OwnPostgres.start();
    proxy = await TcpProxy.start(server.port);
    direct = createKnex(server.url, 2);
    await direct.raw('CREATE TABLE counters (name text PRIMARY KEY, value int NOT NULL)');
    await direct('counters').insert({ name: 'a', value: 0 });
  }, 60_000);
  afterEach(async () => {
    proxy.cut();
    proxy.heal();
    await Promise.all(pools.splice(0).map((knex) => knex.destroy()));
  });
  afterAll(async () => {
    await direct?.destroy();
    await proxy?.close();
    await server?.destroy();
  }, 60_000);

  it('fails a statement that gets no answer, and does not send the next one on the same connection', async () => {
    const knex = throughProxy(1);
    await knex.raw('SELECT 1');
    proxy.stallWhen(statementContaining('chronicle-never-answered'));
    // knex reports the ROLLBACK's failure: the connection was given up at the deadline.
    await expect(knex.transaction((trx) => trx.raw("SELECT 'chronicle-never-answered'"))).rejects.toThrow(GIVEN_UP);
    // The pool's only connection still waits for that answer: the next statement needs another.
    const { rows } = await knex.raw<{ rows: Array<{ answer: number }> }>('SELECT 42 AS answer');
    expect(rows).toEqual([{ answer: 42 }]);
  }, 20_000);

  it('ends a server session left inside its transaction by a silent client, so its row locks go', async () => {
    const knex = throughProxy(1);
    proxy.stallWhen(statementContaining('chronicle-after-the-update'));
    const silent = knex.transaction(async (trx) => {
      await trx('counters').where({ name: 'a' }).increment('value', 1);
      await trx.raw("SELECT 'chronicle-after-the-update'");
    });
    await expect(silent).rejects.toThrow(GIVEN_UP);
    // The stalled socket stays open on the server's side: only the server's own timeout frees the row.
    await direct('counters').where({ name: 'a' }).increment('value', 10);
    expect(await direct('counters').where({ name: 'a' }).first('value')).toEqual({ value: 10 });
  }, 20_000);

  it('writes with COPY inside a transaction, as projections do (pg refuses COPY streams in pipeline mode)', async () => {
    const knex = throughProxy(1);
    await knex.transaction((trx) => copyRows(trx, 'counters', ['name', 'value'], [['copied', 7]]));
    expect(await direct('counters').where({ name: 'copied' }).first('value')).toEqual({ value: 7 });
  }, 20_000);
});
