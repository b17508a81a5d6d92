"""Reading the citizen's answer to a question on their application (routing's which municipality, the agency's
request for information): a JSON body within bounds, as its model reads it; one that is not is a 422 naming the
fields in the citizen's language."""

from collections.abc import Callable
from typing import TypeVar

from fastapi import Request
from pydantic import BaseModel, ValidationError

from civicflow.intake.domain.messages import Language, preferred_language
from civicflow.intake.domain.validation_errors import FieldError
from civicflow.intake.entrypoints.bodies import read_json
from civicflow.shared.problems import Problem

BODY_TIMEOUT_SECONDS = 10

Answer = TypeVar("Answer", bound=BaseModel)


def request_language(request: Request) -> Language:
    return preferred_language(request.headers.get("accept-language"))


async def read_answer(
    request: Request,
    model: type[Answer],
    limit: int,
    errors_of: Callable[[ValidationError, Language], list[FieldError]],
    refused: Callable[[list[FieldError]], Problem],
) -> Answer:
    payload = await read_json(request, limit, BODY_TIMEOUT_SECONDS, "the answer")
    try:
        return model.model_validate(payload)
    except ValidationError as error:
        # Not chained: pydantic's error quotes the input, the citizen's words, which no log should keep.
        raise refused(errors_of(error, request_language(request))) from None
