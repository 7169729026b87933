import * as client from 'openid-client';
import { AuthenticationError } from '../errors.js';

export interface OidcProviderSettings {
  /** The name in the routes: /auth/oidc/:provider/login. */
  name: string;
  /** Must match the provider's `issuer` exactly (https://accounts.google.com for Google). */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Our callback URL, registered with the provider. */
  redirectUri: string;
  scopes?: readonly string[];
  /** Only for a test provider on http://; never set from production configuration. */
  allowInsecureRequests?: boolean;
}

export interface AuthorizationRequest {
  url: URL;
  state: string;
  nonce: string;
  codeVerifier: string;
}

export interface VerifiedClaims {
  issuer: string;
  subject: string;
  email: string | null;
  emailVerified: boolean;
  name: string | null;
}

/**
 * One OIDC relying party over openid-client: discovery once (lazily, so a
 * provider that is down does not stop start-up), authorization code with
 * PKCE (S256), state and nonce, and an ID token verified by openid-client.
 */
export class OidcClient {
  private configuration: Promise<client.Configuration> | undefined;

  constructor(readonly settings: OidcProviderSettings) {}

  async authorizationRequest(): Promise<AuthorizationRequest> {
    const config = await this.config();
    const codeVerifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: this.settings.redirectUri,
      scope: (this.settings.scopes ?? ['openid', 'email', 'profile']).join(' '),
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    return { url, state, nonce, codeVerifier };
  }

  /** Exchanges the code from the callback URL; every check failing reads as one AuthenticationError. */
  async complete(callbackUrl: URL, expected: { state: string; nonce: string; codeVerifier: string }): Promise<VerifiedClaims> {
    const config = await this.config();
    try {
      const tokens = await client.authorizationCodeGrant(config, callbackUrl, {
        pkceCodeVerifier: expected.codeVerifier,
        expectedState: expected.state,
        expectedNonce: expected.nonce,
        idTokenExpected: true,
      });
      const claims = tokens.claims();
      if (!claims) throw new Error('no id token');
      return {
        issuer: claims.iss,
        subject: claims.sub,
        email: typeof claims.email === 'string' ? claims.email : null,
        emailVerified: claims.email_verified === true,
        name: typeof claims.name === 'string' ? claims.name : null,
      };
    } catch (error) {
      throw new AuthenticationError('the sign-in with the provider failed', { code: 'oidc_failed', cause: error });
    }
  }

  private config(): Promise<client.Configuration> {
    this.configuration ??= client
      .discovery(new URL(this.settings.issuer), this.settings.clientId, this.settings.clientSecret, undefined, {
        execute: this.settings.allowInsecureRequests ? [client.allowInsecureRequests] : [],
      })
      .catch((error: unknown) => {
        this.configuration = undefined;
        throw error;
      });
    return this.configuration;
  }
}
