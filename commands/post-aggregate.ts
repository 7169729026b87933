import { POST_EVENT_VERSIONS, postDecider, postEventSchema } from '../domain/post/index.js';
import { defineAggregate } from './aggregate.js';

export const postAggregate = defineAggregate('post', postDecider, postEventSchema, { schemaVersions: POST_EVENT_VERSIONS });
