import { describe, expect, it } from '@jest/globals';
import { pageQuerySchema, pageRequest } from '../../api/pagination.js';

describe('?limit=&cursor= of a list', () => {
  it('defaults to 20 items and allows 1 to 100, as the contract says', () => {
    expect(pageRequest(pageQuerySchema.parse({}))).toEqual({ limit: 20 });
    expect(pageRequest(pageQuerySchema.parse({ limit: '100' }))).toEqual({ limit: 100 });
    for (const limit of ['0', '101', '-1', '1.5', 'ten']) expect(pageQuerySchema.safeParse({ limit }).success).toBe(false);
  });

  it('refuses a cursor that does not have the shape of ours', () => {
    const ours = Buffer.from(JSON.stringify(['abcdefghij', '2026-01-01 00:00:00+00', 'x']), 'utf8').toString('base64url');
    expect(pageRequest(pageQuerySchema.parse({ cursor: ours }))).toEqual({ limit: 20, cursor: ours });
    for (const cursor of ['', 'not-ours', Buffer.from('12345').toString('base64url'), `${ours}=`]) expect(pageQuerySchema.safeParse({ cursor }).success).toBe(false);
  });
});
