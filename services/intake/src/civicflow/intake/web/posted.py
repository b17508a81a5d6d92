"""Reading an HTML form post with the API's limits (entrypoints.bodies): a declared, bounded size, a deadline for
slow clients, and at most so many fields and files. A refusal is a page, not a problem+json."""

from starlette.datastructures import FormData
from starlette.requests import Request

from civicflow.intake.entrypoints.bodies import media_type, read_form
from civicflow.shared.problems import Problem

# A big file over a slow mobile line still arrives; a trickling client does not hold a worker for long.
BODY_TIMEOUT_SECONDS = 60
MAX_FIELDS = 120
MAX_FIELD_BYTES = 64 * 1024
# The page that says what went wrong, by the refusal's status.
REASONS = {408: "timeout", 413: "too_large", 415: "unsupported_media_type"}


class PostRefused(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


async def form_of(request: Request, limit: int, max_files: int = 0) -> FormData:
    """The posted form (urlencoded, or multipart with at most `max_files` files); the caller closes it."""
    if media_type(request) not in ("application/x-www-form-urlencoded", "multipart/form-data"):
        raise PostRefused(415, REASONS[415])
    try:
        return await read_form(
            request,
            limit,
            BODY_TIMEOUT_SECONDS,
            max_files=max_files,
            max_fields=MAX_FIELDS,
            max_part_size=MAX_FIELD_BYTES,
        )
    except Problem as refused:
        raise PostRefused(refused.status, REASONS.get(refused.status, "malformed")) from refused
