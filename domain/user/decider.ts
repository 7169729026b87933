import type { Decider } from '../shared/decider.js';
import { ConflictError, NotFoundError, ValidationError } from '../shared/errors.js';
import type { UserCommand } from './commands.js';
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
        displayName: event.data.displayName,
        signUpMethod: event.data.method,
        roles: [],
        identities: [],
        passwordChanges: 0,
      };
    case 'UserLoggedIn':
    case 'UserLoginFailed':
      return state;
    case 'UserPasswordChanged':
      return state.status === 'Active' ? { ...state, passwordChanges: state.passwordChanges + 1 } : state;
    case 'ExternalIdentityLinked':
      if (state.status !== 'Active') return state;
      return {
        ...state,
        identities: [...state.identities, { provider: event.data.provider, issuer: event.data.issuer, subject: event.data.subject }],
      };
    case 'UserRoleGranted':
      if (state.status !== 'Active' || state.roles.includes(event.data.role)) return state;
      return { ...state, roles: [...state.roles, event.data.role] };
    case 'UserRoleRevoked':
      return state.status === 'Active' ? { ...state, roles: state.roles.filter((role) => role !== event.data.role) } : state;
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
    return [
      { type: 'UserSignedUp', data: signedUp },
      ...(externalIdentity ? [{ type: 'ExternalIdentityLinked' as const, data: { userId, ...externalIdentity } }] : []),
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
      return [{ type: 'UserLoggedIn', data: { userId, ...command.data } }];
    case 'RecordLoginFailure':
      return [{ type: 'UserLoginFailed', data: { userId, ...command.data } }];
    case 'ChangePassword':
      return [{ type: 'UserPasswordChanged', data: { userId, ...command.data } }];
    case 'LinkExternalIdentity': {
      const { issuer, subject } = command.data;
      if (user.identities.some((identity) => identity.issuer === issuer && identity.subject === subject)) return [];
      if (!command.data.emailVerified) {
        // Linking on an unverified address would let anyone who can claim the address at some provider take the account.
        throw new ValidationError('an external identity needs a verified email to join an existing account', {
          code: 'email_not_verified',
        });
      }
      return [{ type: 'ExternalIdentityLinked', data: { userId, ...command.data } }];
    }
    case 'GrantRole':
      return user.roles.includes(command.data.role) ? [] : [{ type: 'UserRoleGranted', data: { userId, role: command.data.role } }];
    case 'RevokeRole':
      return user.roles.includes(command.data.role) ? [{ type: 'UserRoleRevoked', data: { userId, role: command.data.role } }] : [];
    default: {
      const _exhaustive: never = command;
      return _exhaustive;
    }
  }
}
