import { collectionDecider } from '../domain/collection/decider.js';
import { collectionEventSchema } from '../domain/collection/events.js';
import { defineAggregate } from './aggregate.js';

export const collectionAggregate = defineAggregate('collection', collectionDecider, collectionEventSchema);
