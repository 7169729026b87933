import { describe, it } from '@jest/globals';
import { ConflictError, NotFoundError, ValidationError } from '../../domain/shared/errors.js';
import { userDecider, type UserEvent } from '../../domain/user/index.js';
import { deciderSpec } from '../support/decider-spec.js';

const spec = deciderSpec(userDecider);
const userId = 'u-1';
const signedUp: UserEvent = {
  type: 'UserSignedUp',
  data: { userId, tenantId: 't-1', email: 'ada@example.com', displayName: 'Ada', method: 'password', invitationId: null },
};
const admin: UserEvent = { type: 'UserRoleGranted', data: { userId, role: 'admin' } };
const google = { provider: 'google', issuer: 'https://accounts.google.com', subject: 'g-1', email: 'ada@example.com' };

describe('user decider', () => {
  it('signs up a new user with its roles', () => {
    spec
      .given([])
      .when({ type: 'SignUp', data: { ...signedUp.data, method: 'password', invitationId: null, tenantId: 't-1', email: 'ada@example.com', displayName: 'Ada', userId, roles: ['admin', 'operator', 'admin'], externalIdentity: null } })
      .then([signedUp, admin, { type: 'UserRoleGranted', data: { userId, role: 'operator' } }]);
  });

  it('links the external identity in the same append for an oidc signup', () => {
    spec
      .given([])
      .when({ type: 'SignUp', data: { userId, tenantId: 't-1', email: 'ada@example.com', displayName: 'Ada', method: 'oidc', invitationId: null, roles: ['admin'], externalIdentity: { ...google, emailVerified: true } } })
      .then([
        { type: 'UserSignedUp', data: { ...signedUp.data, method: 'oidc' } },
        { type: 'ExternalIdentityLinked', data: { userId, ...google, emailVerified: true } },
        admin,
      ]);
  });

  it('refuses a second signup on the same stream', () => {
    spec
      .given([signedUp])
      .when({ type: 'SignUp', data: { userId, tenantId: 't-1', email: 'x@example.com', displayName: '', method: 'password', invitationId: null, roles: [], externalIdentity: null } })
      .thenThrows(ConflictError, 'user_exists');
  });

  it('records logins and failures without secrets', () => {
    spec.given([signedUp]).when({ type: 'RecordLogin', data: { method: 'password', sessionId: 's-1', provider: null } }).then([
      { type: 'UserLoggedIn', data: { userId, method: 'password', sessionId: 's-1', provider: null } },
    ]);
    spec.given([signedUp]).when({ type: 'RecordLoginFailure', data: { reason: 'invalid_password' } }).then([
      { type: 'UserLoginFailed', data: { userId, reason: 'invalid_password' } },
    ]);
  });

  it('refuses commands for a user that does not exist', () => {
    spec.given([]).when({ type: 'ChangePassword', data: { keptSessionId: null } }).thenThrows(NotFoundError, 'user_not_found');
  });

  it('links a verified external identity once', () => {
    const linked: UserEvent = { type: 'ExternalIdentityLinked', data: { userId, ...google, emailVerified: true } };
    spec.given([signedUp]).when({ type: 'LinkExternalIdentity', data: { ...google, emailVerified: true } }).then([linked]);
    spec.given([signedUp, linked]).when({ type: 'LinkExternalIdentity', data: { ...google, emailVerified: true } }).then([]);
  });

  it('never links an unverified email', () => {
    spec.given([signedUp]).when({ type: 'LinkExternalIdentity', data: { ...google, emailVerified: false } }).thenThrows(ValidationError, 'email_not_verified');
  });

  it('grants and revokes roles idempotently', () => {
    spec.given([signedUp, admin]).when({ type: 'GrantRole', data: { role: 'admin' } }).then([]);
    spec.given([signedUp, admin]).when({ type: 'RevokeRole', data: { role: 'admin' } }).then([{ type: 'UserRoleRevoked', data: { userId, role: 'admin' } }]);
    spec.given([signedUp]).when({ type: 'RevokeRole', data: { role: 'admin' } }).then([]);
  });

  it('folds roles and password changes into the state', () => {
    spec
      .given([signedUp, admin, { type: 'UserPasswordChanged', data: { userId, keptSessionId: 's-1' } }])
      .thenState({
        status: 'Active',
        userId,
        tenantId: 't-1',
        email: 'ada@example.com',
        displayName: 'Ada',
        signUpMethod: 'password',
        roles: ['admin'],
        identities: [],
        passwordChanges: 1,
      });
  });
});
