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

/** An event as the audit routes answer it (RecordedEvent in /openapi.json). */
export interface RecordedEvent {
  position: string;
  stream: string;
  revision: string;
  id: string;
  type: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
  recordedAt: string;
}

export interface CorrelatedEvent extends RecordedEvent {
  causedBy: string | null;
  caused: string[];
  depth: number;
}

export interface Correlation {
  correlationId: string;
  events: CorrelatedEvent[];
  truncated: boolean;
}

export interface FieldChange {
  path: string;
  before?: unknown;
  after?: unknown;
}

export interface HistoryEntry {
  revision: string;
  position: string;
  type: string;
  eventId: string;
  occurredAt: string;
  recordedAt: string;
  actor: { type: string; id: string } | null;
  correlationId: string | null;
  causationId: string | null;
  reason?: string;
  changes: FieldChange[];
}

export interface ChainReport {
  ok: boolean;
  checked: number;
  through: string | null;
  sealedThrough: string | null;
  firstMismatch: { kind: string; position: string; eventId: string; stream: string; revision: string; message: string } | null;
  message: string;
}

export interface AuditDigest {
  position: string;
  hash: string;
  signedAt: string;
  signature: string;
  keyId: string;
}

export interface CountsAnswer {
  event: string | null;
  interval: 'minute' | 'hour' | 'day';
  timeZone: string;
  from: string;
  to: string;
  buckets: Array<{ start: string; count: number }>;
}

export interface TopEventsAnswer {
  from: string;
  to: string;
  items: Array<{ event: string; count: number }>;
}

export interface ActiveUsersAnswer {
  interval: 'day' | 'month';
  items: Array<{ period: string; start: string; activeUsers: number }>;
}

/** An unusual minute (the data of an AnomalyDetected event). */
export interface Anomaly {
  event: string;
  minute: string;
  kind: 'spike' | 'drop';
  observed: number;
  expected: number;
  z: number;
}

export interface QuarantinedEvent {
  id: string;
  status: 'resolved' | 'unresolved';
  reasons: Array<{ path: string; message: string }>;
  raw: string;
  truncated: boolean;
  receivedAt: string;
  retriedAt: string | null;
}
