"""WebhookSink checks its URL up front, and no failure ever shows the token in the URL's path."""

from __future__ import annotations

import pytest

from featurewatch.detect.report import Finding, Report
from featurewatch.errors import BackendError, ConfigError
from featurewatch.findings import WebhookSink

SLACK_WITHOUT_SCHEME = "hooks.slack.com/services/T00/B00/SECRET"
MESSAGE = ("the webhook URL must be http:// or https:// with a host, "
           "e.g. https://hooks.slack.com/services/...")


def _report() -> Report:
    finding = Finding(check="na_spike", feature="income", severity="critical", statistic=0.3, threshold=0.2,
                      baseline="1% null", observed="31% null", message="income nulls", p_value=1e-9,
                      effect="rate_increase")
    return Report(model="credit", start="2026-11-20T10:00:00.000000Z", end="2026-11-20T12:00:00.000000Z",
                  records=4000, findings=[finding])


class TestWebhookSinkUrl:
    @pytest.mark.parametrize("url", [SLACK_WITHOUT_SCHEME, "ftp://hooks.example/SECRET", "https:///SECRET",
                                     "http://[::1/SECRET", ""])
    def test_constructor_rejects_a_bad_url_without_showing_it(self, url):
        """A URL that is not http(s) with a host is a ConfigError (exit 2) whose message hides the path."""
        with pytest.raises(ConfigError) as error:
            WebhookSink(url)
        assert str(error.value) == MESSAGE and error.value.exit_code == 2

    def test_constructor_accepts_http_and_https(self):
        """Ordinary webhook URLs pass."""
        assert WebhookSink("https://hooks.slack.com/services/T00/B00/SECRET").url.endswith("SECRET")
        assert WebhookSink("HTTP://127.0.0.1:8080/hook").url == "HTTP://127.0.0.1:8080/hook"

    def test_a_request_that_cannot_be_built_is_a_backend_error(self):
        """Building the request happens inside the error handling: a BackendError without the token."""
        sink = WebhookSink("http://127.0.0.1:9/hook")
        sink.url = SLACK_WITHOUT_SCHEME  # as if the check had been bypassed
        with pytest.raises(BackendError) as error:
            sink.write(_report())
        assert "SECRET" not in str(error.value)

    def test_credentials_in_the_url_are_not_shown(self):
        """A failed post names the host, not user:password@ nor the path."""
        with pytest.raises(BackendError) as error:
            WebhookSink("http://user:hunter2@127.0.0.1:9/hook/SECRET", timeout=2).write(_report())
        assert "hunter2" not in str(error.value) and "SECRET" not in str(error.value)
        assert "http://127.0.0.1:9/…" in str(error.value)
