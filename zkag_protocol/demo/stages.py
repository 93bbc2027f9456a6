"""The demo's stages and which issue builds each one that is not built yet."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Stage:
    name: str
    what: str
    issue: int | None  # the issue that builds it, while it is not built
    built: bool


STAGES: tuple[Stage, ...] = (
    Stage("train", "pretrain an MLP on digits briefly, then fine-tune its head", None, True),
    Stage("log", "hash-chained step log, RFC 9162 Merkle tree, epochs, manifest", None, True),
    Stage("prove", "ProvableOptimizer(Adam) + EZKL proofs of every (step, chunk)", None, True),
    Stage("anchor", "RunAnchor.sol on a local anvil: epochs, challenges", 5, False),
    Stage("attest", "TEE attestation and prover signing key", 6, False),
    Stage("publish", "IPFS CID, CAR and torrent of the bundle", 7, False),
    Stage("verify", "independent check of the run from its CID and the chain", 8, False),
    Stage("index", "event indexer and run explorer", 9, False),
)
