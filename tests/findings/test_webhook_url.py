"""Webhook checks its URL up front, and no failure ever shows the token in the URL's path."""

from __future__ import annotations

import pytest

from featurewatch.errors import BackendError, ConfigError
from featurewatch.findings import Webhook

SLACK_WITHOUT_SCHEME = "hooks.slack.com/services/T00/B00/SECRET"
MESSAGE = ("the webhook URL must be http:// or https:// with a host, "
           "e.g. https://hooks.slack.com/services/...")


BODY = {"text": "featurewatch: model credit"}


class TestWebhookUrl:
    @pytest.mark.parametrize("url", [SLACK_WITHOUT_SCHEME, "ftp://hooks.example/SECRET", "https:///SECRET",
                                     "http://[::1/SECRET", ""])
    def test_constructor_rejects_a_bad_url_without_showing_it(self, url):
        """A URL that is not http(s) with a host is a ConfigError (exit 2) whose message hides the path."""
        with pytest.raises(ConfigError) as error:
            Webhook(url)
        assert str(error.value) == MESSAGE and error.value.exit_code == 2

    def test_constructor_accepts_http_and_https(self):
        """Ordinary webhook URLs pass."""
        assert Webhook("https://hooks.slack.com/services/T00/B00/SECRET").url.endswith("SECRET")
        assert Webhook("HTTP://127.0.0.1:8080/hook").url == "HTTP://127.0.0.1:8080/hook"

    def test_a_request_that_cannot_be_built_is_a_backend_error(self):
        """Building the request happens inside the error handling: a BackendError without the token."""
        sink = Webhook("http://127.0.0.1:9/hook")
        sink.url = SLACK_WITHOUT_SCHEME  # as if the check had been bypassed
        with pytest.raises(BackendError) as error:
            sink.post(BODY)
        assert "SECRET" not in str(error.value)

    def test_credentials_in_the_url_are_not_shown(self):
        """A failed post names the host, not user:password@ nor the path."""
        with pytest.raises(BackendError) as error:
            Webhook("http://user:hunter2@127.0.0.1:9/hook/SECRET", timeout=2).post(BODY)
        assert "hunter2" not in str(error.value) and "SECRET" not in str(error.value)
        assert "http://127.0.0.1:9/…" in str(error.value)
