"""Typed errors. Raised deep in the library, turned into messages only at the edges (CLI, HTTP, UI)."""


class QAError(Exception):
    """Base class: every error a user can cause or fix. Its message says what to do next."""


class CorpusError(QAError):
    """The corpus folder or one of its files cannot be read or parsed."""


class IndexNotFound(QAError):
    """There is no built index where one was expected."""


class IndexMismatch(QAError):
    """The index was built with another format, model or settings than the ones in use."""


class IndexCorrupt(QAError):
    """An index file is missing, truncated or altered since it was written."""


class BuildLocked(QAError):
    """Another build holds the index lock."""


class QuestionError(QAError):
    """The question is empty, too long or otherwise unusable. `chinese`: the same said in Chinese, for
    the chat (whose readers asked in Chinese); the message itself stays English, as the CLI's and the
    HTTP API's are."""

    def __init__(self, message: str, chinese: str = ""):
        super().__init__(message)
        self.chinese = chinese or message


class ModelError(QAError):
    """The embedding model cannot be found or loaded."""


class SettingsError(QAError):
    """A setting (QA_* environment variable, flag or Settings field) has an unusable value."""


class StoreError(QAError):
    """The index store (a Milvus server or milvus-lite file) cannot be reached or used."""
