/** The calls a Chronicle role process of the analytics bench (analytics-role-process.ts) answers. */
export interface AnalyticsRoleApi {
  /** Starts the role the process was given (ROLE: `api` or `worker`) on an ephemeral loopback port; its base URL. */
  listen: { arg: null; result: { url: string } };
  /** Stops every part in order, then exits. */
  stop: { arg: null; result: null };
}
