import { describe, expect, it } from '@jest/globals';
import { diffStates } from '../../domain/audit/diff.js';

describe('diffStates: what one event changed, field by field', () => {
  const active = { status: 'Active', postId: 'p', title: 'First', body: 'Text', format: 'plain', visibility: 'private' };

  it('names only the fields that differ, with their values before and after', () => {
    expect(diffStates(active, { ...active, title: 'Second', visibility: 'public' })).toEqual([
      { path: '/title', before: 'First', after: 'Second' },
      { path: '/visibility', before: 'private', after: 'public' },
    ]);
    expect(diffStates(active, { ...active })).toEqual([]);
  });

  it('leaves `before` out for a field that appears and `after` for one that goes', () => {
    expect(diffStates({ status: 'Empty' }, { status: 'Active', title: 'First' })).toEqual([
      { path: '/status', before: 'Empty', after: 'Active' },
      { path: '/title', after: 'First' },
    ]);
    const changes = diffStates(active, { status: 'Deleted', postId: 'p' });
    expect(changes).toContainEqual({ path: '/title', before: 'First' });
    expect(changes.find((change) => change.path === '/title')).not.toHaveProperty('after');
  });

  it('goes into nested objects (a collection’s members) and treats an array as one value (its order is its meaning)', () => {
    const before = { postIds: ['a', 'b', 'c'], members: { u1: 'viewer' } };
    expect(diffStates(before, { postIds: ['b', 'c'], members: { u1: 'editor', u2: 'viewer' } })).toEqual([
      { path: '/postIds', before: ['a', 'b', 'c'], after: ['b', 'c'] },
      { path: '/members/u1', before: 'viewer', after: 'editor' },
      { path: '/members/u2', after: 'viewer' },
    ]);
    expect(diffStates(before, { postIds: ['a', 'b', 'c'], members: {} })).toEqual([{ path: '/members/u1', before: 'viewer' }]);
  });

  it('compares arrays and objects inside them by value, whatever the order of keys', () => {
    expect(diffStates({ list: [{ a: 1, b: 2 }] }, { list: [{ b: 2, a: 1 }] })).toEqual([]);
    expect(diffStates({ list: [{ a: 1 }] }, { list: [{ a: 2 }] })).toEqual([{ path: '/list', before: [{ a: 1 }], after: [{ a: 2 }] }]);
  });

  it('writes paths as JSON Pointers, so a key holding / or ~ stays one key', () => {
    expect(diffStates({ members: {} }, { members: { 'a/b~c': 'viewer' } })).toEqual([{ path: '/members/a~1b~0c', after: 'viewer' }]);
  });

  it('reports a change of kind (object to text, or of the whole state) at its own path', () => {
    expect(diffStates({ x: { y: 1 } }, { x: 'flat' })).toEqual([{ path: '/x', before: { y: 1 }, after: 'flat' }]);
    expect(diffStates(1, 2)).toEqual([{ path: '', before: 1, after: 2 }]);
  });
});
