import type { Decider } from '../shared/decider.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../shared/errors.js';
import type { ExternalIdentityClaims, UserCommand } from './commands.js';
import type { UserEvent } from './events.js';
import type { ActiveUser, UserState } from './state.js';

export const userDecider: Decider<UserState, UserCommand, UserEvent> = {
  initialState: () => ({ status: 'Empty' }),
  evolve,
  decide,
};

function evolve(state: UserState, event: UserEvent): UserState {
  switch (event.type) {
    case 'UserSignedUp':
      return {
        status: 'Active',
        userId: event.data.userId,
        tenantId: event.data.tenantId,
        email: event.data.email,
        emailVerified: false,
        displayName: event.data.displayName,
        signUpMethod: event.data.method,
        roles: [],
        hasHeldOperator: false,
        disabled: false,
        identities: [],
        passwordChanges: 0,
      };
    case 'UserLoggedIn':
    case 'UserLoginFailed':
    case 'UserAccountClaimed':
      return state;
    case 'UserEmailVerified':
      return state.status === 'Active' && state.email === event.data.email ? { ...state, emailVerified: true } : state;
    case 'UserPasswordChanged':
    case 'UserPasswordReset':
      return state.status === 'Active' ? { ...state, passwordChanges: state.passwordChanges + 1 } : state;
    case 'ExternalIdentityLinked':
      if (state.status !== 'Active') return state;
      return {
        ...state,
        identities: [...state.identities, { provider: event.data.provider, issuer: event.data.issuer, subject: event.data.subject }],
      };
    case 'UserRoleGranted': {
      if (state.status !== 'Active') return state;
      const hasHeldOperator = state.hasHeldOperator || event.data.role === 'operator';
      return { ...state, hasHeldOperator, roles: state.roles.includes(event.data.role) ? state.roles : [...state.roles, event.data.role] };
    }
    case 'UserRoleRevoked':
      return state.status === 'Active' ? { ...state, roles: state.roles.filter((role) => role !== event.data.role) } : state;
    case 'UserDisabled':
    case 'UserEnabled':
      return state.status === 'Active' ? { ...state, disabled: event.type === 'UserDisabled' } : state;
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}

function decide(command: UserCommand, state: UserState): UserEvent[] {
  if (command.type === 'SignUp') {
    if (state.status !== 'Empty') throw new ConflictError('the user already exists', { code: 'user_exists' });
    const { roles, externalIdentity, ...signedUp } = command.data;
    if (externalIdentity && !externalIdentity.emailVerified) {
      throw new ValidationError('signing up through a provider needs a verified email', { code: 'email_not_verified' });
    }
    const userId = signedUp.userId;
    const provenByProvider = externalIdentity !== null && externalIdentity.email === signedUp.email;
    return [
      { type: 'UserSignedUp', data: signedUp },
      ...(externalIdentity ? [{ type: 'ExternalIdentityLinked' as const, data: { userId, ...externalIdentity } }] : []),
      ...(provenByProvider ? [{ type: 'UserEmailVerified' as const, data: { userId, email: signedUp.email, method: 'provider' as const } }] : []),
      ...[...new Set(roles)].map((role): UserEvent => ({ type: 'UserRoleGranted', data: { userId, role } })),
    ];
  }
  if (state.status !== 'Active') throw new NotFoundError('no such user', { code: 'user_not_found' });
  return decideForActive(command, state);
}

function decideForActive(command: Exclude<UserCommand, { type: 'SignUp' }>, user: ActiveUser): UserEvent[] {
  const userId = user.userId;
  switch (command.type) {
    case 'RecordLogin':
      if (user.disabled) throw accountDisabled();
      return [{ type: 'UserLoggedIn', data: { userId, ...command.data } }];
    case 'RecordLoginFailure':
      return [{ type: 'UserLoginFailed', data: { userId, ...command.data } }];
    case 'ChangePassword':
      return [{ type: 'UserPasswordChanged', data: { userId, ...command.data } }];
    case 'LinkExternalIdentity': {
      if (hasIdentity(user, command.data)) return [];
      refuseSecondSubject(user, command.data);
      if (!command.data.emailVerified) {
        // Linking on an unverified address would let anyone who can claim the address at some provider take the account.
        throw new ValidationError('an external identity needs a verified email to join an existing account', {
          code: 'email_not_verified',
        });
      }
      // Whoever signed up with an address they do not receive mail at must not gain a login the owner never gave them.
      if (!user.emailVerified) {
        throw new ForbiddenError('the account’s email is not verified yet', { code: 'account_email_not_verified' });
      }
      return [{ type: 'ExternalIdentityLinked', data: { userId, ...command.data } }];
    }
    case 'VerifyEmail': {
      const { email, method, operatorListed } = command.data;
      if (email !== user.email) throw new ValidationError('this address is not the account’s', { code: 'email_mismatch' });
      return [
        ...(user.emailVerified ? [] : [{ type: 'UserEmailVerified' as const, data: { userId, email, method } }]),
        ...operatorGrant(user, operatorListed),
      ];
    }
    case 'ClaimWithExternalIdentity': {
      const { identity, operatorListed } = command.data;
      if (user.emailVerified) throw new ConflictError('the account’s email is already verified', { code: 'account_email_verified' });
      if (!identity.emailVerified || identity.email !== user.email) {
        throw new ValidationError('the provider did not confirm the account’s address', { code: 'email_not_verified' });
      }
      refuseSecondSubject(user, identity);
      return [
        { type: 'UserAccountClaimed', data: { userId, method: 'provider' } },
        ...(hasIdentity(user, identity) ? [] : [{ type: 'ExternalIdentityLinked' as const, data: { userId, ...identity } }]),
        { type: 'UserEmailVerified', data: { userId, email: user.email, method: 'provider' } },
        ...operatorGrant(user, operatorListed),
      ];
    }
    case 'ResetPassword': {
      const { email, operatorListed } = command.data;
      if (email !== user.email) throw new ValidationError('the reset link was sent to another address', { code: 'email_mismatch' });
      if (user.emailVerified) return [{ type: 'UserPasswordReset', data: { userId } }];
      return [
        { type: 'UserAccountClaimed', data: { userId, method: 'password_reset' } },
        { type: 'UserEmailVerified', data: { userId, email, method: 'password_reset' } },
        ...operatorGrant(user, operatorListed),
        { type: 'UserPasswordReset', data: { userId } },
      ];
    }
    case 'GrantRole':
      return user.roles.includes(command.data.role) ? [] : [{ type: 'UserRoleGranted', data: { userId, role: command.data.role } }];
    case 'BootstrapOperator':
      return operatorGrant(user, true);
    case 'Disable':
      return user.disabled ? [] : [{ type: 'UserDisabled', data: { userId } }];
    case 'Enable':
      return user.disabled ? [{ type: 'UserEnabled', data: { userId } }] : [];
    case 'RevokeRole':
      return user.roles.includes(command.data.role) ? [{ type: 'UserRoleRevoked', data: { userId, role: command.data.role } }] : [];
    default: {
      const _exhaustive: never = command;
      return _exhaustive;
    }
  }
}

export function accountDisabled(): ForbiddenError {
  return new ForbiddenError('the account is disabled; an admin of its tenant can enable it', { code: 'account_disabled' });
}

function hasIdentity(user: ActiveUser, identity: Pick<ExternalIdentityClaims, 'issuer' | 'subject'>): boolean {
  return user.identities.some((known) => known.issuer === identity.issuer && known.subject === identity.subject);
}

/**
 * An issuer may hand a person's address to someone else later (an employee
 * leaves, the address is reassigned): a second subject of an issuer is
 * another person, whatever email it shows.
 */
function refuseSecondSubject(user: ActiveUser, identity: Pick<ExternalIdentityClaims, 'issuer' | 'subject'>): void {
  if (user.identities.some((known) => known.issuer === identity.issuer && known.subject !== identity.subject)) {
    throw new ConflictError('the account is linked to another identity at this provider', { code: 'external_identity_conflict' });
  }
}

/**
 * Proving an address listed in OPERATOR_EMAILS makes its account operator;
 * nothing else about the address does. Once only: an account that has held
 * operator (and so perhaps had it revoked) never gets it from configuration again.
 */
function operatorGrant(user: ActiveUser, operatorListed: boolean): UserEvent[] {
  return operatorListed && !user.hasHeldOperator ? [{ type: 'UserRoleGranted', data: { userId: user.userId, role: 'operator' } }] : [];
}
