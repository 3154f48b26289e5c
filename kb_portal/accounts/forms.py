"""Account forms (Flask-WTF: every form carries a CSRF token)."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length

from ..forms import KbForm
from ..i18n.locales import LANGUAGES
from .models import ROLES
from .people import ROLE_LABELS

ROLE_CHOICES = [SelectChoice(r, ROLE_LABELS[r]) for r in ROLES]
LOCALE_CHOICES = [SelectChoice("", _l("Browser default"))] + [
    SelectChoice(code, name) for code, name in LANGUAGES]


class LoginForm(KbForm):
    username = StringField(_l("User name"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[DataRequired()])
    remember = BooleanField(_l("Remember me"))


class ChangePasswordForm(KbForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired()])
    new = PasswordField(_l("New password"), validators=[DataRequired(), Length(min=8)])
    confirm = PasswordField(
        _l("Repeat new password"),
        validators=[DataRequired(), EqualTo("new", message=_l("The passwords differ."))],
    )


class PreferencesForm(KbForm):
    locale = SelectField(_l("Interface language"), choices=LOCALE_CHOICES)


class CreateUserForm(KbForm):
    username = StringField(_l("User name"), validators=[DataRequired(), Length(max=64)])
    display_name = StringField(_l("Display name"), validators=[Length(max=120)])
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(min=8)])


class EditUserForm(KbForm):
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)
    active = BooleanField(_l("Active"))
    new_password = PasswordField(_l("Reset password (leave empty to keep)"))
