// name: api_credential_revoke
// description: Revoke an API credential (kept, with revoked_at, for the record); revoking twice keeps the first time.
// mode: write
// param key_id: str
// param now: datetime
MATCH (k:ApiCredential {key_id: $key_id})
SET k.revoked_at = coalesce(k.revoked_at, $now)
RETURN k {.key_id, .role, .name, .created_at, .revoked_at} AS credential
