/** The calls the Chronicle server process of the feed bench (chronicle-server-process.ts) answers. */
export interface ChronicleServerApi {
  /** Starts the API (`api` role) on an ephemeral loopback port; its base URL. */
  listen: { arg: null; result: { url: string } };
  /** Stops every part in order, then exits (so a --cpu-prof profile is written). */
  stop: { arg: null; result: null };
}
