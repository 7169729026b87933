import { Gone, NotFound } from '../errors.js';

/** The resource did not exist yet at the point asked for (before its stream's first event). */
export function notYetCreated(resource: string): NotFound {
  return new NotFound(`the ${resource} did not exist yet at that point`, { code: 'not_yet_created' });
}

/** A revision past the stream's head: that state never existed (yet). */
export function revisionNotFound(resource: string, head: bigint): NotFound {
  return new NotFound(`the ${resource} has no such revision; its last is ${head}`, { code: 'revision_not_found', details: [{ headRevision: String(head) }] });
}

/** The point asked for is after the resource's deletion: `<resource>_deleted`, with the deletion's revision and time. */
export function deletedAsOf(resource: string, deletion: { revision: bigint; occurredAt: Date }): Gone {
  return new Gone(`the ${resource} had been deleted by then`, {
    code: `${resource}_deleted`,
    details: [{ deletedAtRevision: String(deletion.revision), deletedAt: deletion.occurredAt.toISOString() }],
  });
}
