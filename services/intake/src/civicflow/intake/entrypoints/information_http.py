"""The citizen's answer to the agency's request for information over the API, authenticated by the status token as a
bearer token (like GET /v1/submissions/{id})."""

from fastapi import APIRouter, Header, Request
from fastapi.responses import Response
from pydantic import ValidationError

from civicflow.intake.domain.information import failure
from civicflow.intake.domain.messages import Language, message
from civicflow.intake.domain.validation_errors import FieldError
from civicflow.intake.entrypoints.citizen_answers import read_answer
from civicflow.intake.entrypoints.http import NO_STORE, visible_record
from civicflow.intake.entrypoints.openapi import INFORMATION_BODY, InformationBody, answers
from civicflow.intake.entrypoints.problems import ANSWER_NOT_TAKEN
from civicflow.intake.information import AnswerNotTaken, Answers, NotAsked
from civicflow.shared.problems import Problem

# 2,000 characters, as JSON writes them: up to four UTF-8 bytes each, or six as a \uXXXX escape (Python's json.dumps
# escapes every non-ASCII character by default), with room for the object around them.
BODY_LIMIT = 16 * 1024

NOT_ASKED = Problem(
    409,
    "not-waiting-for-information",
    "Not waiting for information",
    "The agency asks for no information on this application now (it did not ask, it was answered, or it decided).",
)


def information_router(information: Answers) -> APIRouter:
    router = APIRouter(prefix="/v1/submissions")

    @router.post(
        "/{submission_id}/information",
        status_code=202,
        operation_id="provide_information",
        responses=answers(
            202, None, "Passed on; routing carries it to the agency", 400, 404, 409, 413, 415, 422, 429, 500, 503
        ),
        openapi_extra=INFORMATION_BODY,
    )
    async def provide_information(
        request: Request, submission_id: str, authorization: str | None = Header(default=None)
    ) -> Response:
        record = await visible_record(submission_id, authorization, information.submissions)
        answer = (await read_answer(request, InformationBody, BODY_LIMIT, _errors, _refused)).answer
        try:
            await information.answer(record, answer)
        except NotAsked as error:
            raise NOT_ASKED from error
        except AnswerNotTaken as error:
            raise ANSWER_NOT_TAKEN from error
        return Response(status_code=202, headers=NO_STORE)

    return router


def _errors(error: ValidationError, language: Language) -> list[FieldError]:
    # Named by the kind of failure, never quoting the answer (it is the citizen's letter to the agency).
    found = []
    for item in error.errors(include_input=False, include_url=False):
        pointer = "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in item["loc"])
        found.append(FieldError(pointer, message(failure(item), language)))
    return found


def _refused(errors: list[FieldError]) -> Problem:
    return Problem(
        422,
        "invalid-information",
        "Invalid information",
        "Send the answer as answer: 1 to 2,000 characters of plain text, without markup; nothing was passed on.",
        errors,
    )
