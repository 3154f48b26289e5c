"""One run's way out for e-mail: an SMTP connection opened on the first message and reused,
or the log when ``KB_SMTP_URL`` is not set.

``KB_SMTP_URL`` is ``smtp://user:password@host:port``, ``smtp+starttls://…`` or
``smtps://…`` (user and password percent-escaped). A failure that is about one recipient (the
server refused the address) fails that message only. Any other failure — the server is down,
refuses the login, drops the connection — fails every later message of the run at once:
trying each of a thousand learners against a dead server would keep cron busy for hours
(``KB_SMTP_TIMEOUT``, 30 s by default, each), and the next run retries them all anyway.
"""
import logging
import smtplib
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 30  # a server that accepts the connection but never answers


class Outbox:
    """Use as a context manager around one run; :meth:`send` raises ``OSError`` or
    ``smtplib.SMTPException`` for a message that was not sent."""

    def __init__(self, url: str | None, timeout: float = TIMEOUT_SECONDS):
        self.url = url or ""
        self.timeout = timeout
        self.client: smtplib.SMTP | None = None
        self.broken: Exception | None = None
        self.sent = 0

    def __enter__(self) -> "Outbox":
        return self

    def __exit__(self, *_exc) -> None:
        if self.client is not None:
            try:
                self.client.quit()
            except (OSError, smtplib.SMTPException):
                self.client.close()

    def send(self, message: EmailMessage) -> str:
        """Deliver ``message``; ``smtp`` when sent, ``log`` when there is no SMTP server."""
        if not self.url:
            log.info("reminder (no KB_SMTP_URL, not sent) to %s: %s\n%s", message["To"],
                     message["Subject"], message.get_content())
            return "log"
        if self.broken is not None:
            raise smtplib.SMTPException(f"not tried: the server failed earlier ({self.broken})")
        try:
            try:
                self._connected().send_message(message)
            except smtplib.SMTPServerDisconnected:
                if self.sent == 0:
                    raise
                self.client = None  # an idle connection the server closed: reconnect once
                self._connected().send_message(message)
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused):
            raise  # about this message only; the connection is still good
        except (OSError, smtplib.SMTPException) as exc:
            self.broken = exc
            log.warning("SMTP server %s failed (%s): the remaining messages wait for the "
                        "next run", urlsplit(self.url).hostname, exc)
            raise
        self.sent += 1
        return "smtp"

    def _connected(self) -> smtplib.SMTP:
        if self.client is None:
            parts = urlsplit(self.url)
            secure = parts.scheme == "smtps"
            client = (smtplib.SMTP_SSL if secure else smtplib.SMTP)(
                parts.hostname or "localhost", parts.port or (465 if secure else 25),
                timeout=self.timeout)
            try:
                if parts.scheme == "smtp+starttls":
                    client.starttls()
                if parts.username:
                    client.login(unquote(parts.username), unquote(parts.password or ""))
            except BaseException:
                client.close()
                raise
            self.client = client
        return self.client
