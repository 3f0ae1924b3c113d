"""The ML backend over real HTTP on 127.0.0.1: protocol, offsets, bad payloads, basic auth.

Label Studio is not needed here (tests/serve/test_live.py talks to a real one); every request
goes through uvicorn and the Starlette app exactly as Label Studio's would.
"""

from __future__ import annotations

import base64
import sys
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given, settings

from backchannel.annotation.labelstudio import convert, ranking
from backchannel.annotation.labelstudio.backend import create_app, parse_credentials
from backchannel.annotation.labelstudio.config import label_config
from backchannel.annotation.labelstudio.training import ModelService
from backchannel.documents import Document, Span
from backchannel.schema import Schema

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parents[1] / "studio"))
from serve_helpers import FixedPredictor, post, running
from studio_strategies import documents

TEXT = "Envoys 🤝 met in Bogota\u0301.\r\nLater 👩🏽‍⚕️ aides phoned Geneva."


def _span(text: str, surface: str, sid: str, label: str, score: float) -> Span:
    start = text.index(surface)
    return Span(id=sid, start=start, end=start + len(surface), label=label, score=score)


def _prediction(text: str = TEXT) -> Document:
    return Document(
        id="d1",
        text=text,
        spans=[
            _span(text, "Envoys", "a1", "ACTOR", 0.9),
            _span(text, "Bogota\u0301", "v1", "VENUE", 0.6),
            _span(text, "phoned", "c1", "CHANNEL", 0.5),
            _span(text, "Geneva", "v2", "VENUE", 0.99),
        ],
    )


@pytest.fixture
def fixed_url(tmp_path: Path, schema: Schema):
    pred = _prediction()
    service = ModelService(FixedPredictor({pred.text: pred}), tmp_path / "work")
    with running(create_app(service, schema, model_class="fixed")) as url:
        yield url


def _task(doc: Document, task_id: int = 1) -> dict:
    return {"id": task_id, "data": convert.document_to_data(doc)}


def test_health_setup_and_predict_speak_label_studio(fixed_url: str, schema: Schema) -> None:
    health = httpx.get(f"{fixed_url}/health").json()
    assert health["status"] == "UP"
    assert health["model_version"] == "fixed-1"
    setup = post(fixed_url, "/setup", {"project": "3.1700000000", "schema": label_config(schema)})
    assert setup.status_code == 200
    assert setup.json() == {"model_version": "fixed-1"}
    pred = _prediction()
    got = post(fixed_url, "/predict", {"tasks": [_task(pred)], "project": "3.1"}).json()
    (result,) = got["results"]
    assert result["model_version"] == "fixed-1"
    # the same result list push writes for this prediction Document
    pushed = convert.document_to_task(pred, [pred], "fixed-1")["predictions"][0]
    assert result["result"] == pushed["result"]
    assert result["score"] == ranking.confidence(pred)


def test_predict_offsets_equal_push_offsets(tmp_path: Path, schema: Schema) -> None:
    """Emoji, combining marks, CRLF: /predict gives exactly the regions push would import."""
    predictor = FixedPredictor({})
    with running(create_app(ModelService(predictor, tmp_path), schema)) as url:

        @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
        @given(doc=documents())
        def check(doc: Document) -> None:
            predictor.by_text[doc.text] = doc
            got = post(url, "/predict", {"tasks": [_task(doc)]}).json()["results"][0]
            pushed = convert.document_to_task(doc, [doc], "fixed-1")["predictions"][0]
            assert got["result"] == pushed["result"]
            back = convert.prediction_to_document(_task(doc), got, schema=schema)
            assert [(s.start, s.end, s.label) for s in back.spans] == [
                (s.start, s.end, s.label) for s in doc.spans
            ]

        check()


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "says"),
    [
        ("post", "/predict", b"{not json", 400, "not JSON"),
        ("post", "/predict", b"", 400, "empty request body"),
        ("post", "/predict", b"[1, 2]", 400, "not an object"),
        ("post", "/predict", b'{"tasks": {"id": 1}}', 422, '"tasks" must be a list'),
        ("post", "/predict", b'{"tasks": [{"id": 7, "data": {}}]}', 422, "task #0"),
        ("post", "/predict", b'{"tasks": [3]}', 422, "task #0 is not an object"),
        ("post", "/webhook", b'{"nothing": 1}', 400, 'no "action"'),
        ("post", "/webhook", b'{"action": "EXPLODE"}', 422, "unknown webhook action"),
        ("post", "/webhook", b'{"action": "ANNOTATION_CREATED"}', 422, '"task" and "annotation"'),
        ("post", "/setup", b'{"schema": "<View><Text name=\\"x\\"/></View>"}', 422, "no <Labels"),
        ("post", "/setup", b'{"schema": "<View"}', 422, "not XML"),
        ("get", "/predict", None, 405, "Method Not Allowed"),
        ("get", "/nowhere", None, 404, "Not Found"),
    ],
)
def test_bad_payloads_are_4xx_json_never_500(
    fixed_url: str, method: str, path: str, body: bytes | None, status: int, says: str
) -> None:
    resp = httpx.request(method.upper(), f"{fixed_url}{path}", content=body)
    assert resp.status_code == status
    assert says in resp.json()["error"]
    assert "Traceback" not in resp.text


