"""The operators' token: one secret that administration staff and operators present to read what citizens do not
see (insights' figures, the ratings' comments). Compared in constant time (OWASP ASVS 2.9.3 / CWE-208); unset, it
lets nobody in."""

import hmac

from pydantic import SecretStr


def operator_token_matches(sent: str | None, expected: SecretStr | None) -> bool:
    return (
        expected is not None
        and sent is not None
        and hmac.compare_digest(sent.encode(), expected.get_secret_value().encode())
    )
