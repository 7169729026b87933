import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Decider } from '../shared/decider.js';
import { ConflictError } from '../shared/errors.js';
import { eventSchema, streamName } from '../shared/events.js';

/**
 * Email uniqueness, guaranteed by the event store itself: one stream per
 * normalised email, claimed by appending at the revision the claimant read.
 * Of any number of concurrent claims exactly one append succeeds; the others
 * meet a WrongExpectedRevision, re-read, and are refused with ConflictError.
 * The stream's id is a hash so the address itself is not a stream name.
 */
export const EMAIL_CATEGORY = 'email';

export function emailReservationStream(normalisedEmail: string): string {
  return streamName(EMAIL_CATEGORY, createHash('sha256').update(normalisedEmail).digest('hex'));
}

export const emailReservedSchema = eventSchema('EmailReserved', z.object({ email: z.string().min(1), userId: z.string().min(1) }));
export const emailReservationReleasedSchema = eventSchema(
  'EmailReservationReleased',
  z.object({
    email: z.string().min(1),
    userId: z.string().min(1),
    /** `abandoned`: the signup never wrote its user stream (a crash between appends). */
    reason: z.enum(['abandoned']),
  }),
);
export const emailReservationEventSchema = z.discriminatedUnion('type', [emailReservedSchema, emailReservationReleasedSchema]);
export type EmailReservationEvent = z.infer<typeof emailReservationEventSchema>;

export type EmailReservationCommand =
  | { type: 'ReserveEmail'; data: { email: string; userId: string } }
  | { type: 'ReleaseEmail'; data: { email: string; userId: string; reason: 'abandoned' } };

export type EmailReservationState = { status: 'Free' } | { status: 'Reserved'; email: string; userId: string };

export const emailReservationDecider: Decider<EmailReservationState, EmailReservationCommand, EmailReservationEvent> = {
  initialState: () => ({ status: 'Free' }),
  evolve(state, event) {
    switch (event.type) {
      case 'EmailReserved':
        return { status: 'Reserved', email: event.data.email, userId: event.data.userId };
      case 'EmailReservationReleased':
        return { status: 'Free' };
      default: {
        const _exhaustive: never = event;
        return _exhaustive;
      }
    }
  },
  decide(command, state) {
    switch (command.type) {
      case 'ReserveEmail':
        if (state.status === 'Free') return [{ type: 'EmailReserved', data: command.data }];
        // The same signup retrying its own reservation is not a conflict.
        if (state.userId === command.data.userId) return [];
        throw new ConflictError('an account with this email already exists', { code: 'email_taken' });
      case 'ReleaseEmail':
        if (state.status !== 'Reserved' || state.userId !== command.data.userId) return [];
        return [{ type: 'EmailReservationReleased', data: command.data }];
      default: {
        const _exhaustive: never = command;
        return _exhaustive;
      }
    }
  },
};
