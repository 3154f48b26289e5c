"""The base class of every form (Flask-WTF: CSRF protection on each one)."""
from flask_wtf import FlaskForm


class KbForm(FlaskForm):
    """``FlaskForm`` whose hidden CSRF field renders without an ``id``.

    WTForms gives it ``id="csrf_token"``; a page with several forms (an article with the
    trainer bar and the feedback box, the account page) then repeats that id, which HTML
    forbids and assistive technology trips over. Nothing refers to the id.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "csrf_token" in self._fields:
            self.csrf_token.id = False  # WTForms leaves out attributes whose value is False
