import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Decider } from '../shared/decider.js';
import { ConflictError } from '../shared/errors.js';
import { eventSchema, streamName } from '../shared/events.js';

/**
 * Which user an OpenID Provider's subject belongs to: one stream per
 * (issuer, subject), claimed once, like an email reservation. Logins look
 * users up here first, so a person is found by the identifier the issuer
 * promises never to reassign, not by an address it may hand to someone else.
 */
export const EXTERNAL_IDENTITY_CATEGORY = 'externalidentity';

export function externalIdentityStream(issuer: string, subject: string): string {
  // Length-prefixed, so no issuer and subject pair can spell another pair.
  const key = `${issuer.length}:${issuer}${subject}`;
  return streamName(EXTERNAL_IDENTITY_CATEGORY, createHash('sha256').update(key).digest('hex'));
}

export const externalIdentityReservedSchema = eventSchema(
  'ExternalIdentityReserved',
  z.object({ issuer: z.string().min(1), subject: z.string().min(1), userId: z.string().min(1) }),
);
export const externalIdentityReservationEventSchema = z.discriminatedUnion('type', [externalIdentityReservedSchema]);
export type ExternalIdentityReservationEvent = z.infer<typeof externalIdentityReservationEventSchema>;

export type ExternalIdentityReservationCommand = { type: 'ReserveExternalIdentity'; data: { issuer: string; subject: string; userId: string } };

export type ExternalIdentityReservationState = { status: 'Free' } | { status: 'Reserved'; userId: string };

export const externalIdentityReservationDecider: Decider<
  ExternalIdentityReservationState,
  ExternalIdentityReservationCommand,
  ExternalIdentityReservationEvent
> = {
  initialState: () => ({ status: 'Free' }),
  evolve(_state, event) {
    switch (event.type) {
      case 'ExternalIdentityReserved':
        return { status: 'Reserved', userId: event.data.userId };
      default: {
        const _exhaustive: never = event.type;
        return _exhaustive;
      }
    }
  },
  decide(command, state) {
    switch (command.type) {
      case 'ReserveExternalIdentity':
        if (state.status === 'Free') return [{ type: 'ExternalIdentityReserved', data: command.data }];
        if (state.userId === command.data.userId) return [];
        throw new ConflictError('this identity belongs to another account', { code: 'external_identity_conflict' });
      default: {
        const _exhaustive: never = command.type;
        return _exhaustive;
      }
    }
  },
};
