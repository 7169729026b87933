import { z } from 'zod';
import type { Decider } from '../shared/decider.js';
import { eventSchema, streamName } from '../shared/events.js';

/**
 * Who was first: the first account of a fresh installation becomes its
 * operator. One stream, claimed once with expected revision no_stream, so two
 * simultaneous first signups cannot both win.
 */
export const INSTALLATION_STREAM = streamName('installation', 'main');

export const installationClaimedSchema = eventSchema('InstallationClaimed', z.object({ firstUserId: z.string().min(1) }));
export const installationEventSchema = z.discriminatedUnion('type', [installationClaimedSchema]);
export type InstallationEvent = z.infer<typeof installationEventSchema>;

export type InstallationCommand = { type: 'ClaimInstallation'; data: { userId: string } };

export type InstallationState = { status: 'Unclaimed' } | { status: 'Claimed'; firstUserId: string };

export const installationDecider: Decider<InstallationState, InstallationCommand, InstallationEvent> = {
  initialState: () => ({ status: 'Unclaimed' }),
  evolve(_state, event) {
    switch (event.type) {
      case 'InstallationClaimed':
        return { status: 'Claimed', firstUserId: event.data.firstUserId };
      default: {
        const _exhaustive: never = event.type;
        return _exhaustive;
      }
    }
  },
  decide(command, state) {
    switch (command.type) {
      case 'ClaimInstallation':
        // Losing the race is not an error: the caller reads "no events" as "someone else was first".
        return state.status === 'Unclaimed' ? [{ type: 'InstallationClaimed', data: { firstUserId: command.data.userId } }] : [];
      default: {
        const _exhaustive: never = command.type;
        return _exhaustive;
      }
    }
  },
};
