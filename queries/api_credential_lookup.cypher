// name: api_credential_lookup
// description: The stored hash, role and name of one API credential, to verify a presented key.
// mode: read
// param key_id: str
MATCH (k:ApiCredential {key_id: $key_id})
RETURN k.key_hash AS key_hash, k.role AS role, k.name AS name, k.revoked_at IS NOT NULL AS revoked
