import { streamName } from '../shared/events.js';

export const USER_CATEGORY = 'user';

export function userStream(userId: string): string {
  return streamName(USER_CATEGORY, userId);
}
