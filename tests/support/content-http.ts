import { expectJson, type AuthAnswer, type HttpClient } from './auth-http.js';
import { uniqueEmail } from './identity-harness.js';

/** A post as the API answers it (GET); command answers carry `position` instead of the timestamps. */
export interface PostAnswer {
  id: string;
  tenantId: string;
  authorId: string;
  title: string;
  body: string;
  format: 'markdown' | 'plain';
  visibility: 'private' | 'public';
  revision: string;
  position?: string | null;
  createdAt?: string;
  updatedAt?: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** The people of one tenant the content rules tell apart: its admin, an author, and another member. */
export interface ContentTenant {
  admin: AuthAnswer;
  author: AuthAnswer;
  colleague: AuthAnswer;
}

/** Someone who joins `admin`'s tenant by invitation, as a member. */
export async function inviteMember(http: HttpClient, admin: AuthAnswer): Promise<AuthAnswer> {
  const email = uniqueEmail('member');
  const invitation = await expectJson<{ token: string }>(await http.post('/api/invitations', { email, role: 'member' }, { bearer: admin.accessToken }), 201);
  return http.signup({ email, invitationToken: invitation.token });
}

export async function contentTenant(http: HttpClient): Promise<ContentTenant> {
  const admin = await http.signup();
  const [author, colleague] = [await inviteMember(http, admin), await inviteMember(http, admin)];
  return { admin, author, colleague };
}

export async function createPost(http: HttpClient, by: AuthAnswer, fields: Partial<Pick<PostAnswer, 'title' | 'body' | 'format' | 'visibility'>> = {}): Promise<PostAnswer> {
  const body = { title: 'A title', body: 'A body', ...fields };
  return expectJson<PostAnswer>(await http.post('/api/posts', body, { bearer: by.accessToken }), 201);
}

/** GET that waits for the read models to include `position` (X-Min-Position). */
export function getAfter(http: HttpClient, path: string, position: string | null | undefined, bearer?: string): Promise<Response> {
  return http.get(path, { ...(bearer === undefined ? {} : { bearer }), headers: position ? { 'x-min-position': position } : {} });
}
