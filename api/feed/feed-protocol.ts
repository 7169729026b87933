import { z } from 'zod';
import { textProblem } from '../../infra/event-store/names.js';

/**
 * The live feed's wire protocol (CONTRACT.md section 4): what a client may
 * send, checked with zod at the edge, and the server's messages. Event
 * messages are not built here but in feed-event-text.ts, once per event.
 */


const name = z
  .string()
  .min(1)
  .max(256)
  .refine((text) => textProblem(text) === undefined, 'must not contain U+0000 or an unpaired surrogate');

/** Each given part narrows: an event must match every part given (a category, a type and a stream of the lists). */
export const feedFilterSchema = z
  .object({
    categories: z.array(name).min(1).max(100).optional(),
    eventTypes: z.array(name).min(1).max(100).optional(),
    streams: z.array(name).min(1).max(100).optional(),
  })
  .strict();

export type FeedFilter = z.infer<typeof feedFilterSchema>;

/** `live`, `start`, or the last position the client received (exclusive). */
const fromSchema = z.union([z.literal('live'), z.literal('start'), z.string().regex(/^\d{1,40}$/, 'must be "live", "start" or a position')]);

export const subscriptionIdSchema = z.string().min(1).max(128);

export const clientMessageSchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('subscribe'),
      id: subscriptionIdSchema,
      filter: feedFilterSchema.default({}),
      from: fromSchema.default('live'),
    })
    .strict(),
  z.object({ type: z.literal('unsubscribe'), id: subscriptionIdSchema }).strict(),
]);

export type ClientMessage = z.infer<typeof clientMessageSchema>;
export type SubscribeMessage = Extract<ClientMessage, { type: 'subscribe' }>;

/** The `code` of an `error` message. */
export type FeedErrorCode =
  | 'invalid_json'
  | 'invalid_message'
  | 'subscription_exists'
  | 'unknown_subscription'
  | 'too_many_subscriptions'
  | 'invalid_read'
  | 'subscription_failed';

export function errorMessage(code: FeedErrorCode, message: string, subscription?: string): string {
  return JSON.stringify({ type: 'error', code, message, ...(subscription === undefined ? {} : { subscription }) });
}

export function subscribedMessage(id: string): string {
  return JSON.stringify({ type: 'subscribed', id });
}

/** `position` is null when the log was empty and nothing has been delivered: resume with `start`. */
export function caughtUpMessage(subscription: string, position: bigint | undefined): string {
  return JSON.stringify({ type: 'caught-up', subscription, position: position === undefined ? null : String(position) });
}

/** The first problem zod found, for an error message: where and what. */
export function describeIssues(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'the message is invalid';
  const where = issue.path.length > 0 ? issue.path.join('.') : 'message';
  return `${where}: ${issue.message}`;
}
