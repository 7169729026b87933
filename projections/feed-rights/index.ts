export { FeedRights } from './feed-rights.js';
export { GUEST_READER, type FeedReader } from './feed-reader.js';
export { FEED_RIGHTS_FILTER } from './rights-state.js';
