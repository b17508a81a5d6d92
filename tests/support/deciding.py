"""An agency deciding on the local stack as an agency does: the installed `civicflow-agency decide`, with the agency's
own Kafka principal and signing key."""

import asyncio
import json
import sys
from pathlib import Path

from civicflow.local.agency_keys import signing_key
from civicflow.local.layout import Layout
from civicflow.shared.security.access import agency_principal


async def decide(stack: Layout, work_dir: Path, agency_id: str, submission_id: str, outcome: str, reason: str) -> None:
    """`outcome` as the command takes it: accept, reject or request-info."""
    key_file = work_dir / f"{agency_id}-signing.jwk"
    key_file.write_text(json.dumps(signing_key(stack, agency_id).as_dict(private=True)))
    key_file.chmod(0o600)
    command = [
        *(str(Path(sys.executable).with_name("civicflow-agency")), "decide", submission_id, outcome),
        *("--reason", reason, "--agency", agency_id, "--signing-key", str(key_file)),
        *("--bootstrap", stack.kafka_bootstrap, "--security-protocol", "SASL_PLAINTEXT"),
        *("--sasl-password-file", str(stack.secrets.kafka_dir / agency_principal(agency_id))),
    ]
    deciding = await asyncio.create_subprocess_exec(
        *command, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    _, errors = await asyncio.wait_for(deciding.communicate(), 60)
    assert deciding.returncode == 0, errors.decode()
