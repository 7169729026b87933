import { postDecider, postEventSchema } from '../domain/post/index.js';
import { defineAggregate } from './aggregate.js';

export const postAggregate = defineAggregate('post', postDecider, postEventSchema);
