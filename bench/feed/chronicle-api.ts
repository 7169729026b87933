/** The calls the Chronicle server process of the feed bench (chronicle-server-process.ts) answers. */
export interface ChronicleServerApi {
  /** Starts the API (`api` role) on an ephemeral loopback port; its base URL. */
  listen: { arg: null; result: { url: string } };
  /** Starts V8's CPU profiler (the one behind --cpu-prof), so a profile covers one measure, not the set-up. */
  startProfile: { arg: null; result: null };
  /** Stops it and writes the profile (a .cpuprofile, for Chrome DevTools) to `file`. */
  stopProfile: { arg: { file: string }; result: null };
  /** Stops every part in order, then exits. */
  stop: { arg: null; result: null };
}
