export interface SessionRow {
  id: string;
  user_id: string;
  tenant_id: string;
  created_at: Date;
  last_used_at: Date;
  expires_at: Date;
  revoked_at: Date | null;
  revoked_reason: string | null;
  user_agent: string | null;
  ip: string | null;
}

/** A refresh token family as a user sees it in "your sessions". */
export interface Session {
  id: string;
  userId: string;
  tenantId: string;
  createdAt: Date;
  lastUsedAt: Date;
  expiresAt: Date;
  endedAt: Date | null;
  userAgent: string | null;
  ip: string | null;
}

export function toSession(row: SessionRow): Session {
  return {
    id: row.id,
    userId: row.user_id,
    tenantId: row.tenant_id,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    expiresAt: row.expires_at,
    endedAt: row.revoked_at,
    userAgent: row.user_agent,
    ip: row.ip,
  };
}
