"""The citizen's answer to routing's question over the API: which of the offered municipalities their address is
in, authenticated by the status token as a bearer token (like GET /v1/submissions/{id})."""

from fastapi import APIRouter, Header, Request
from fastapi.responses import Response

from civicflow.intake.clarifications import AnswerNotTaken, Clarifications, NotOffered, NotWaiting
from civicflow.intake.domain.messages import message
from civicflow.intake.domain.validation_errors import FieldError
from civicflow.intake.entrypoints.citizen_answers import read_answer, request_language
from civicflow.intake.entrypoints.http import NO_STORE, visible_record
from civicflow.intake.entrypoints.openapi import CLARIFICATION_BODY, ClarificationBody, answers
from civicflow.intake.entrypoints.problems import ANSWER_NOT_TAKEN
from civicflow.intake.entrypoints.profile_bodies import contact_errors as body_errors
from civicflow.shared.problems import Problem

BODY_LIMIT = 1024
POINTER = "/municipality_key"

NOT_WAITING = Problem(
    409,
    "not-waiting-for-clarification",
    "Not waiting for clarification",
    "This application waits for no answer about its municipality (none was asked, or it was answered).",
)


def clarification_router(clarifications: Clarifications) -> APIRouter:
    router = APIRouter(prefix="/v1/submissions")

    @router.post(
        "/{submission_id}/clarification",
        status_code=202,
        operation_id="clarify",
        responses=answers(
            202, None, "Passed on; routing routes the application", 400, 404, 409, 413, 415, 422, 429, 500, 503
        ),
        openapi_extra=CLARIFICATION_BODY,
    )
    async def clarify(
        request: Request, submission_id: str, authorization: str | None = Header(default=None)
    ) -> Response:
        record = await visible_record(submission_id, authorization, clarifications.submissions)
        answer = await read_answer(request, ClarificationBody, BODY_LIMIT, body_errors, _refused)
        municipality_key = answer.municipality_key
        try:
            await clarifications.answer(record, municipality_key)
        except NotWaiting as error:
            raise NOT_WAITING from error
        except NotOffered as error:
            raise _refused([FieldError(POINTER, message("enum", request_language(request)))]) from error
        except AnswerNotTaken as error:
            raise ANSWER_NOT_TAKEN from error
        return Response(status_code=202, headers=NO_STORE)

    return router


def _refused(errors: list[FieldError]) -> Problem:
    return Problem(
        422,
        "invalid-clarification",
        "Invalid clarification",
        "Send one of the municipality keys the status offers, as municipality_key; nothing was passed on.",
        errors,
    )
