import { describe, expect, it } from '@jest/globals';
import { duplicateKeys } from '../support/log-lines.js';

describe('duplicateKeys', () => {
  it('finds a key repeated in one object, at any depth, and nothing else', () => {
    expect(duplicateKeys('{"a":1,"b":"x\\"y:","a":2}')).toEqual(['a']);
    expect(duplicateKeys('{"a":{"b":1,"c":[{"b":2},{"b":3}],"b":4},"c":"b"}')).toEqual(['b']);
    expect(duplicateKeys('{"service":"chronicle","msg":"{\\"service\\":1}"}')).toEqual([]);
  });
});
