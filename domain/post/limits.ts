import { z } from 'zod';

/** The documented limits of a post (CONTRACT.md, issue 10 point 12). */
export const POST_TITLE_MAX_CHARS = 200;
export const POST_BODY_MAX_BYTES = 100 * 1024;

/** UTF-8 length without allocating a buffer of the whole body. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let index = 0; index < text.length; index++) {
    const unit = text.charCodeAt(index);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && index + 1 < text.length) {
      const next = text.charCodeAt(index + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        index++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

/** 1 to 200 characters (code points, as a reader counts them), not only spaces. */
export const postTitleSchema = z
  .string()
  .refine((title) => title.trim().length > 0, { error: 'must not be empty' })
  .refine((title) => [...title].length <= POST_TITLE_MAX_CHARS, { error: `must be at most ${POST_TITLE_MAX_CHARS} characters` });

/** At most 100 KB of UTF-8; may be empty. */
export const postBodySchema = z
  .string()
  .refine((body) => utf8Length(body) <= POST_BODY_MAX_BYTES, { error: `must be at most ${POST_BODY_MAX_BYTES} bytes of UTF-8 (100 KB)` });

export const postFormatSchema = z.enum(['markdown', 'plain']);
export type PostFormat = z.infer<typeof postFormatSchema>;