def test_a_webhook_annotation_that_does_not_fit_its_text_is_422(fixed_url: str) -> None:
    task = {"id": 5, "data": {"text": "short"}}
    ann = {
        "id": 9,
        "result": [
            {
                "id": "r1",
                "from_name": "label",
                "to_name": "text",
                "type": "labels",
                "value": {"start": 0, "end": 99, "labels": ["ACTOR"], "text": "x"},
            }
        ],
    }
    resp = post(
        fixed_url, "/webhook", {"action": "ANNOTATION_CREATED", "task": task, "annotation": ann}
    )
    assert resp.status_code == 422
    assert "task 5" in resp.json()["error"]


def test_setup_names_the_labels_a_config_lacks(fixed_url: str, schema: Schema) -> None:
    config = label_config(schema).replace('value="VENUE"', 'value="PLACE"')
    resp = post(fixed_url, "/setup", {"schema": config})
    assert resp.status_code == 422
    assert "VENUE" in resp.json()["error"]


def test_basic_auth_guards_every_route(tmp_path: Path, schema: Schema) -> None:
    pred = _prediction()
    service = ModelService(FixedPredictor({pred.text: pred}), tmp_path)
    app = create_app(service, schema, auth=("lead", "s3cret:with colon"))
    with running(app) as url:
        assert httpx.get(f"{url}/health").status_code == 401
        wrong = httpx.get(f"{url}/health", auth=("lead", "nope"))
        assert wrong.status_code == 401
        assert "s3cret" not in wrong.text
        assert httpx.get(f"{url}/health", auth=("lead", "s3cret:with colon")).status_code == 200
        ok = post(url, "/predict", {"tasks": [_task(pred)]}, auth=("lead", "s3cret:with colon"))
        assert ok.status_code == 200
    assert "s3cret" not in repr(app.user_middleware)


def test_credentials_are_user_colon_password() -> None:
    assert parse_credentials("a:b:c\n") == ("a", "b:c")
    for bad in ("nocolon", ":pw", "user:"):
        with pytest.raises(ValueError) as err:
            parse_credentials(bad)
        assert bad.strip(":") not in str(err.value) or bad == "nocolon"


def test_a_model_that_cannot_predict_is_503_with_the_reason(tmp_path: Path, schema: Schema) -> None:
    from backchannel.errors import InputError

    class Untrained:
        model_version = "stance-untrained"

        def predict(self, docs):
            raise InputError("the stance model needs a trained model directory")

    with running(create_app(ModelService(Untrained(), tmp_path), schema)) as url:
        resp = post(url, "/predict", {"tasks": [_task(_prediction())]})
    assert resp.status_code == 503
    assert "needs a trained model directory" in resp.json()["error"]


def test_basic_header_format_is_standard() -> None:
    """What Label Studio's requests.HTTPBasicAuth sends is what BasicAuth expects."""
    token = base64.b64encode(b"u:p").decode()
    assert httpx.BasicAuth("u", "p")._auth_header == f"Basic {token}"
