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

export interface Member {
  id: string;
  email: string;
  displayName: string;
  roles: Role[];
  disabled: boolean;
  emailVerified: boolean;
  joinedAt: string;
}

export interface Invitation {
  invitationId: string;
  email: string;
  role: Role;
  status: 'pending' | 'accepted' | 'revoked' | 'expired';
  invitedBy: string;
  acceptedBy: string | null;
  issuedAt: string;
  expiresAt: string;
}

export interface ApiKey {
  id: string;
  name: string;
  displayPrefix: string;
  rateLimitPerMinute: number;
  createdBy: string;
  createdAt: string;
  revokedAt: string | null;
}

export interface SessionView {
  id: string;
  current: boolean;
  createdAt: string;
  lastUsedAt: string;
  expiresAt: string;
  userAgent: string | null;
  ip: string | null;
}

/** What a write answers: where the change stands in the log, for X-Min-Position on the next read. */
export interface WriteAnswer {
  position: string | null;
}
