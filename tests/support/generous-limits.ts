/** Limits no test reaches unless it means to (the defaults would stop 20 signups with one email). */
export const GENEROUS_LIMITS_ENV: Record<string, string> = {
  RATE_LIMIT_SIGNUP_PER_IP: '100000',
  RATE_LIMIT_SIGNUP_PER_EMAIL: '100000',
  RATE_LIMIT_LOGIN_PER_IP: '100000',
  RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT: '100000',
  RATE_LIMIT_API_KEY_ISSUE_PER_TENANT: '100000',
  // The feed tests connect as one operator, from loopback, many times over.
  FEED_MAX_CONNECTIONS_PER_USER: '100000',
  FEED_MAX_CONNECTIONS_PER_IP: '100000',
};
