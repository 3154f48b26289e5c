"""The one error the training feature raises for bad input or a refused action.

A :class:`TrainingError` carries a message meant for the person in front of the screen (a trainer
uploading a file, a new hire starting a quiz too early): views flash it, ``flask kb`` commands
print it, importers report it next to the file's path. It is not kb's ``FileError``: most of
these refusals have nothing to do with a file.
"""


class TrainingError(ValueError):
    """A refusal or a validation failure, with a message the user can act on."""


def commit_or_flash(change, success: str | None = None) -> bool:
    """A view's one transaction: run ``change()``; commit and flash ``success`` — or, on a
    :class:`TrainingError`, roll back and flash its message. True when it was committed."""
    from flask import flash

    from ..extensions import db

    try:
        change()
    except TrainingError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return False
    db.session.commit()
    if success:
        flash(success, "success")
    return True
