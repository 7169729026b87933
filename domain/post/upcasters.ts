type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/**
 * PostCreated v1 → v2: version 1 knew neither formats nor visibility, and
 * its posts were plain text, private. Everything else passes through as it
 * was, so an upcast never loses a field it does not know.
 */
export const postCreatedV1ToV2 = {
  type: 'PostCreated',
  fromVersion: 1,
  upcast(data: { [key: string]: Json }): { [key: string]: Json } {
    return { ...data, format: 'plain', visibility: typeof data.visibility === 'string' ? data.visibility : 'private' };
  },
} as const;

export const postUpcasters = [postCreatedV1ToV2] as const;
