import { describe, expect, it } from '@jest/globals';
import {
  externalIdentityReservationDecider,
  externalIdentityStream,
  type ExternalIdentityReservationEvent,
} from '../../domain/external-identity/index.js';
import { ConflictError } from '../../domain/shared/errors.js';
import { deciderSpec } from '../support/decider-spec.js';

const spec = deciderSpec(externalIdentityReservationDecider);
const identity = { issuer: 'https://accounts.google.com', subject: 'g-1' };
const reserved: ExternalIdentityReservationEvent = { type: 'ExternalIdentityReserved', data: { ...identity, userId: 'u-1' } };

describe('external identity reservation', () => {
  it('belongs to the first user who reserves it; the same user again changes nothing', () => {
    spec.given([]).when({ type: 'ReserveExternalIdentity', data: { ...identity, userId: 'u-1' } }).then([reserved]);
    spec.given([reserved]).when({ type: 'ReserveExternalIdentity', data: { ...identity, userId: 'u-1' } }).then([]);
    spec.given([reserved]).when({ type: 'ReserveExternalIdentity', data: { ...identity, userId: 'u-2' } }).thenThrows(ConflictError, 'external_identity_conflict');
  });

  it('names one stream per issuer and subject pair, which no other pair can spell', () => {
    expect(externalIdentityStream('https://a.example', 'bc')).not.toBe(externalIdentityStream('https://a.exampleb', 'c'));
    expect(externalIdentityStream('https://a.example', 'x')).toBe(externalIdentityStream('https://a.example', 'x'));
    expect(externalIdentityStream('https://a.example', 'x')).toMatch(/^externalidentity-[0-9a-f]{64}$/);
  });
});
