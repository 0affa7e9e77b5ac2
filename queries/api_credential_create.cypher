// name: api_credential_create
// description: Store a new API credential of linkage's own API: only the key id, the SHA-256 hash of the secret, its role and name.
// mode: write
// param key_id: str
// param key_hash: str
// param role: str
// param name: str
// param now: datetime
CREATE (k:ApiCredential {key_id: $key_id, key_hash: $key_hash, role: $role, name: $name, created_at: $now})
RETURN k {.key_id, .role, .name, .created_at, .revoked_at} AS credential
