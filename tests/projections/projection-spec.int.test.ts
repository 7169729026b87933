import { randomUUID } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { tenantDirectoryProjection } from '../../projections/identity/tenant-directory.js';
import { notesReadModel } from '../support/note-read-model.js';
import { projectionSpec } from '../support/projection-spec.js';

describe('projection specifications: given events, then rows', () => {
  const directory = projectionSpec(tenantDirectoryProjection());
  const tenantId = randomUUID();
  const userId = randomUUID();
  const signedUp = {
    stream: `user-${userId}`,
    type: 'UserSignedUp',
    data: { userId, tenantId, email: 'ada@example.com', displayName: 'Ada', method: 'password', invitationId: null },
  };

  it('the tenant directory: a member with roles, disabled, and the same rows after a replay', async () => {
    await directory
      .given([
        signedUp,
        { stream: `user-${userId}`, type: 'UserRoleGranted', data: { userId, role: 'admin' } },
        { stream: `user-${userId}`, type: 'UserLoggedIn', data: { userId, method: 'password', sessionId: 's-1', provider: null } },
        { stream: `user-${userId}`, type: 'UserDisabled', data: { userId } },
      ])
      .then(
        { directory_users: [{ user_id: userId, tenant_id: tenantId, email: 'ada@example.com', roles: ['admin'], disabled: true, email_verified: false }], directory_invitations: [] },
        { replay: true },
      );
  });

  it('the tenant directory: an invitation issued then revoked', async () => {
    const invitationId = randomUUID();
    await directory
      .given([
        {
          stream: `tenant-${tenantId}`,
          type: 'TenantInvitationIssued',
          data: { invitationId, email: 'bob@example.com', role: 'member', invitedBy: userId, expiresAt: '2030-01-01T00:00:00.000Z', tokenHash: 'ab'.repeat(32) },
        },
        { stream: `tenant-${tenantId}`, type: 'TenantInvitationRevoked', data: { invitationId, revokedBy: userId } },
      ])
      .then({ directory_invitations: [{ invitation_id: invitationId, tenant_id: tenantId, revoked: true, accepted_by: null, expires_at: '2030-01-01T00:00:00.000Z' }] });
  });

  it('a read model of the evolve helper, one batch creating, changing and deleting one note beside another, and after a replay', async () => {
    const [gone, kept] = [randomUUID(), randomUUID()];
    await projectionSpec(notesReadModel())
      .given([
        { stream: `note-${gone}`, type: 'NoteCreated', data: { noteId: gone, title: 'short-lived', tags: [] } },
        { stream: `note-${kept}`, type: 'NoteCreated', data: { noteId: kept, title: 'kept', tags: ['a'] } },
        { stream: `note-${gone}`, type: 'NoteRetitled', data: { noteId: gone, title: 'still short-lived' } },
        { stream: `note-${gone}`, type: 'NoteDeleted', data: { noteId: gone } },
        { stream: `note-${kept}`, type: 'NoteRetitled', data: { noteId: kept, title: 'kept, retitled' } },
      ])
      .then({ notes: [{ id: kept, title: 'kept, retitled', tags: ['a'], revision: '1', stats: { retitles: 1, history: ['kept', 'kept, retitled'] } }] }, { replay: true });
  });

  it("reads older events through the feature's upcasters; given events default to the current version", async () => {
    const [old, current] = [randomUUID(), randomUUID()];
    // Version 1 of NoteCreated had no tags.
    const tagsAdded = { type: 'NoteCreated', fromVersion: 1, upcast: (data: Record<string, unknown>) => ({ ...data, tags: ['from-v1'] }) };
    await projectionSpec(notesReadModel(), { upcasters: [tagsAdded] })
      .given([
        { stream: `note-${old}`, type: 'NoteCreated', data: { noteId: old, title: 'old' }, metadata: { schemaVersion: 1 } },
        { stream: `note-${current}`, type: 'NoteCreated', data: { noteId: current, title: 'current', tags: ['mine'] } },
      ])
      .then({ notes: [{ id: old, tags: ['from-v1'] }, { id: current, tags: ['mine'] }] }, { replay: true });
  });

  it('names the event a projection stops at', async () => {
    const id = randomUUID();
    await projectionSpec(notesReadModel())
      .given([
        { stream: `note-${id}`, type: 'NoteCreated', data: { noteId: id, title: 'fine', tags: [] } },
        { stream: `note-${id}`, type: 'NoteRetitled', data: { noteId: id, title: 7 } },
      ])
      .thenFailsAt(1, /NoteRetitled .* does not match its schema \(data\.title\)/);
  });

  it('fails when the rows differ, so a specification asserts something', async () => {
    const id = randomUUID();
    const spec = projectionSpec(notesReadModel()).given([{ stream: `note-${id}`, type: 'NoteCreated', data: { noteId: id, title: 'one', tags: [] } }]);
    await expect(spec.then({ notes: [{ id, title: 'another' }] })).rejects.toThrow(/another/);
    await expect(spec.then({ notes: [] })).rejects.toThrow(/count/);
  });
});
