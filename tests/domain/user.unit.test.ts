import { describe, it } from '@jest/globals';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../domain/shared/errors.js';
import { userDecider, type UserEvent } from '../../domain/user/index.js';
import { deciderSpec } from '../support/decider-spec.js';

const spec = deciderSpec(userDecider);
const userId = 'u-1';
const signedUp: UserEvent = {
  type: 'UserSignedUp',
  data: { userId, tenantId: 't-1', email: 'ada@example.com', displayName: 'Ada', method: 'password', invitationId: null },
};
const admin: UserEvent = { type: 'UserRoleGranted', data: { userId, role: 'admin' } };
const operator: UserEvent = { type: 'UserRoleGranted', data: { userId, role: 'operator' } };
const verifiedByLink: UserEvent = { type: 'UserEmailVerified', data: { userId, email: 'ada@example.com', method: 'link' } };
const google = { provider: 'google', issuer: 'https://accounts.google.com', subject: 'g-1', email: 'ada@example.com' };
const googleLinked: UserEvent = { type: 'ExternalIdentityLinked', data: { userId, ...google, emailVerified: true } };

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
        { type: 'UserEmailVerified', data: { userId, email: 'ada@example.com', method: 'provider' } },
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

  it('links a verified external identity once, into an account whose email is verified', () => {
    spec.given([signedUp, verifiedByLink]).when({ type: 'LinkExternalIdentity', data: { ...google, emailVerified: true } }).then([googleLinked]);
    spec.given([signedUp, verifiedByLink, googleLinked]).when({ type: 'LinkExternalIdentity', data: { ...google, emailVerified: true } }).then([]);
  });

  it('never links an unverified email, nor into an account whose email was never verified', () => {
    spec.given([signedUp, verifiedByLink]).when({ type: 'LinkExternalIdentity', data: { ...google, emailVerified: false } }).thenThrows(ValidationError, 'email_not_verified');
    spec.given([signedUp]).when({ type: 'LinkExternalIdentity', data: { ...google, emailVerified: true } }).thenThrows(ForbiddenError, 'account_email_not_verified');
  });

  it('never links a second subject of the same issuer, whatever its email', () => {
    spec
      .given([signedUp, verifiedByLink, googleLinked])
      .when({ type: 'LinkExternalIdentity', data: { ...google, subject: 'g-2', emailVerified: true } })
      .thenThrows(ConflictError, 'external_identity_conflict');
    spec
      .given([signedUp, verifiedByLink, googleLinked])
      .when({ type: 'LinkExternalIdentity', data: { ...google, issuer: 'https://login.corp.example', subject: 'g-2', emailVerified: true } })
      .then([{ type: 'ExternalIdentityLinked', data: { userId, ...google, issuer: 'https://login.corp.example', subject: 'g-2', emailVerified: true } }]);
  });

  it('verifies the account’s own address once, granting operator only to a listed address', () => {
    spec.given([signedUp]).when({ type: 'VerifyEmail', data: { email: 'ada@example.com', method: 'link', operatorListed: false } }).then([verifiedByLink]);
    spec.given([signedUp]).when({ type: 'VerifyEmail', data: { email: 'ada@example.com', method: 'link', operatorListed: true } }).then([verifiedByLink, operator]);
    spec.given([signedUp, verifiedByLink]).when({ type: 'VerifyEmail', data: { email: 'ada@example.com', method: 'link', operatorListed: false } }).then([]);
    spec.given([signedUp]).when({ type: 'VerifyEmail', data: { email: 'eve@example.com', method: 'link', operatorListed: false } }).thenThrows(ValidationError, 'email_mismatch');
    spec.given([signedUp, verifiedByLink]).thenState({
      status: 'Active', userId, tenantId: 't-1', email: 'ada@example.com', emailVerified: true, displayName: 'Ada', signUpMethod: 'password', roles: [], hasHeldOperator: false, disabled: false, identities: [], passwordChanges: 0,
    });
  });

  it('lets a verified provider identity claim an account whose email was never verified', () => {
    spec
      .given([signedUp, admin])
      .when({ type: 'ClaimWithExternalIdentity', data: { identity: { ...google, emailVerified: true }, operatorListed: true } })
      .then([
        { type: 'UserAccountClaimed', data: { userId, method: 'provider' } },
        googleLinked,
        { type: 'UserEmailVerified', data: { userId, email: 'ada@example.com', method: 'provider' } },
        operator,
      ]);
    spec
      .given([signedUp, verifiedByLink])
      .when({ type: 'ClaimWithExternalIdentity', data: { identity: { ...google, emailVerified: true }, operatorListed: false } })
      .thenThrows(ConflictError, 'account_email_verified');
    spec
      .given([signedUp])
      .when({ type: 'ClaimWithExternalIdentity', data: { identity: { ...google, email: 'eve@example.com', emailVerified: true }, operatorListed: false } })
      .thenThrows(ValidationError, 'email_not_verified');
    spec
      .given([signedUp])
      .when({ type: 'ClaimWithExternalIdentity', data: { identity: { ...google, emailVerified: false }, operatorListed: false } })
      .thenThrows(ValidationError, 'email_not_verified');
  });

  it('resets a password; on an unverified account the reset link proves the address and claims the account', () => {
    spec.given([signedUp, verifiedByLink]).when({ type: 'ResetPassword', data: { email: 'ada@example.com', operatorListed: false } }).then([
      { type: 'UserPasswordReset', data: { userId } },
    ]);
    spec.given([signedUp]).when({ type: 'ResetPassword', data: { email: 'ada@example.com', operatorListed: false } }).then([
      { type: 'UserAccountClaimed', data: { userId, method: 'password_reset' } },
      { type: 'UserEmailVerified', data: { userId, email: 'ada@example.com', method: 'password_reset' } },
      { type: 'UserPasswordReset', data: { userId } },
    ]);
    spec.given([signedUp]).when({ type: 'ResetPassword', data: { email: 'old@example.com', operatorListed: false } }).thenThrows(ValidationError, 'email_mismatch');
  });

  it('grants operator from configuration once: never again to an account that held it', () => {
    const revoked: UserEvent = { type: 'UserRoleRevoked', data: { userId, role: 'operator' } };
    spec.given([signedUp]).when({ type: 'BootstrapOperator', data: {} }).then([operator]);
    spec.given([signedUp, operator]).when({ type: 'BootstrapOperator', data: {} }).then([]);
    spec.given([signedUp, operator, revoked]).when({ type: 'BootstrapOperator', data: {} }).then([]);
    spec.given([signedUp, operator, revoked, verifiedByLink]).when({ type: 'ResetPassword', data: { email: 'ada@example.com', operatorListed: true } }).then([
      { type: 'UserPasswordReset', data: { userId } },
    ]);
    spec.given([signedUp, operator, revoked]).when({ type: 'VerifyEmail', data: { email: 'ada@example.com', method: 'link', operatorListed: true } }).then([verifiedByLink]);
    // An operator may still grant it again on purpose.
    spec.given([signedUp, operator, revoked]).when({ type: 'GrantRole', data: { role: 'operator' } }).then([operator]);
  });

  it('disables and enables an account idempotently; a disabled account cannot log in', () => {
    const disabled: UserEvent = { type: 'UserDisabled', data: { userId } };
    const enabled: UserEvent = { type: 'UserEnabled', data: { userId } };
    spec.given([signedUp]).when({ type: 'Disable', data: {} }).then([disabled]);
    spec.given([signedUp, disabled]).when({ type: 'Disable', data: {} }).then([]);
    spec.given([signedUp, disabled]).when({ type: 'RecordLogin', data: { method: 'password', sessionId: 's-1', provider: null } }).thenThrows(ForbiddenError, 'account_disabled');
    spec.given([signedUp, disabled]).when({ type: 'Enable', data: {} }).then([enabled]);
    spec.given([signedUp]).when({ type: 'Enable', data: {} }).then([]);
    spec.given([signedUp, disabled, enabled]).when({ type: 'RecordLogin', data: { method: 'password', sessionId: 's-1', provider: null } }).then([
      { type: 'UserLoggedIn', data: { userId, method: 'password', sessionId: 's-1', provider: null } },
    ]);
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
        emailVerified: false,
        displayName: 'Ada',
        signUpMethod: 'password',
        roles: ['admin'],
        hasHeldOperator: false,
        disabled: false,
        identities: [],
        passwordChanges: 1,
      });
  });
});
