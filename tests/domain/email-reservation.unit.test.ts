import { describe, expect, it } from '@jest/globals';
import { emailReservationDecider, emailReservationStream, type EmailReservationEvent } from '../../domain/email/email-reservation.js';
import { installationDecider } from '../../domain/installation/installation.js';
import { ConflictError } from '../../domain/shared/errors.js';
import { deciderSpec } from '../support/decider-spec.js';

const spec = deciderSpec(emailReservationDecider);
const reserved: EmailReservationEvent = { type: 'EmailReserved', data: { email: 'ada@example.com', userId: 'u-1' } };
const released: EmailReservationEvent = { type: 'EmailReservationReleased', data: { email: 'ada@example.com', userId: 'u-1', reason: 'abandoned' } };

describe('email reservation decider', () => {
  it('reserves a free address', () => {
    spec.given([]).when({ type: 'ReserveEmail', data: reserved.data }).then([reserved]);
  });

  it('refuses an address another user holds, and lets the holder retry', () => {
    spec.given([reserved]).when({ type: 'ReserveEmail', data: { email: 'ada@example.com', userId: 'u-2' } }).thenThrows(ConflictError, 'email_taken');
    spec.given([reserved]).when({ type: 'ReserveEmail', data: reserved.data }).then([]);
  });

  it('releases only the holder’s reservation, after which the address is free again', () => {
    spec.given([reserved]).when({ type: 'ReleaseEmail', data: { email: 'ada@example.com', userId: 'u-2', reason: 'abandoned' } }).then([]);
    spec.given([reserved]).when({ type: 'ReleaseEmail', data: released.data }).then([released]);
    spec.given([reserved, released]).when({ type: 'ReserveEmail', data: { email: 'ada@example.com', userId: 'u-2' } }).then([
      { type: 'EmailReserved', data: { email: 'ada@example.com', userId: 'u-2' } },
    ]);
  });

  it('names the stream by a hash, not by the address', () => {
    expect(emailReservationStream('ada@example.com')).toMatch(/^email-[0-9a-f]{64}$/);
  });
});

describe('installation decider', () => {
  const installation = deciderSpec(installationDecider);
  it('is claimed by the first user only', () => {
    installation.given([]).when({ type: 'ClaimInstallation', data: { userId: 'u-1' } }).then([{ type: 'InstallationClaimed', data: { firstUserId: 'u-1' } }]);
    installation.given([{ type: 'InstallationClaimed', data: { firstUserId: 'u-1' } }]).when({ type: 'ClaimInstallation', data: { userId: 'u-2' } }).then([]);
  });
});
