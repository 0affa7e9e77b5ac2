// name: api_credential_list
// description: Every API credential (never the hash), newest first.
// mode: read
MATCH (k:ApiCredential)
RETURN k {.key_id, .role, .name, .created_at, .revoked_at} AS credential
ORDER BY k.created_at DESC, k.key_id
