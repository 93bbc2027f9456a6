"""The prover: EZKL step circuits, the provable optimizer and the proving pipeline (issue 4)."""
