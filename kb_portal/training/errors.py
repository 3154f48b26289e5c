"""The one error the training feature raises for bad input or a refused action.

A :class:`TrainingError` carries a message meant for the person in front of the screen (a trainer
uploading a file, a new hire starting a quiz too early): views flash it, ``flask kb`` commands
print it, importers report it next to the file's path. It is not kb's ``FileError``: most of
these refusals have nothing to do with a file.
"""


class TrainingError(ValueError):
    """A refusal or a validation failure, with a message the user can act on."""
