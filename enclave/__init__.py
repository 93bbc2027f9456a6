"""TEE side: attestation checks (AWS Nitro, AMD SEV-SNP), key release, signing key (issue 6)."""
