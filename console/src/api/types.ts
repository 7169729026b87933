/** The shapes of the public API the console reads (docs/CONTRACT.md section 3; /openapi.json). */
export type Role = 'admin' | 'member' | 'operator';

export interface User {
  id: string;
  email: string;
  emailVerified: boolean;
  displayName: string;
  roles: Role[];
  tenantId: string;
}

export interface AuthAnswer {
  user: User;
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  sessionId: string;
}

export interface OidcProvider {
  name: string;
  loginPath: string;
}

export interface ReplayProgress {
  jobId: string;
  projection: string;
  state: 'pending' | 'running' | 'completed' | 'failed' | 'cancelled';
  processed: string;
  total: string | null;
  percent: number | null;
  eventsPerSecond: number;
  etaSeconds: number | null;
  position: string | null;
  error?: { position: string | null; message: string };
  requestedBy: string;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface ProjectionStatus {
  name: string;
  version: number;
  status: 'running' | 'catching-up' | 'failed' | 'stopped' | 'replaying';
  checkpoint: string | null;
  headPosition: string | null;
  lag: number;
  lagCap: number;
  eventsPerSecond: number;
  eventsProcessed: string;
  owner: string | null;
  lastError?: { position: string; message: string; at: string };
  replay?: ReplayProgress;
}

export interface Page<T> {
  items: T[];
  nextCursor?: string | null;
}
